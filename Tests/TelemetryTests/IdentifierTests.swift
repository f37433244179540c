import Testing
import Telemetry

@Suite struct IdentifierTests {
    @Test(arguments: ["CP-1", "depot.north", "EVB-P2131424:01", "a", String(repeating: "x", count: 64)])
    func acceptsSafeIdentifiers(id: String) throws {
        #expect(try Identifier.validate(id, kind: .charger) == id)
    }

    @Test(arguments: ["", "../etc", "a/b", "$(reboot)", "cp;rm -rf", "-rf", ".hidden", "name with space",
                      "über", String(repeating: "x", count: 65), "a\u{0}b", "`id`"])
    func refusesEverythingElse(id: String) {
        #expect(throws: IdentifierError.self) { try Identifier.validate(id, kind: .charger) }
    }

    @Test func explainsTheProblem() {
        do {
            try Identifier.validate("cp;1", kind: .charger)
            Issue.record("accepted")
        } catch {
            #expect(error.description == "charger id has ';' at byte 2; allowed are A-Z a-z 0-9 . _ : -")
        }
    }
}
