import Testing

@testable import Telemetry

@Suite struct CaseHashingTests {
    /// Each case its own index, so hashing by case agrees with equality; and sets and dictionaries still work.
    func check<T: CaseIterable & Hashable>(_ type: T.Type) {
        let cases = Array(T.allCases)
        #expect(MemoryLayout<T>.size == 1)
        #expect(Set(cases.map { caseIndex(of: $0) }).count == cases.count)
        #expect(Set(cases).count == cases.count)
        for value in cases {
            var a = Hasher(), b = Hasher()
            value.hash(into: &a)
            value.hash(into: &b)
            #expect(a.finalize() == b.finalize())
        }
    }

    @Test func identityEnumsHashTheirCase() {
        check(Measurand.self)
        check(Phase.self)
        check(Location.self)
        // A series dictionary still finds its keys.
        let series = Measurand.allCases.map { Series(site: "s", charger: "CP-1", evse: 1, connector: 1, measurand: $0) }
        let index = Dictionary(uniqueKeysWithValues: series.enumerated().map { ($1, $0) })
        #expect(series.enumerated().allSatisfy { index[$1] == $0 })
    }
}
