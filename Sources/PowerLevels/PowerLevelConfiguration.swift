/// The knobs of the power-level processor. All durations are milliseconds of event time.
///
/// See docs/power-levels.md for what each one changes.
public struct PowerLevelConfiguration: Sendable, Codable, Equatable {
    /// Length of the clock-aligned intervals records and demand are computed on: [k·interval, (k+1)·interval) UTC.
    /// Default 15 min, the demand interval utilities bill on. Must divide into whole seconds.
    public var intervalMs: Int64
    /// A connector's latest power is held for `holdFactor` × its last reporting interval, at most `maxHoldMs`
    /// (and exactly `maxHoldMs` before a second sample gave an interval). Default 2.
    public var holdFactor: Int64
    /// The upper bound of a held power, and of the zero-order hold used to integrate power. Default 2 min.
    public var maxHoldMs: Int64
    /// Register readings further apart than this give no derived power and are not interpolated across. Default 1 h.
    public var maxRegisterGapMs: Int64
    /// An interval is closed at the latest this long after its end: by the connector's own data, or by
    /// `advance(to:)` when the charger falls silent. Until then its record waits for the register reading that
    /// brackets its end. Default 5 min; at most `intervalMs`.
    public var closeDelayMs: Int64

    public init(intervalMs: Int64 = 900_000, holdFactor: Int64 = 2, maxHoldMs: Int64 = 120_000,
                maxRegisterGapMs: Int64 = 3_600_000, closeDelayMs: Int64 = 300_000) {
        precondition(intervalMs > 0 && intervalMs % 1_000 == 0, "intervalMs must be a positive number of whole seconds")
        precondition(holdFactor > 0 && maxHoldMs > 0 && maxHoldMs <= intervalMs, "0 < maxHoldMs <= intervalMs")
        precondition(maxRegisterGapMs > 0, "maxRegisterGapMs must be positive")
        precondition(closeDelayMs >= 0 && closeDelayMs <= intervalMs, "0 <= closeDelayMs <= intervalMs")
        self.intervalMs = intervalMs
        self.holdFactor = holdFactor
        self.maxHoldMs = maxHoldMs
        self.maxRegisterGapMs = maxRegisterGapMs
        self.closeDelayMs = closeDelayMs
    }
}
