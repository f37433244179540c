/// The `received_at` text form: RFC 3339 in UTC with exactly three fraction digits, `2026-11-21T12:00:00.123Z`.
///
/// Pure integer arithmetic on the proleptic Gregorian calendar (days-from-civil, as in H. Hinnant's "chrono-compatible
/// low-level date algorithms"); no locale, no time zone database, no leap seconds.
enum FixtureTimestamp {
    /// Length of the text form in bytes.
    static let length = 24
    /// 0000-01-01T00:00:00.000Z, the earliest instant the text form can express.
    static let earliest: Int64 = -62_167_219_200_000
    /// 9999-12-31T23:59:59.999Z, the latest instant the text form can express.
    static let latest: Int64 = 253_402_300_799_999

    private static let msPerDay: Int64 = 86_400_000

    /// Appends the text form of `epochMilliseconds` (without quotes) to `out`; returns false, appending nothing, when
    /// the instant lies outside years 0000...9999.
    static func append(_ epochMilliseconds: Int64, to out: inout [UInt8]) -> Bool {
        guard (earliest...latest).contains(epochMilliseconds) else { return false }
        let days = floorDiv(epochMilliseconds, msPerDay)
        var rest = epochMilliseconds - days * msPerDay
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3_600_000
        rest %= 3_600_000
        let minute = rest / 60_000
        rest %= 60_000
        let second = rest / 1000
        let milli = rest % 1000
        appendDigits(year, 4, &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, 2, &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, 2, &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(hour, 2, &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(minute, 2, &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(second, 2, &out)
        out.append(UInt8(ascii: "."))
        appendDigits(milli, 3, &out)
        out.append(UInt8(ascii: "Z"))
        return true
    }

    /// The text form of `epochMilliseconds`, or nil outside years 0000...9999.
    static func format(_ epochMilliseconds: Int64) -> String? {
        var bytes: [UInt8] = []
        guard append(epochMilliseconds, to: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.fffZ` (upper-case `T` and `Z`, seconds 00...59) into epoch milliseconds.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == length,
            b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."),
            b[23] == UInt8(ascii: "Z"),
            let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
            let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
            let milli = digits(b, 20, 3),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = self.days(fromCivil: year, month, day)
        return days * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + milli
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for byte in b[start..<start + count] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func appendDigits(_ value: Int64, _ count: Int, _ out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
