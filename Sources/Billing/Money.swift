import Foundation

/// A currency and the number of digits of its minor unit (EUR 2: cents; JPY 0; KWD 3).
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    /// ISO 4217 code, upper case.
    public var code: String
    /// Digits after the decimal point of the smallest coin or note unit amounts are rounded to.
    public var minorUnit: Int

    public init(code: String, minorUnit: Int) {
        self.code = code
        self.minorUnit = minorUnit
    }

    /// ISO 4217 minor units of the currencies a pipeline may name without `minor_unit`.
    public static let minorUnits: [String: Int] = [
        "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2,
        "RON": 2, "BGN": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CNY": 2, "INR": 2, "SGD": 2, "HKD": 2, "ZAR": 2,
        "BRL": 2, "MXN": 2, "TRY": 2, "ILS": 2, "AED": 2,
        "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "TWD": 2,
        "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3,
    ]

    /// The currency with this code from ``minorUnits``, or nil.
    public static func known(_ code: String) -> Currency? {
        minorUnits[code].map { Currency(code: code, minorUnit: $0) }
    }

    public var description: String { code }

    /// `amount` rounded once, half-up, to the minor unit.
    public func round(_ amount: Decimal) -> Decimal {
        Money.round(amount, scale: minorUnit)
    }

    /// `amount` as exact text with exactly the minor unit's digits (`12.30`, `-0.05`, `1200` for JPY), rounded
    /// half-up first if it has more.
    public func text(_ amount: Decimal) -> String {
        var text = Money.text(round(amount))
        guard minorUnit > 0 else { return text }
        let digits = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 } ?? -1
        if digits < 0 { text += "." }
        text += String(repeating: "0", count: minorUnit - max(digits, 0))
        return text
    }
}

/// Exact decimal helpers. Amounts are `Decimal` throughout; binary floating point never touches money.
public enum Money {
    /// Half-up rounding to `scale` digits after the point (`.plain`: halves go away from zero).
    public static func round(_ value: Decimal, scale: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }

    /// The smallest multiple of `step` that is at least `value` (`value` ≥ 0, `step` > 0).
    public static func roundUp(_ value: Decimal, toMultipleOf step: Decimal) -> Decimal {
        var quotient = value / step
        var whole = Decimal()
        NSDecimalRound(&whole, &quotient, 0, .up)
        return whole * step
    }

    /// Parses a plain decimal (`12`, `0.395`): digits, an optional point and digits; no sign, no exponent.
    public static func parse(_ text: String) -> Decimal? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Digits after the point in `text`, trailing zeros ignored (`1.50` → 1).
    static func fractionDigits(_ text: String) -> Int {
        guard let point = text.firstIndex(of: ".") else { return 0 }
        var fraction = text[text.index(after: point)...].trimmingCharacters(in: .whitespaces)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.count
    }

    /// `value` as text without exponent (`Decimal.description` is already plain).
    public static func text(_ value: Decimal) -> String { value.description }
}
