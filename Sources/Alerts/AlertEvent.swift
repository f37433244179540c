import Anomalies
import Foundation
import Sessions
import Telemetry

/// What a hook receives: one anomaly transition or session event, with a stable id.
///
/// The id is derived from the data alone (the anomaly's or session's id, the transition and its event time), so a
/// replay or a restart that produces the event again gives it the same id, and a receiver can drop repeats.
/// docs/alert-hooks.md is the contract.
public struct AlertEvent: Sendable, Equatable, Codable {
    public var id: String
    /// `anomaly.opened`, `anomaly.updated`, `anomaly.resolved`, `session.started`, `session.ended`, ...
    public var type: String
    /// The anomaly's rule name (`meter_regression`, ...); for session events the event's name (`ended`, ...).
    public var kind: String
    /// `info`, `warning` or `critical`; session events are `info`.
    public var severity: AnomalySeverity
    public var site: String?
    public var charger: String?
    public var evse: Int?
    public var connector: Int?
    public var sessionId: String?
    /// Event time of the transition (ms UTC).
    public var at: Int64
    public var value: Double?
    public var threshold: Double?
    public var unit: String?
    public var message: String
    /// Anomalies: the OCPP error code of a fault, and when the condition began and cleared.
    public var detail: String?
    public var startedAt: Int64?
    public var resolvedAt: Int64?
    public var count: Int?
    /// Session events: the session's figures.
    public var session: SessionFiguresPayload?

    public init(id: String, type: String, kind: String, severity: AnomalySeverity, site: String?, charger: String?,
                evse: Int? = nil, connector: Int? = nil, sessionId: String? = nil, at: Int64, value: Double? = nil,
                threshold: Double? = nil, unit: String? = nil, message: String, detail: String? = nil,
                startedAt: Int64? = nil, resolvedAt: Int64? = nil, count: Int? = nil,
                session: SessionFiguresPayload? = nil) {
        self.id = id
        self.type = type
        self.kind = kind
        self.severity = severity
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.sessionId = sessionId
        self.at = at
        self.value = value
        self.threshold = threshold
        self.unit = unit
        self.message = message
        self.detail = detail
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
        self.count = count
        self.session = session
    }

    /// Whether several `anomaly.updated` events of one anomaly may be merged while they wait: the anomaly's id.
    public var coalesceKey: String? { type == "anomaly.updated" ? String(id.prefix { $0 != ":" }) : nil }

    // MARK: From the processors

    /// An anomaly transition as an event: id `<anomaly id>:opened|resolved`, or `<anomaly id>:updated:<time>`.
    public init(_ transition: AnomalyTransition) {
        let a = transition.anomaly
        let type = "anomaly." + transition.kind.rawValue
        let id = transition.kind == .updated ? "\(a.id):updated:\(transition.at)" : "\(a.id):\(transition.kind.rawValue)"
        self.init(id: id, type: type, kind: a.kind.rawValue, severity: a.severity, site: a.site, charger: a.charger,
                  evse: a.evse, connector: a.connector, sessionId: a.sessionId, at: transition.at, value: a.value,
                  threshold: a.threshold, unit: a.kind.unit, message: a.message, detail: a.detail,
                  startedAt: a.startedAt, resolvedAt: a.resolvedAt, count: a.count)
    }

    /// A session event as an alert: id `<session id>:<type>:<event time>`. `record` (the session as last known)
    /// adds its figures: times, energy, durations, end reason.
    public init(_ event: SessionEvent, record: SessionRecord?) {
        let name = String(event.kind.rawValue.dropFirst("session.".count))
        var figures = SessionFiguresPayload(event.figures)
        if let record { figures.add(record) }
        let place = "\(event.site)/\(event.charger) EVSE \(event.evse)"
        var message = "session \(event.sessionId) on \(place): \(name.replacingOccurrences(of: "_", with: " "))"
        if let energy = figures.energyWh { message += String(format: ", %.3f kWh", energy / 1000) }
        if let reason = figures.reason { message += " (\(reason))" }
        // near_complete: the value is what reached the threshold (time to full in s, or the SoC rule's %).
        var value = figures.energyWh, unit: String? = figures.energyWh == nil ? nil : "Wh", threshold: Double?
        if event.kind == .nearComplete {
            if let eta = event.figures.timeToFullS {
                (value, unit) = (eta, "s")
                message += String(format: ", full in about %.0f min", (eta / 60).rounded(.up))
            } else {
                (value, unit) = (event.figures.soc, "%")
            }
            threshold = event.figures.threshold
        }
        self.init(id: "\(event.sessionId):\(event.kind.rawValue):\(event.at)", type: event.kind.rawValue, kind: name,
                  severity: .info, site: event.site, charger: event.charger, evse: event.evse,
                  connector: record?.connector, sessionId: event.sessionId, at: event.at, value: value,
                  threshold: threshold, unit: unit, message: message, session: figures)
    }

    /// The type of the event a session's cost produces once it reaches `processors.sessions.cost_threshold`; its id
    /// is `<session id>:<this>` (`costThresholdId(session:)`).
    public static let costThresholdType = "session.cost_threshold"

    /// The id of session `session`'s `session.cost_threshold` event.
    public static func costThresholdId(session: String) -> String { "\(session):\(costThresholdType)" }

    /// The session a `session.cost_threshold` event id names; nil for any other event's id.
    public static func costThresholdSession(eventId: String) -> String? {
        let suffix = ":" + costThresholdType
        return eventId.hasSuffix(suffix) ? String(eventId.dropLast(suffix.count)) : nil
    }

    /// `session.cost_threshold`: the session's cost (`total`, incl. VAT, exact text) reached `threshold`. Once per
    /// session: id `<session id>:session.cost_threshold`; `at` is when it was priced (its charger's event clock).
    public init(costThreshold threshold: String, total: String, currency: String, tariffId: String,
                record: SessionRecord, at: Int64) {
        var figures = SessionFiguresPayload(SessionFigures())
        figures.add(record)
        figures.costTotal = total
        figures.currency = currency
        figures.tariffId = tariffId
        figures.costThreshold = threshold
        let message = "session \(record.id) on \(record.site)/\(record.charger) EVSE \(record.evse): cost \(total) "
            + "\(currency) reached the threshold of \(threshold) \(currency)"
        self.init(id: Self.costThresholdId(session: record.id), type: Self.costThresholdType, kind: "cost_threshold",
                  severity: .info, site: record.site, charger: record.charger, evse: record.evse,
                  connector: record.connector, sessionId: record.id, at: at, message: message, session: figures)
    }

    // MARK: JSON

    enum CodingKeys: String, CodingKey {
        case id, type, kind, severity, site, charger, evse, connector, sessionId = "session_id", at, value, threshold,
             unit, message, detail, startedAt = "started_at", resolvedAt = "resolved_at", count, session
    }

    /// Every key is written (null when unknown), times as ISO-8601 UTC text, so receivers see one shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(kind, forKey: .kind)
        try c.encode(severity, forKey: .severity)
        try c.encode(site, forKey: .site)
        try c.encode(charger, forKey: .charger)
        try c.encode(evse, forKey: .evse)
        try c.encode(connector, forKey: .connector)
        try c.encode(sessionId, forKey: .sessionId)
        try c.encode(Timestamp.format(at), forKey: .at)
        try c.encode(value.flatMap { $0.isFinite ? $0 : nil }, forKey: .value)
        try c.encode(threshold.flatMap { $0.isFinite ? $0 : nil }, forKey: .threshold)
        try c.encode(unit, forKey: .unit)
        try c.encode(message, forKey: .message)
        try c.encode(detail, forKey: .detail)
        try c.encode(startedAt.map(Timestamp.format), forKey: .startedAt)
        try c.encode(resolvedAt.map(Timestamp.format), forKey: .resolvedAt)
        try c.encode(count, forKey: .count)
        try c.encode(session, forKey: .session)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func time(_ key: CodingKeys) throws -> Int64? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            do {
                return try Timestamp.parse(text)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not an ISO-8601 time")
            }
        }
        self.init(
            id: try c.decode(String.self, forKey: .id), type: try c.decode(String.self, forKey: .type),
            kind: try c.decode(String.self, forKey: .kind), severity: try c.decode(AnomalySeverity.self, forKey: .severity),
            site: try c.decodeIfPresent(String.self, forKey: .site), charger: try c.decodeIfPresent(String.self, forKey: .charger),
            evse: try c.decodeIfPresent(Int.self, forKey: .evse), connector: try c.decodeIfPresent(Int.self, forKey: .connector),
            sessionId: try c.decodeIfPresent(String.self, forKey: .sessionId), at: try time(.at) ?? 0,
            value: try c.decodeIfPresent(Double.self, forKey: .value),
            threshold: try c.decodeIfPresent(Double.self, forKey: .threshold),
            unit: try c.decodeIfPresent(String.self, forKey: .unit), message: try c.decode(String.self, forKey: .message),
            detail: try c.decodeIfPresent(String.self, forKey: .detail), startedAt: try time(.startedAt),
            resolvedAt: try time(.resolvedAt), count: try c.decodeIfPresent(Int.self, forKey: .count),
            session: try c.decodeIfPresent(SessionFiguresPayload.self, forKey: .session))
    }

    /// The event as one line of JSON (sorted keys, no newline inside).
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and nulls cannot fail.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}

/// A session's figures in a session event: what is known when the event happens.
public struct SessionFiguresPayload: Sendable, Equatable, Codable {
    public var energyWh: Double?
    public var powerW: Double?
    public var soc: Double?
    /// `near_complete`: the estimated seconds to 100 % SoC (null when the SoC rule raised it, and in other events).
    public var timeToFullS: Double?
    public var startedAt: String?
    public var chargingEndedAt: String?
    public var endedAt: String?
    public var chargingS: Double?
    public var idleS: Double?
    public var reason: String?
    public var transactionId: String?
    /// `session.cost_threshold`: the cost incl. VAT, its currency and tariff, and the threshold it reached, as
    /// exact decimal text (money is never a binary floating-point number).
    public var costTotal: String?
    public var currency: String?
    public var tariffId: String?
    public var costThreshold: String?

    enum CodingKeys: String, CodingKey {
        case energyWh = "energy_wh", powerW = "power_w", soc, timeToFullS = "time_to_full_s", startedAt = "started_at",
             chargingEndedAt = "charging_ended_at", endedAt = "ended_at", chargingS = "charging_s", idleS = "idle_s",
             reason, transactionId = "transaction_id", costTotal = "cost_total", currency, tariffId = "tariff_id",
             costThreshold = "cost_threshold"
    }

    public init(_ figures: SessionFigures) {
        energyWh = figures.energyWh
        powerW = figures.powerW
        soc = figures.soc
        timeToFullS = figures.timeToFullS
        chargingEndedAt = figures.chargingEndedAt.map(Timestamp.format)
        reason = figures.reason
    }

    /// Fills what the event did not carry from the session record.
    mutating func add(_ record: SessionRecord) {
        energyWh = energyWh ?? record.energyWh
        soc = soc ?? record.socEnd
        startedAt = Timestamp.format(record.startedAt)
        chargingEndedAt = chargingEndedAt ?? record.chargingEndedAt.map(Timestamp.format)
        endedAt = record.endedAt.map(Timestamp.format)
        chargingS = Double(record.chargingMs) / 1000
        idleS = Double(record.idleMs) / 1000
        reason = reason ?? record.endReason?.rawValue
        transactionId = record.transactionId
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(energyWh.flatMap { $0.isFinite ? $0 : nil }, forKey: .energyWh)
        try c.encode(powerW.flatMap { $0.isFinite ? $0 : nil }, forKey: .powerW)
        try c.encode(soc.flatMap { $0.isFinite ? $0 : nil }, forKey: .soc)
        try c.encode(timeToFullS.flatMap { $0.isFinite ? $0 : nil }, forKey: .timeToFullS)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(chargingEndedAt, forKey: .chargingEndedAt)
        try c.encode(endedAt, forKey: .endedAt)
        try c.encode(chargingS, forKey: .chargingS)
        try c.encode(idleS, forKey: .idleS)
        try c.encode(reason, forKey: .reason)
        try c.encode(transactionId, forKey: .transactionId)
        try c.encode(costTotal, forKey: .costTotal)
        try c.encode(currency, forKey: .currency)
        try c.encode(tariffId, forKey: .tariffId)
        try c.encode(costThreshold, forKey: .costThreshold)
    }
}
