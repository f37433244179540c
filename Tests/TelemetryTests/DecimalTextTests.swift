import Testing
@testable import Telemetry

@Suite struct DecimalTextTests {
    func parse(_ text: String) throws(DecimalText.Failure) -> DecimalText {
        var copy = text
        let result: Result<DecimalText, DecimalText.Failure> = copy.withUTF8 { bytes in
            do throws(DecimalText.Failure) { return .success(try DecimalText.parse(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test func kilowattHoursScaleExactly() throws {
        let text = try parse("12.345")
        #expect(text.scaled(by: 3) == 12345.0)
        #expect(text.decimals(scaledBy: 3) == 0)
        let other = try parse("1.001")
        #expect(other.scaled(by: 3) == 1001.0)
        // The naive way (parse as a Double, then multiply) is off by one ulp here:
        #expect(Double("1.001")! * 1000 != 1001.0)
    }

    @Test(arguments: [
        (" 0.0", 0.0, Int16(1)), ("230.10", 230.1, 2), ("-1.5e3", -1500, -2), ("7", 7, 0), ("+4.25", 4.25, 2),
        ("0.000123", 0.000123, 6), ("1E2", 100, -2), ("5.", 5, 0), (".5", 0.5, 1),
    ])
    func parsesMeterText(text: String, value: Double, decimals: Int16) throws {
        let parsed = try parse(text)
        #expect(parsed.scaled(by: 0) == value)
        #expect(parsed.decimals(scaledBy: 0) == decimals)
    }

    @Test(arguments: ["abc", "", "  ", "1.2.3", "12a", "--1", "1e", "0x10", "1,5"])
    func refusesWhatIsNotANumber(text: String) {
        #expect(throws: DecimalText.Failure.notANumber) { try parse(text) }
    }

    @Test(arguments: ["NaN", "nan", "Infinity", "-inf", "1e999"])
    func refusesNonFinite(text: String) {
        #expect(throws: DecimalText.Failure.nonFinite) { try parse(text) }
    }

    @Test func longMantissasRoundCorrectly() throws {
        let text = try parse("123456789012345678901234.5")
        #expect(text.approximate)
        #expect(text.scaled(by: 0) == 123456789012345678901234.5)
        let tiny = try parse("0.1e-330")
        #expect(tiny.scaled(by: 0) == 0)
    }

    @Test func scalingMatchesStrtodOnRandomDecimals() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let mantissa = UInt64.random(in: 0...99_999_999_999, using: &generator)
            let places = Int.random(in: 0...8, using: &generator)
            let shift = Int32.random(in: -3...6, using: &generator)
            var digits = String(mantissa)
            if places > 0 {
                if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -places))
            }
            let parsed = try parse(digits)
            #expect(parsed.scaled(by: shift) == Double(digits + "e\(shift)")!, "\(digits) e\(shift)")
        }
    }
}
