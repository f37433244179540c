/// The one way a pipeline writes a duration: a whole number and a unit, `250ms`, `30s`, `5m`, `1h`, `1d`, `400d`,
/// optionally several from the largest unit down (`1h30m`).
///
/// Every duration key (`broker.session_expiry`, `offline_after`, and the sections later stages own) goes through
/// this parser so they all accept the same spellings. A bare number is refused: `30` could mean seconds or
/// minutes, and the reader should not have to guess.
public enum DurationText {
    /// A unit and its length in milliseconds, largest first.
    private static let units: [(name: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// What a message shows as the accepted spellings.
    public static let expectation = "a duration such as 30s, 5m, 1h or 1d"

    /// Parses `text`, or returns nil when it is not a duration written as above.
    public static func parse(_ text: String) -> Duration? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var total: Int64 = 0
        var lastUnit = -1
        while index < bytes.count {
            // The number.
            var number: Int64 = 0
            let numberStart = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times10, o1) = number.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if o1 || o2 { return nil }
                number = next
                index += 1
            }
            guard index > numberStart else { return nil }
            // The unit: the longest name that matches here ("ms" before "m").
            let unitStart = index
            while index < bytes.count, (bytes[index] >= 0x61 && bytes[index] <= 0x7A) {
                index += 1
            }
            let unitName = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let unit = units.firstIndex(where: { $0.name == unitName }) else { return nil }
            // Largest unit first, each at most once.
            guard unit > lastUnit else { return nil }
            lastUnit = unit
            let (part, o1) = number.multipliedReportingOverflow(by: units[unit].milliseconds)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { return nil }
            total = sum
        }
        return .milliseconds(total)
    }

    /// Writes a duration the way `parse` reads it, with the fewest parts: `1d`, `1h30m`, `250ms`, `0s`.
    public static func format(_ duration: Duration) -> String {
        var remaining = milliseconds(duration)
        guard remaining > 0 else { return remaining == 0 ? "0s" : "-" + format(.milliseconds(-remaining)) }
        var text = ""
        for unit in units where remaining >= unit.milliseconds {
            text += "\(remaining / unit.milliseconds)\(unit.name)"
            remaining %= unit.milliseconds
        }
        return text
    }

    /// Whole milliseconds in `duration` (sub-millisecond parts are dropped).
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
