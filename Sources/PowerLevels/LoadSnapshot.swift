/// A connector's current power, as dashboards and anomaly rules read it. Plain values, ready for JSON.
public struct ConnectorLoad: Sendable, Codable, Equatable {
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    public var isMainMeter: Bool
    /// The time the snapshot was taken at (ms UTC, event time).
    public var at: Int64
    /// The latest power sample (measured total, sum of phases, or derived), and its timestamp.
    public var powerW: Double?
    public var timestamp: Int64?
    public var derived: Bool
    /// True when the latest sample is older than the connector's hold at `at`: it then counts as 0 in sums.
    public var stale: Bool
    /// How long the latest sample is held (ms): `holdFactor` × last reporting interval, at most `maxHoldMs`.
    public var holdMs: Int64
    /// Latest per-phase measured power, when the charger reports phases.
    public var l1W: Double?
    public var l2W: Double?
    public var l3W: Double?
    /// Mean and largest power sample in the 60 one-second buckets ending with the second of `at`.
    public var average1mW: Double?
    public var peak1mW: Double?
    public var samples1m: Int
    /// The latest energy register reading.
    public var registerWh: Double?
    public var registerTimestamp: Int64?
}

/// A charger's or site's current aggregate load.
public struct GroupLoad: Sendable, Codable, Equatable {
    public var level: IntervalLevel
    public var site: String
    /// Nil for a site.
    public var charger: String?
    /// The group's clock: the newest sample timestamp of its connectors.
    public var clock: Int64?
    /// Sum of the held power of its live connectors (main meters excluded).
    public var loadW: Double
    public var liveConnectors: Int
    /// Connectors (main meters excluded) whose held power has expired, or that never reported power.
    public var staleConnectors: Int
    /// Sum of the main meters' latest power, when fresh; reported apart.
    public var mainMeterW: Double?
    /// The interval the clock is in, and the largest load evaluated in it so far.
    public var intervalStart: Int64?
    public var intervalPeakW: Double?
    /// Demand of the latest closed interval, and the largest demand of any closed interval, with their starts.
    public var lastDemandW: Double?
    public var lastDemandStart: Int64?
    public var maxDemandW: Double?
    public var maxDemandStart: Int64?
}

/// Everything about one site at once: what the lead publishes on MQTT for dashboards.
public struct SiteLoad: Sendable, Codable, Equatable {
    public var site: GroupLoad
    public var chargers: [GroupLoad]
    public var connectors: [ConnectorLoad]
}
