import Processing
import Telemetry

/// An anomaly as the charger report reads it: its kind, where, and its lifecycle in ms UTC.
public struct ReportAnomaly: Sendable, Equatable {
    public var id: String
    /// The rule (`fault`, `telemetry_gap`, ...).
    public var kind: String
    public var charger: String?
    /// Nil for charger-wide anomalies (`telemetry_gap`) and faults on the whole charger.
    public var evse: Int?
    public var startedAt: Int64
    /// Nil while open.
    public var resolvedAt: Int64?

    public init(id: String, kind: String, charger: String?, evse: Int?, startedAt: Int64, resolvedAt: Int64?) {
        self.id = id
        self.kind = kind
        self.charger = charger
        self.evse = evse
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
    }

    /// Reads an `anomalies` row.
    public init(_ row: AnomalyRow) throws(ReportError) {
        func time(_ text: String, _ column: String) throws(ReportError) -> Int64 {
            do { return try Timestamp.parse(text) } catch {
                throw .malformedTime(table: "anomalies", id: row.id, column: column, text: text)
            }
        }
        let started = try time(row.startedAt, "started_at")
        var resolved: Int64?
        if let text = row.resolvedAt { resolved = try time(text, "resolved_at") }
        // EVSE 0 is the charger itself (OCPP connector 0): a fault there stops every EVSE.
        let evse = row.evse.flatMap { $0 == 0 ? nil : $0 }
        self.init(id: row.id, kind: row.kind, charger: row.charger, evse: evse, startedAt: started, resolvedAt: resolved)
    }
}
