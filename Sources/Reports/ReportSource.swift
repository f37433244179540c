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

    /// `[from, to)`: the bounds given; a missing one from the sessions, widened to whole local days — the start of
    /// the earliest session's day, the end of the day of the latest unplug, each in its site's calendar — so days
    /// are not cut short. Nil when a bound is missing and there are no sessions to take it from.
    public static func period(from: Int64?, to: Int64?, sessions: [ReportSession],
                              scope: ReportScope) throws(ReportError) -> Range<Int64>? {
        func day(_ session: ReportSession, _ instant: Int64) -> Range<Int64> {
            LocalCalendar(scope.timeZone(ofSite: session.site)).span(.day, containing: instant)
        }
        guard let start = from ?? sessions.map({ day($0, $0.startedAt).lowerBound }).min(),
              let end = to ?? sessions.map({ day($0, max($0.startedAt, $0.occupiedUntil - 1)).upperBound }).max()
        else { return nil }
        guard start < end else { throw .emptyPeriod(from: start, to: end) }
        return start..<end
    }
}
