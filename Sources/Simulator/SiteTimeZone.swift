/// A European time zone: its standard offset from UTC plus the EU summer-time rule (from 01:00 UTC on the last Sunday
/// of March to 01:00 UTC on the last Sunday of October), which every zone in `catalog` follows.
///
/// Computed here rather than read from the system's tz database, so that a simulation gives the same stream on every
/// machine. Only the local hour is needed: it drives when drivers arrive.
struct SiteTimeZone: Sendable, Hashable {
    /// IANA name, as the fleet declaration writes it.
    let identifier: String
    let standardOffsetSeconds: Int64

    /// The zones sites are given, in order (site 1 gets the first).
    static let catalog: [SiteTimeZone] = [
        SiteTimeZone(identifier: "Europe/Berlin", standardOffsetSeconds: 3600),
        SiteTimeZone(identifier: "Europe/Amsterdam", standardOffsetSeconds: 3600),
        SiteTimeZone(identifier: "Europe/Paris", standardOffsetSeconds: 3600),
        SiteTimeZone(identifier: "Europe/London", standardOffsetSeconds: 0),
        SiteTimeZone(identifier: "Europe/Vienna", standardOffsetSeconds: 3600),
        SiteTimeZone(identifier: "Europe/Madrid", standardOffsetSeconds: 3600),
        SiteTimeZone(identifier: "Europe/Warsaw", standardOffsetSeconds: 3600),
        SiteTimeZone(identifier: "Europe/Helsinki", standardOffsetSeconds: 7200),
        SiteTimeZone(identifier: "Europe/Lisbon", standardOffsetSeconds: 0),
        SiteTimeZone(identifier: "Europe/Stockholm", standardOffsetSeconds: 3600),
    ]

    /// The offset from UTC in effect at `milliseconds` (since the Unix epoch).
    func offsetSeconds(at milliseconds: Int64) -> Int64 {
        let seconds = Self.floorDivide(milliseconds, 1000)
        let year = Self.year(ofDay: Self.floorDivide(seconds, 86_400))
        let summerStart = Self.lastSunday(year: year, month: 3) * 86_400 + 3600
        let summerEnd = Self.lastSunday(year: year, month: 10) * 86_400 + 3600
        return standardOffsetSeconds + (seconds >= summerStart && seconds < summerEnd ? 3600 : 0)
    }

    /// The local hour of day (0...23) at `milliseconds`.
    func localHour(at milliseconds: Int64) -> Int {
        let local = Self.floorDivide(milliseconds, 1000) + offsetSeconds(at: milliseconds)
        return Int(Self.floorDivide(local, 3600) % 24 + 24) % 24
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of the last Sunday of `month` in `year` (for March and October, 31-day months).
    static func lastSunday(year: Int64, month: Int64) -> Int64 {
        let last = daysFromCivil(year: year, month: month, day: 31)
        let weekday = (last % 7 + 7 + 4) % 7  // 0 = Sunday; 1970-01-01 was a Thursday
        return last - weekday
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12  // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The Gregorian year of a day counted from 1970-01-01.
    static func year(ofDay day: Int64) -> Int64 {
        let shifted = day + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        return yearOfEra + era * 400 + (shiftedMonth >= 10 ? 1 : 0)
    }
}
