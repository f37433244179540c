import Testing

import Telemetry

@Suite struct CaseNamesTests {
    /// Each case is found by its raw value's bytes; the same name one byte short, one byte longer, or with one byte
    /// changed is not a case (unless it happens to be another case's name, which the check allows).
    func check<T: NamedCases & Equatable>(_ type: T.Type) {
        for value in T.allCases {
            let name = Array(value.rawValue.utf8)
            name.withUnsafeBufferPointer { #expect(T.caseNames.match($0) == value, "\(value.rawValue)") }
            var variants = [Array(name.dropLast()), name + [UInt8(ascii: "x")]]
            for position in name.indices {
                var changed = name
                changed[position] ^= 0x20
                variants.append(changed)
            }
            for variant in variants {
                let expected = T.allCases.first { Array($0.rawValue.utf8) == variant }
                variant.withUnsafeBufferPointer {
                    #expect(T.caseNames.match($0) == expected, "\(String(decoding: variant, as: UTF8.self))")
                }
            }
        }
        [UInt8](repeating: UInt8(ascii: "a"), count: 200).withUnsafeBufferPointer { #expect(T.caseNames.match($0) == nil) }
    }

    @Test func everyCaseIsFoundByItsNameAndNothingElseIs() {
        check(Measurand.self)
        check(Phase.self)
        check(Location.self)
        check(ReadingContext.self)
        #expect(Array("Energy.Active.Import.Register".utf8).withUnsafeBufferPointer { Measurand.parse($0) }
            == .energyActiveImportRegister)
    }
}
