import Foundation
import MosquittoTestSupport
import Testing

/// The fixture library (`Fixtures/scenarios/*`): every scenario replayed with the real binary against its golden
/// CSV files (`wattline replay --expect`), and what a difference looks like.
@Suite struct FixtureScenarioTests {
    static let library = WattlineProcess.repository.appendingPathComponent("Fixtures/scenarios")

    /// Every directory of the library with a stream in it.
    static let scenarios: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: library.path)) ?? [])
        .filter { FileManager.default.fileExists(atPath: library.appendingPathComponent("\($0)/stream.jsonl").path) }
        .sorted()

    static func replay(_ scenario: String, expect: String? = nil) throws -> WattlineProcess.Result {
        let directory = try TemporaryDirectory(prefix: "wattline-scenario")
        defer { directory.remove() }
        let base = "Fixtures/scenarios/\(scenario)"
        return try WattlineProcess.run(["replay", base + "/stream.jsonl", "--pipeline", base + "/pipeline.yaml",
                                        "--data", directory.path + "/data", "--expect", expect ?? base])
    }

    @Test func theLibraryHasItsScenarios() {
        for name in ["depot-overnight", "highway-dc", "faulty-meter", "offline-catchup", "duplicates-reordering",
                     "malformed-payloads", "tou-boundary"] {
            #expect(Self.scenarios.contains(name), "Fixtures/scenarios/\(name)")
        }
    }

    @Test(arguments: scenarios)
    func scenarioMatchesItsGoldens(_ scenario: String) throws {
        let result = try Self.replay(scenario)
        // A scenario whose golden records a known Wattline defect says so in known-issue.txt; the test then expects
        // the difference, and fails once the defect is fixed (remove the file then).
        let note = Self.library.appendingPathComponent("\(scenario)/known-issue.txt")
        if let issue = try? String(contentsOf: note, encoding: .utf8) {
            withKnownIssue(Comment(rawValue: issue)) {
                #expect(result.status == 0, "\(result.stderr)")
            }
            #expect(result.status == 3, "only a difference is a known issue: \(result.stderr)")
        } else {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("the results match the goldens"), "\(result.stderr)")
        }
    }

    /// A golden that disagrees: exit status 3 and every difference named, field by field.
    @Test func aDifferenceIsShownFieldByField() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-golden")
        defer { directory.remove() }
        _ = try directory.write("""
            # energy off by 1 Wh, an end reason that is not, a session that never happened
            charger,evse,started_at,ended_at,energy_wh,end_reason
            HWY-DC-01,1,2026-11-21T12:08:00.000Z,2026-11-21T12:31:00.000Z,35668,timeout
            HWY-DC-01,1,2026-11-21T13:00:00.000Z,,,
            """, to: "sessions.csv")
        _ = try directory.write("kind,charger,connector,started_at,resolved_at\n", to: "anomalies.csv")
        let result = try Self.replay("highway-dc", expect: directory.path)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("2 difference(s)"), "\(result.stderr)")
        #expect(result.stderr.contains("energy_wh expected 35668, got 35667"), "\(result.stderr)")
        #expect(result.stderr.contains("end_reason expected timeout, got transaction"), "\(result.stderr)")
        #expect(result.stderr.contains("missing     charger=HWY-DC-01 evse=1 started_at=2026-11-21T13:00:00.000Z"),
                "\(result.stderr)")

        // Within the tolerance (0.1 Wh) it matches; an unknown column is refused with the list of known ones.
        _ = try directory.write("charger,evse,started_at,energy_wh\nHWY-DC-01,1,2026-11-21T12:08:00.000Z,35667.05\n",
                                to: "sessions.csv")
        #expect(try Self.replay("highway-dc", expect: directory.path).status == 0)
        _ = try directory.write("charger,evse,started_at,energy\n", to: "sessions.csv")
        let refused = try Self.replay("highway-dc", expect: directory.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("unknown column 'energy'"), "\(refused.stderr)")
    }
}
