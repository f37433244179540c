/// What an anomaly is about. The raw value is the name used in pipeline files, the `anomalies` table and messages.
public enum AnomalyKind: String, Sendable, Codable, CaseIterable, Hashable {
    case meterRegression = "meter_regression"
    case meterStuck = "meter_stuck"
    case energyMismatch = "energy_mismatch"
    case overpower
    case voltageOutOfRange = "voltage_out_of_range"
    case phaseImbalance = "phase_imbalance"
    case telemetryGap = "telemetry_gap"
    case chargingStalled = "charging_stalled"
    case fault
    case bayBlocked = "bay_blocked"
    case powerSpike = "power_spike"
    case socJump = "soc_jump"
    case clockSkew = "clock_skew"
    case siteOverload = "site_overload"
    case brokerDrops = "broker_drops"

    /// What an anomaly of this kind is deduplicated on.
    public var scope: AnomalyScope {
        switch self {
        case .telemetryGap, .clockSkew: .charger
        case .phaseImbalance, .siteOverload: .site
        case .brokerDrops: .broker
        default: .evse
        }
    }

    /// Rules judged on elapsed time rather than on observations (`telemetry_gap`, `bay_blocked`): their anomalies
    /// count one observation, however often the clock was looked at (a tick a second live, fewer in a replay).
    public var judgedOnTime: Bool { self == .telemetryGap || self == .bayBlocked }

    /// The unit of `value` and `threshold`.
    public var unit: String {
        switch self {
        case .meterRegression, .meterStuck, .energyMismatch: "Wh"
        case .overpower, .powerSpike, .siteOverload: "W"
        case .voltageOutOfRange: "V"
        case .phaseImbalance: "VA"
        case .telemetryGap, .clockSkew: "s"
        case .chargingStalled: "W"
        case .fault: ""
        case .bayBlocked: "min"
        case .socJump: "%"
        case .brokerDrops: "messages"
        }
    }
}

/// The identity an anomaly is deduplicated on: (charger, EVSE, kind), (charger, kind), (site, kind) or global.
public enum AnomalyScope: String, Sendable, Codable {
    case evse, charger, site, broker
}

public enum AnomalySeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, critical

    public static func < (a: AnomalySeverity, b: AnomalySeverity) -> Bool { a.rank < b.rank }
    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }
}

/// One anomaly: a row of the `anomalies` table.
public struct Anomaly: Sendable, Codable, Equatable {
    /// FNV-1a 64 over kind, site, charger, EVSE, connector and `startedAt` (16 hex digits): stable across replays.
    public var id: String
    public var kind: AnomalyKind
    public var severity: AnomalySeverity
    /// Nil only for `broker_drops`.
    public var site: String?
    /// Nil for site and broker anomalies.
    public var charger: String?
    /// Nil for charger, site and broker anomalies.
    public var evse: Int?
    public var connector: Int?
    /// The session open on the EVSE when the anomaly opened (for `bay_blocked`: the session whose charging ended).
    public var sessionId: String?
    /// When the condition began (event time; receive time for `telemetry_gap`, `clock_skew`, `broker_drops`).
    public var startedAt: Int64
    /// When the condition cleared (the first clear observation of a clear stretch of at least `clear_after`).
    public var resolvedAt: Int64?
    /// The worst value seen (see `AnomalyKind.unit`): the largest drop, power, deviation, gap ...
    public var value: Double
    /// The latest value seen.
    public var lastValue: Double
    /// The limit `value` is compared with (for the worst value).
    public var threshold: Double
    /// Observations in violation so far.
    public var count: Int
    /// Time of the latest transition.
    public var updatedAt: Int64
    /// Extra detail: the OCPP error code (and vendor code) of a fault.
    public var detail: String?
    /// Human text. Never contains an id tag (nothing here ever sees one).
    public var message: String

    public init(id: String, kind: AnomalyKind, severity: AnomalySeverity, site: String?, charger: String?,
                evse: Int?, connector: Int?, sessionId: String?, startedAt: Int64, resolvedAt: Int64?,
                value: Double, lastValue: Double, threshold: Double, count: Int, updatedAt: Int64,
                detail: String?, message: String) {
        self.id = id
        self.kind = kind
        self.severity = severity
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.sessionId = sessionId
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
        self.value = value
        self.lastValue = lastValue
        self.threshold = threshold
        self.count = count
        self.updatedAt = updatedAt
        self.detail = detail
        self.message = message
    }

    /// The stable id: FNV-1a 64 over `kind ␟ site ␟ charger ␟ evse ␟ connector ␟ startedAt` (absent parts empty).
    public static func makeId(kind: AnomalyKind, site: String?, charger: String?, evse: Int?, connector: Int?,
                              startedAt: Int64) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for b in text.utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
            h ^= 0x1F
            h = h &* 0x0000_0100_0000_01b3
        }
        mix(kind.rawValue)
        mix(site ?? "")
        mix(charger ?? "")
        mix(evse.map(String.init) ?? "")
        mix(connector.map(String.init) ?? "")
        mix(String(startedAt))
        let digits = String(h, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A step of an anomaly's life.
public enum AnomalyTransitionKind: String, Sendable, Codable {
    case opened, updated, resolved
}

/// What `drainTransitions()` returns: upsert `anomaly` by its id.
public struct AnomalyTransition: Sendable, Codable, Equatable {
    public var kind: AnomalyTransitionKind
    /// When the transition happened (event time, or receive time for receive-time rules). For `resolved` it can be
    /// later than `anomaly.resolvedAt` (the clear had to last `clear_after`).
    public var at: Int64
    public var anomaly: Anomaly

    public init(kind: AnomalyTransitionKind, at: Int64, anomaly: Anomaly) {
        self.kind = kind
        self.at = at
        self.anomaly = anomaly
    }
}

/// Counters of the anomaly stage.
public struct AnomalyCounters: Sendable, Codable, Equatable {
    public var readings = 0
    /// Readings no rule uses (dismissed after one switch).
    public var dismissed = 0
    /// Readings older than (or as old as) the latest of their channel: ignored.
    public var late = 0
    public var statusChanges = 0
    public var sessionEvents = 0
    public var opened = 0
    public var resolved = 0

    public init() {}
}
