/// What a closed interval record describes.
public enum IntervalLevel: String, Sendable, Codable, Equatable {
    /// One connector (EVSE ≥ 1).
    case connector
    /// A charger's main meter (EVSE 0), kept apart from its connectors.
    case mainMeter
    /// A charger: the sum over its connectors, main meter excluded.
    case charger
    /// A site: the sum over its chargers' connectors, main meters excluded.
    case site
}

/// Where an interval's energy came from.
public enum EnergySource: String, Sendable, Codable, Equatable {
    /// Register at the end minus register at the start, each interpolated between bracketing readings.
    case register
    /// No register bracket at one boundary: the zero-order-hold integral of the interval's power samples.
    case integratedPower
    /// A charger or site interval whose connectors used both.
    case mixed
    /// Nothing to compute it from.
    case none
}

/// Quality flags of an interval record.
public struct IntervalFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The energy register went backwards during or at the edge of the interval.
    public static let registerReset = IntervalFlags(rawValue: 1)
    /// Register readings too far apart to interpolate a boundary.
    public static let registerGap = IntervalFlags(rawValue: 2)
    /// Energy integrated from power instead of read from the register.
    public static let integratedEnergy = IntervalFlags(rawValue: 4)
    /// Closed by `advance(to:)` (the charger fell silent), not by its own later data.
    public static let closedBySilence = IntervalFlags(rawValue: 8)
    /// Some power samples came from register deltas.
    public static let derivedPower = IntervalFlags(rawValue: 16)
    /// A charger/site interval where a contributing connector had no energy at all.
    public static let incompleteEnergy = IntervalFlags(rawValue: 32)
}

/// One closed, clock-aligned interval of one connector, main meter, charger or site: what the lead stores
/// (SQLite) and `wattline load` queries. Closed records never change.
public struct PowerInterval: Sendable, Codable, Equatable {
    public var level: IntervalLevel
    public var site: String
    /// Nil for a site record.
    public var charger: String?
    /// Set for connector and main-meter records only.
    public var evse: Int?
    public var connector: Int?
    /// Start (inclusive) and end (exclusive), ms UTC, multiples of the interval length.
    public var start: Int64
    public var end: Int64
    /// Connector / main meter: mean of the power samples in the interval.
    /// Charger / site: energy-based average, `energyWh` over the interval length (equal to `demandW`).
    public var averageW: Double?
    /// Connector / main meter: the largest power sample. Charger / site: the largest aggregate load evaluated
    /// while the group's clock was inside the interval (coincident peak, see docs/power-levels.md).
    public var peakW: Double?
    /// Energy in the interval, Wh.
    public var energyWh: Double?
    /// `energyWh` × (1 h / interval length): × 4 for 15 minutes.
    public var demandW: Double?
    /// Connector: power samples. Charger / site: load evaluations.
    public var sampleCount: Int
    public var energySource: EnergySource
    /// True when power samples were derived from register deltas (the charger reports no power).
    public var derived: Bool
    public var flags: IntervalFlags
    /// Charger / site only: energy of the main meters in the interval, reported apart, never in `energyWh`.
    public var mainMeterEnergyWh: Double?
    /// Charger / site only: connector records (main meters excluded) summed into `energyWh`.
    public var connectorCount: Int

    public init(level: IntervalLevel, site: String, charger: String?, evse: Int?, connector: Int?, start: Int64,
                end: Int64, averageW: Double?, peakW: Double?, energyWh: Double?, demandW: Double?, sampleCount: Int,
                energySource: EnergySource, derived: Bool, flags: IntervalFlags, mainMeterEnergyWh: Double?,
                connectorCount: Int) {
        self.level = level
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.start = start
        self.end = end
        self.averageW = averageW
        self.peakW = peakW
        self.energyWh = energyWh
        self.demandW = demandW
        self.sampleCount = sampleCount
        self.energySource = energySource
        self.derived = derived
        self.flags = flags
        self.mainMeterEnergyWh = mainMeterEnergyWh
        self.connectorCount = connectorCount
    }
}
