import Telemetry

/// One hour of event time (UTC): the unit chunk files are sealed, queried and expired by.
///
/// Its files live under `chunks/YYYY-MM-DD/HH.GENERATION.chunk`: names come from the hour and a counter only, never
/// from identifiers received over the network.
public struct Partition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let duration: Int64 = 3_600_000

    /// Hours since the Unix epoch (negative before 1970).
    public let index: Int64

    public init(index: Int64) { self.index = index }

    /// The partition holding `timestamp` (ms since the epoch).
    public init(containing timestamp: Int64) {
        let (quotient, remainder) = timestamp.quotientAndRemainder(dividingBy: Self.duration)
        index = remainder < 0 ? quotient - 1 : quotient
    }

    public var start: Int64 { index &* Self.duration }
    public var end: Int64 { start &+ Self.duration }

    public static func < (lhs: Partition, rhs: Partition) -> Bool { lhs.index < rhs.index }

    /// `2026-11-21` (UTC).
    public var dayName: String { String(Timestamp.format(start).prefix(10)) }

    /// `14`: the hour of the day.
    public var hourName: String {
        let text = Timestamp.format(start)
        return String(text.dropFirst(11).prefix(2))
    }

    public var description: String { "\(dayName)T\(hourName)" }

    /// Inverse of `dayName` + `hourName`, for directory scans; nil for anything else.
    static func parse(day: String, hour: String) -> Partition? {
        guard day.count == 10, hour.count == 2, day.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) }),
              hour.utf8.allSatisfy({ (48...57).contains($0) }),
              let start = try? Timestamp.parse("\(day)T\(hour):00:00Z")
        else { return nil }
        let partition = Partition(containing: start)
        return partition.dayName == day && partition.hourName == hour ? partition : nil
    }
}
