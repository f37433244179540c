import Billing
import Foundation

/// Money as text: the exact decimal strings of the `sessions` money columns read into `Decimal`, and amounts
/// written back with exactly the currency's minor-unit digits. Binary floating point never touches them.
public enum AmountText {
    /// Parses `12.34`, `-0.50`, `7`: an optional minus, digits, an optional point and digits. Nil otherwise
    /// (exponents, commas, spaces inside, `NaN`).
    public static func parse(_ text: String) -> Decimal? {
        var body = Substring(text)
        var negative = false
        if body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        guard let value = Money.parse(String(body)), !body.contains(" ") else { return nil }
        return negative ? -value : value
    }

    /// The number of digits after the point of `code` (2 for codes the built-in table does not know).
    public static func minorUnit(_ code: String) -> Int {
        Currency.minorUnits[code] ?? 2
    }

    /// `value` rounded half-up to `digits` decimals and written with exactly that many (`12.3` → `12.30`).
    public static func format(_ value: Decimal, digits: Int) -> String {
        let rounded = Money.round(value, scale: digits)
        let negative = rounded < 0
        var text = (negative ? -rounded : rounded).description
        if digits > 0 {
            if !text.contains(".") { text += "." }
            let fraction = text.count - 1 - text.distance(from: text.startIndex, to: text.firstIndex(of: ".")!)
            if fraction < digits { text += String(repeating: "0", count: digits - fraction) }
        }
        return negative && rounded != 0 ? "-" + text : text
    }

    /// `value` in `currency`'s minor unit.
    public static func format(_ value: Decimal, currency: String) -> String {
        format(value, digits: minorUnit(currency))
    }
}
