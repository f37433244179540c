import Foundation

/// What `wattline usage --by` groups by: the local hour of day or the local weekday.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case hour, weekday

    /// The grouping named `text`; ``ReportError/unknownGrouping(_:expected:)`` otherwise.
    public static func named(_ text: String) throws(ReportError) -> UsageGrouping {
        guard let grouping = UsageGrouping(rawValue: text) else {
            throw .unknownGrouping(text, expected: allCases.map(\.rawValue))
        }
        return grouping
    }

    /// `00`…`23`, or `Monday`…`Sunday`.
    public func label(_ index: Int) -> String {
        switch self {
        case .hour: index < 10 ? "0\(index)" : String(index)
        case .weekday: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][index]
        }
    }

    var buckets: Int { self == .hour ? 24 : 7 }
}

/// One hour of day or weekday: sessions started in it, their energy, and how occupied the EVSEs were.
public struct UsageRow: Sendable, Equatable {
    public var key: String
    public var sessions = 0
    public var energyWh: Double = 0
    /// Plugged-in EVSE time falling in this hour of day / weekday (start to unplug), seconds.
    public var occupiedSeconds: Double = 0
    /// EVSE time available in this hour of day / weekday over the period, seconds (real time: the skipped spring
    /// hour adds nothing, the repeated autumn hour twice).
    public var capacitySeconds: Double = 0

    public init(key: String) {
        self.key = key
    }

    /// Occupied over available time, 0…1; nil when the period holds none of this hour.
    public var occupancy: Double? { capacitySeconds > 0 ? occupiedSeconds / capacitySeconds : nil }
}

/// `wattline usage`: when the chargers are busy, by local hour of day or weekday.
public struct UsageReport: Sendable {
    public var grouping: UsageGrouping
    public var period: Range<Int64>
    /// 24 rows (`00`…`23`) or 7 (`Monday`…`Sunday`), in that order.
    public var rows: [UsageRow]

    /// Sessions starting in `period` (of `scope`'s site, when set), each counted in its site's local calendar.
    public init(sessions: [ReportSession], scope: ReportScope, grouping: UsageGrouping, period: Range<Int64>) {
        self.grouping = grouping
        self.period = period
        var rows = (0..<grouping.buckets).map { UsageRow(key: grouping.label($0)) }
        func bucket(_ calendar: LocalCalendar, _ instant: Int64) -> Int {
            grouping == .hour ? calendar.hour(of: instant) : calendar.weekday(of: instant)
        }
        for session in sessions where period.contains(session.startedAt) && (scope.site == nil || session.site == scope.site) {
            let calendar = LocalCalendar(scope.timeZone(ofSite: session.site))
            let index = bucket(calendar, session.startedAt)
            rows[index].sessions += 1
            rows[index].energyWh += session.energyWh
            let occupied = session.startedAt..<max(session.startedAt, min(session.occupiedUntil, period.upperBound))
            for piece in calendar.pieces(.hour, of: occupied) {
                rows[bucket(calendar, piece.lowerBound)].occupiedSeconds += Double(piece.upperBound - piece.lowerBound) / 1000
            }
        }
        for site in Set(scope.evses.values) {
            let calendar = LocalCalendar(scope.timeZone(ofSite: site))
            let count = Double(scope.evses.values.filter { $0 == site }.count)
            for piece in calendar.pieces(.hour, of: period) {
                rows[bucket(calendar, piece.lowerBound)].capacitySeconds += count * Double(piece.upperBound - piece.lowerBound) / 1000
            }
        }
        self.rows = rows
    }
}
