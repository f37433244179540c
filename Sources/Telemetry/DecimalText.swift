/// Exact parsing of decimal text ("12.345", " 0.0", "-1.5e3") as sent by meters.
///
/// The text is read as an integer mantissa and a power of ten, so unit scaling is exact: "12.345" kWh becomes
/// mantissa 12345 × 10^(-3+3) = 12345 Wh, not 12344.999999999998. Conversion to `Double` happens once, correctly
/// rounded.
public struct DecimalText: Sendable, Equatable {
    /// Absolute value of the significant digits (up to 19 digits; longer mantissas set `approximate`).
    public var mantissa: UInt64
    public var negative: Bool
    /// Power of ten applied to the mantissa.
    public var exponent: Int32
    /// True when the mantissa had more than 19 significant digits and was cut (the value then comes from strtod).
    public var approximate: Bool
    /// Digits after the decimal point as written (before any exponent).
    public var fractionDigits: Int32

    @usableFromInline
    init(mantissa: UInt64, negative: Bool, exponent: Int32, approximate: Bool, fractionDigits: Int32) {
        self.mantissa = mantissa
        self.negative = negative
        self.exponent = exponent
        self.approximate = approximate
        self.fractionDigits = fractionDigits
    }

    /// Why the text is not a number.
    public enum Failure: Error, Sendable, Equatable {
        case notANumber
        case nonFinite
    }

    /// Parses decimal text; leading and trailing ASCII spaces are ignored. "NaN" and "Infinity" are `nonFinite`.
    @inlinable
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> DecimalText {
        var i = 0
        var n = bytes.count
        while i < n && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
        while n > i && (bytes[n - 1] == 0x20 || bytes[n - 1] == 0x09) { n -= 1 }
        guard i < n else { throw .notANumber }
        var result = DecimalText(mantissa: 0, negative: false, exponent: 0, approximate: false, fractionDigits: 0)
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            result.negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < n else { throw .notANumber }
        let c = bytes[i] | 0x20
        if c == UInt8(ascii: "n") || c == UInt8(ascii: "i") {
            // nan, inf, infinity in any case
            let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<n]), as: UTF8.self).lowercased()
            if word == "nan" || word == "inf" || word == "infinity" { throw .nonFinite }
            throw .notANumber
        }
        var digits = 0
        var significant = 0
        var dropped: Int32 = 0
        var sawPoint = false
        while i < n {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                digits += 1
                if significant < 19 {
                    if result.mantissa != 0 || b != 0x30 {
                        significant += 1
                    }
                    result.mantissa = result.mantissa &* 10 &+ UInt64(b - 0x30)
                    if sawPoint { result.fractionDigits += 1 }
                } else {
                    result.approximate = result.approximate || b != 0x30
                    if !sawPoint { dropped += 1 }
                }
            } else if b == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { throw .notANumber }
        var exponent: Int64 = 0
        if i < n && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < n && bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int64(bytes[i] - 0x30) }
                i += 1
            }
            guard i > start else { throw .notANumber }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { throw .notANumber }
        let total = exponent - Int64(result.fractionDigits) + Int64(dropped)
        if total > 400 {
            if result.mantissa != 0 { throw .nonFinite }
            result.exponent = 0
        } else {
            result.exponent = Int32(max(total, -400))
        }
        return result
    }

    /// Powers of ten that are exact in a Double.
    @usableFromInline
    static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// The value × 10^`shift`, correctly rounded to a Double (infinite when it overflows).
    @inlinable
    public func scaled(by shift: Int32) -> Double {
        let e = Int(exponent) + Int(shift)
        if !approximate && mantissa < (1 << 53) {
            let m = Double(mantissa)
            var value: Double?
            if e == 0 {
                value = m
            } else if e > 0 && e <= 22 {
                value = m * Self.exactPowers[e]
            } else if e < 0 && e >= -22 {
                value = m / Self.exactPowers[-e]
            }
            if let value { return negative ? -value : value }
        }
        // Slow path: let strtod round "<mantissa>e<e>" correctly.
        let text = (negative ? "-" : "") + String(mantissa) + "e" + String(e)
        return Double(text) ?? .nan
    }

    /// Decimal digits of the scaled value: -(exponent + shift) (negative when coarser than one unit).
    @inlinable
    public func decimals(scaledBy shift: Int32) -> Int16 {
        Int16(clamping: -(Int(exponent) + Int(shift)))
    }
}
