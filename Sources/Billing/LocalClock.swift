import Foundation

/// The site's local wall clock, computed from instants (ms UTC) with the time zone's offset at each instant.
///
/// Within a span of constant UTC offset, local time runs linearly with UTC; a DST transition starts a new span.
/// So a wall-clock boundary (16:00) is found once per span in which it exists: twice in the repeated autumn
/// hour, never in the skipped spring hour.
struct LocalClock {
    static let dayMs: Int64 = 86_400_000
    let timeZone: TimeZone

    /// The UTC offset in ms at `instant`.
    func offsetMs(at instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Self.date(instant))) * 1_000
    }

    /// Local days since 1970-01-01 and ms since local midnight at `instant`.
    func local(at instant: Int64) -> (day: Int64, msOfDay: Int64) {
        let local = instant + offsetMs(at: instant)
        let day = Self.floorDiv(local, Self.dayMs)
        return (day, local - day * Self.dayMs)
    }

    /// The instants in `(from, to)` where the offset changes.
    func transitions(from: Int64, to: Int64) -> [Int64] {
        var result: [Int64] = []
        var cursor = from
        while let next = timeZone.nextDaylightSavingTimeTransition(after: Self.date(cursor)) {
            let ms = Int64((next.timeIntervalSince1970 * 1_000).rounded())
            guard ms < to else { break }
            if ms > cursor { result.append(ms) }
            cursor = max(ms, cursor + 1)
        }
        return result
    }

    /// The instants in `(from, to)` at which the local wall clock shows one of `minutesOfDay`, plus the offset
    /// changes (where a wall-clock restriction may also switch).
    func boundaries(from: Int64, to: Int64, minutesOfDay: Set<Int>) -> [Int64] {
        guard from < to else { return [] }
        let changes = transitions(from: from, to: to)
        var result = Set(changes)
        let spanStarts = [from] + changes
        let spanEnds = changes + [to]
        for (start, end) in zip(spanStarts, spanEnds) where start < end {
            let offset = offsetMs(at: start)
            let firstDay = Self.floorDiv(start + offset, Self.dayMs)
            let lastDay = Self.floorDiv(end - 1 + offset, Self.dayMs)
            for day in firstDay...lastDay {
                for minute in minutesOfDay {
                    let instant = day * Self.dayMs + Int64(minute) * 60_000 - offset
                    if instant >= start, instant < end, instant > from { result.insert(instant) }
                }
            }
        }
        return result.sorted()
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1_000) }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day of week of a day number (1970-01-01 was a Thursday).
    static func dayOfWeek(_ day: Int64) -> DayOfWeek {
        let index = Int(((day % 7) + 7 + 3) % 7)  // 0 = Monday
        return DayOfWeek.allCases[index]
    }
}
