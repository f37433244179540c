import Processing

/// Reads what the reports need from the results database (read-only, through ``ResultQueries``).
public enum ReportSource {
    /// Sessions starting in `[from, to)` (either open-ended), of one site when given, oldest first.
    public static func sessions(_ results: ResultQueries, site: String? = nil, from: Int64? = nil,
                                to: Int64? = nil) throws(ReportError) -> [ReportSession] {
        let rows: [SessionRow]
        do {
            rows = try results.sessions(SessionFilter(site: site, from: from, to: to, order: .oldestFirst))
        } catch {
            throw .from(error)
        }
        var sessions: [ReportSession] = []
        sessions.reserveCapacity(rows.count)
        for row in rows { sessions.append(try ReportSession(row)) }
        return sessions
    }

    /// Anomalies that started before `to` (all when nil): those still running into a period count too.
    public static func anomalies(_ results: ResultQueries, site: String? = nil, to: Int64? = nil) throws(ReportError) -> [ReportAnomaly] {
        let rows: [AnomalyRow]
        do {
            rows = try results.anomalies(AnomalyFilter(site: site, to: to, order: .oldestFirst))
        } catch {
            throw .from(error)
        }
        var anomalies: [ReportAnomaly] = []
        for row in rows { anomalies.append(try ReportAnomaly(row)) }
        return anomalies
    }

    /// `[from, to)`: the bounds given, the missing ones from the sessions (earliest start, latest unplug). Nil when
    /// a bound is missing and there are no sessions to take it from.
    public static func period(from: Int64?, to: Int64?, sessions: [ReportSession]) throws(ReportError) -> Range<Int64>? {
        guard let start = from ?? sessions.map(\.startedAt).min(),
              let end = to ?? sessions.map(\.occupiedUntil).max().map({ max($0, start + 1) })
        else { return nil }
        guard start < end else { throw .emptyPeriod(from: start, to: end) }
        return start..<end
    }
}
