import Foundation
import Ingest
import Reports
import SQLite
import Telemetry

/// What a replay prints when it ends, always (terminal or not): messages, rejections by reason, sessions,
/// anomalies, revenue and time taken.
struct ReplaySummary {
    /// Messages in the fixtures: known once the feed reached the end (they are counted as they are read).
    var total: Int?
    /// Messages fed by this run, and those an interrupted earlier run had fed (a resume).
    var fed = 0
    var resumedAt = 0
    var interrupted = false
    /// Lines printed after the first (messages fed out of receive order, the fixtures of an earlier replay).
    var notes: [String] = []
    /// How many recorded ticks were written, when the fixtures record their ticks (nil: ticks were synthesized).
    var ticks: String?
    var accepted = 0
    var decoded = 0
    var readingsStored = 0
    var duplicates = 0
    var rejectedByReason: [String: Int] = [:]
    /// From the results database (all of it, not only this run's).
    var sessions: Int64?
    var anomalies: Int64?
    /// Sum of `sessions.cost_total` per currency, exact decimal text; empty when no session is priced.
    var revenue: [(currency: String, amount: String)] = []
    var alerts: String?
    var seconds = 0.0

    /// The lines printed to standard error, each after `wattline replay: `.
    var lines: [String] {
        let rejected = rejectedByReason.values.reduce(0, +)
        var lines = ["replayed \(fed) messages in \(String(format: "%.1f", seconds)) s: accepted \(accepted), "
            + "decoded \(decoded), rejected \(rejected), readings stored \(readingsStored), duplicates \(duplicates)"]
        if let ticks { lines.append(ticks) }
        lines += notes
        let ofTotal = total.map { " of \($0)" } ?? ""
        if resumedAt > 0 { lines.append("resumed: the first \(resumedAt)\(ofTotal) messages were fed by an earlier run") }
        if interrupted {
            lines.append("interrupted after \(resumedAt + fed)\(ofTotal) messages; run the same command again to resume")
        }
        let reasons = rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("rejected by reason: " + (reasons.isEmpty ? "none" : reasons.joined(separator: ", ")))
        if let sessions, let anomalies { lines.append("sessions \(sessions), anomalies \(anomalies)") }
        lines.append("revenue: " + (revenue.isEmpty ? "none" : revenue.map { "\($0.amount) \($0.currency)" }.joined(separator: ", ")))
        if let alerts { lines.append(alerts) }
        let rate = seconds > 0 ? Int((Double(fed) / seconds).rounded()) : 0
        lines.append("time taken \(String(format: "%.1f", seconds)) s (\(ReplayProgress.grouped(rate)) msg/s)")
        return lines
    }

    /// Takes this run's counters and reads the totals from `DATA/wattline.db` (absent: no session figures).
    mutating func gather(counters: IngestCounters, databasePath: String) {
        accepted = counters.accepted.current
        decoded = counters.decoded.current
        readingsStored = counters.readingsStored.current
        duplicates = counters.readingsDuplicate.current
        rejectedByReason = Dictionary(uniqueKeysWithValues: counters.rejectedByReason.withLock { $0 }.map { ($0.key.rawValue, $0.value) })
        guard FileManager.default.fileExists(atPath: databasePath), let database = try? Database(path: databasePath) else { return }
        defer { database.close() }
        func count(_ table: String) -> Int64 {
            guard case .integer(let n)? = (try? database.scalar("SELECT count(*) FROM \(table)")) ?? nil else { return 0 }
            return n
        }
        sessions = count("sessions")
        anomalies = count("anomalies")
        revenue = Self.revenue(database)
    }

    /// `cost_total` summed exactly per currency; none when the column is missing (schema 1) or every value NULL.
    static func revenue(_ database: Database) -> [(currency: String, amount: String)] {
        guard let statement = try? database.prepare(
            "SELECT currency, cost_total FROM sessions WHERE cost_total IS NOT NULL AND currency IS NOT NULL")
        else { return [] }
        var sums: [String: Decimal] = [:]
        while (try? statement.step()) == true {
            guard let amount = AmountText.parse(statement.text(at: 1)) else { continue }
            sums[statement.text(at: 0), default: 0] += amount
        }
        return sums.sorted { $0.key < $1.key }.map { (currency: $0.key, amount: "\($0.value)") }
    }
}
