import Foundation

/// The Gregorian calendar of one time zone: local days, months, hours and weekdays of instants, and the real
/// span of each (a spring-forward day is 23 hours long, an autumn one 25).
public struct LocalCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The local calendar unit a report groups by.
    public enum Unit: Sendable {
        case day, month, hour
    }

    /// `[start, end)` in ms UTC of the local day, month or hour holding `instant`.
    public func span(_ unit: Unit, containing instant: Int64) -> Range<Int64> {
        let component: Calendar.Component = switch unit {
        case .day: .day
        case .month: .month
        case .hour: .hour
        }
        guard let interval = calendar.dateInterval(of: component, for: Self.date(instant)) else {
            return instant..<(instant + 1)
        }
        return Self.milliseconds(interval.start)..<Self.milliseconds(interval.end)
    }

    /// `2026-03-29` (day) or `2026-03` (month) of the instant, local.
    public func label(_ unit: Unit, of instant: Int64) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: Self.date(instant))
        let year = String(parts.year ?? 0)
        let month = Self.two(parts.month ?? 0)
        switch unit {
        case .month: return "\(year)-\(month)"
        case .day: return "\(year)-\(month)-\(Self.two(parts.day ?? 0))"
        case .hour: return "\(year)-\(month)-\(Self.two(parts.day ?? 0))T\(Self.two(parts.hour ?? 0))"
        }
    }

    /// The local hour of day, 0…23.
    public func hour(of instant: Int64) -> Int {
        calendar.component(.hour, from: Self.date(instant))
    }

    /// The local weekday, 0 = Monday … 6 = Sunday (ISO order).
    public func weekday(of instant: Int64) -> Int {
        (calendar.component(.weekday, from: Self.date(instant)) + 5) % 7
    }

    /// The spans of `unit` that `range` touches, each clipped to `range`, in order.
    public func pieces(_ unit: Unit, of range: Range<Int64>) -> [Range<Int64>] {
        var pieces: [Range<Int64>] = []
        var start = range.lowerBound
        while start < range.upperBound {
            let span = self.span(unit, containing: start)
            let end = min(max(span.upperBound, start + 1), range.upperBound)
            pieces.append(start..<end)
            start = end
        }
        return pieces
    }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
