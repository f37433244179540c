/// What the processor did with its input, since it was created (carried across snapshot/restore).
public struct PowerLevelCounters: Sendable, Codable, Equatable {
    /// Readings taken into account.
    public var accepted = 0
    /// Same channel, same timestamp as the previous reading: ignored.
    public var duplicates = 0
    /// Older than the channel's newest reading, or inside an interval already closed: ignored for power and
    /// intervals (see `lateRegisterBaselines`).
    public var late = 0
    /// Late register readings that still became the connector's register baseline (newer than its last one).
    public var lateRegisterBaselines = 0
    /// Register went backwards: no derived power and no interpolation across that gap.
    public var registerRegressions = 0
    /// Register readings more than `maxRegisterGapMs` apart: no derived power and no interpolation across.
    public var registerGaps = 0
    /// Power samples derived from register deltas.
    public var derivedSamples = 0
    /// Held connector loads dropped from a charger or site sum because they went stale.
    public var staleExpiries = 0
    /// Samples already stale for their charger or site when they arrived (the group's clock was further on).
    public var staleOnArrival = 0
    /// Connector and main-meter intervals closed.
    public var intervalsClosed = 0
    /// Of those, intervals whose energy had to be integrated from power.
    public var integratedIntervals = 0
    /// Series refused by `channel(for:)` because their EVSE is unattributed (negative).
    public var unattributed = 0

    public init() {}
}

/// What `ingest` did with one reading.
public enum IngestOutcome: Sendable, Equatable {
    case accepted
    case duplicate
    /// Ignored for power and intervals; a register reading may still have moved the baseline.
    case late
    /// A register reading below the previous one: taken as the new baseline, no derived power.
    case registerRegression
    /// A register reading too long after the previous one: taken as the new baseline, no derived power.
    case registerGap
}
