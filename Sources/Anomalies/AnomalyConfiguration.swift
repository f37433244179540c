/// Settings every rule has. Durations in milliseconds.
public protocol AnomalyRuleSettings: Sendable, Codable, Equatable {
    var enabled: Bool { get set }
    var severity: AnomalySeverity { get set }
    /// The condition must hold this long before the anomaly opens (`for`); `started_at` is still its beginning.
    var forMs: Int64 { get set }
    /// The condition must be clear this long before the anomaly resolves (`clear_after`); `resolved_at` is the
    /// beginning of that clear stretch. A relapse within it continues the same anomaly.
    var clearAfterMs: Int64 { get set }
}

/// The anomaly rules' settings (docs/anomalies.md). `read(_:)` takes them from a pipeline's
/// `processors.anomalies` section; everything not written keeps the defaults below.
public struct AnomalyConfiguration: Sendable, Codable, Equatable {
    /// Turns every rule off at once.
    public var enabled = true
    /// An open anomaly whose worst value got worse emits `updated` at most this often (0: on every worsening).
    public var updateIntervalMs: Int64 = 300_000
    /// A power sample counts (for integration, freshness, charging_stalled) at most this long after its time.
    public var powerHoldMs: Int64 = 300_000
    /// Event time this far beyond receive time is clamped (the charger clock used by deadline rules).
    public var futureToleranceMs: Int64 = 300_000

    public var meterRegression = MeterRegression()
    public var meterStuck = MeterStuck()
    public var energyMismatch = EnergyMismatch()
    public var overpower = Overpower()
    public var voltageOutOfRange = VoltageOutOfRange()
    public var phaseImbalance = PhaseImbalance()
    public var telemetryGap = TelemetryGap()
    public var chargingStalled = ChargingStalled()
    public var fault = Fault()
    public var bayBlocked = BayBlocked()
    public var powerSpike = PowerSpike()
    public var socJump = SocJump()
    public var clockSkew = ClockSkew()
    public var siteOverload = SiteOverload()
    public var brokerDrops = BrokerDrops()

    public init() {}

    /// The common settings of a rule.
    public func common(_ kind: AnomalyKind) -> (enabled: Bool, severity: AnomalySeverity, forMs: Int64, clearAfterMs: Int64) {
        func c(_ r: some AnomalyRuleSettings) -> (Bool, AnomalySeverity, Int64, Int64) {
            (enabled && r.enabled, r.severity, r.forMs, r.clearAfterMs)
        }
        switch kind {
        case .meterRegression: return c(meterRegression)
        case .meterStuck: return c(meterStuck)
        case .energyMismatch: return c(energyMismatch)
        case .overpower: return c(overpower)
        case .voltageOutOfRange: return c(voltageOutOfRange)
        case .phaseImbalance: return c(phaseImbalance)
        case .telemetryGap: return c(telemetryGap)
        case .chargingStalled: return c(chargingStalled)
        case .fault: return c(fault)
        case .bayBlocked: return c(bayBlocked)
        case .powerSpike: return c(powerSpike)
        case .socJump: return c(socJump)
        case .clockSkew: return c(clockSkew)
        case .siteOverload: return c(siteOverload)
        case .brokerDrops: return c(brokerDrops)
        }
    }

    /// The energy register went backwards.
    public struct MeterRegression: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 900_000
        /// A drop up to this many Wh is tolerated.
        public var toleranceWh = 0.0
        /// A drop across a session boundary (Transaction.Begin reading, session start/end, unplug) is a
        /// session-relative register starting again, not a regression.
        public var ignoreSessionResets = true
        public init() {}
    }

    /// Power flowing, register frozen for longer than its resolution explains.
    public struct MeterStuck: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 0
        /// Energy integrated from power since the register last moved must exceed this many register steps.
        public var resolutionFactor = 3.0
        /// ... and at least this much energy (Wh).
        public var minEnergyWh = 100.0
        /// ... and the register must have been frozen at least this long.
        public var minFrozenMs: Int64 = 300_000
        public init() {}
    }

    /// Register delta vs integrated power over a window.
    public struct EnergyMismatch: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 0
        /// Window length (from one register reading to the first at least this much later).
        public var windowMs: Int64 = 900_000
        /// Allowed difference: max(ratio × the larger energy, toleranceWh) + 2 register steps.
        public var toleranceRatio = 0.1
        public var toleranceWh = 50.0
        /// Windows where both energies are below this are not judged (idle).
        public var minEnergyWh = 100.0
        public init() {}
    }

    /// Power above the connector's rating or above the offered power.
    public struct Overpower: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 60_000
        /// Allowed excess over the rating (0.1: 10 %).
        public var tolerance = 0.1
        /// Allowed excess over Power.Offered: ratio and absolute margin (W).
        public var offeredTolerance = 0.1
        public var offeredMarginW = 500.0
        /// Power must exceed the offered limit this long (a car needs time to follow a lowered limit).
        public var offeredForMs: Int64 = 60_000
        public init() {}
    }

    /// AC grid voltage outside nominal ± tolerance.
    public struct VoltageOutOfRange: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 60_000
        public var clearAfterMs: Int64 = 60_000
        /// Phase-to-neutral nominal (a connector's declared `nominal_voltage_v` wins).
        public var nominalV = 230.0
        /// Phase-to-phase nominal (declared nominal × √3 when a connector declares one).
        public var nominalLineToLineV = 400.0
        public var tolerance = 0.1
        /// Values below this fraction of nominal are not grid measurements (an open contactor): not judged.
        public var minRatio = 0.5
        /// Undeclared chargers, readings without a phase label: judged only within nominal ± this (else presumed DC).
        public var undeclaredWindow = 0.25
        public init() {}
    }

    /// The site's summed per-phase load differs more than the site's limit.
    public struct PhaseImbalance: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 60_000
        public var clearAfterMs: Int64 = 60_000
        /// Limit for sites that declare none (`phase_imbalance_limit_kva`); nil: such sites are not judged.
        public var limitKVA: Double? = nil
        /// Voltage a phase current is multiplied by (VDE-AR-N 4100 states 4.6 kVA as 20 A at 230 V).
        public var nominalV = 230.0
        /// A charger silent (receive time) this long stops contributing.
        public var holdMs: Int64 = 120_000
        public init() {}
    }

    /// A charger silent longer than its `offline_after` (or `afterMs`).
    public struct TelemetryGap: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        /// Unused (the gap's own `after` plays its part).
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 0
        /// Silence for chargers without a declared `offline_after`.
        public var afterMs: Int64 = 540_000
        public init() {}
    }

    /// Status charging, no power.
    public struct ChargingStalled: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 300_000
        public var clearAfterMs: Int64 = 0
        /// Power at or below this counts as none.
        public var thresholdW = 100.0
        public init() {}
    }

    /// Faulted status.
    public struct Fault: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.critical
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 60_000
        public init() {}
    }

    /// Still plugged in long after charging ended.
    public struct BayBlocked: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.info
        /// Unused (`afterMs` plays its part).
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 0
        /// How long after charging ended a plugged-in car counts as blocking the bay.
        public var afterMs: Int64 = 1_800_000
        public init() {}
    }

    /// A power sample far above its moving median.
    public struct PowerSpike: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.info
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 0
        /// Robust z: (sample − median) / (1.4826 × MAD).
        public var threshold = 6.0
        /// Samples in the moving window, and the fewest before judging.
        public var window = 30
        public var minSamples = 10
        /// The excess must also be at least this (W) and this fraction of the median.
        public var minDeltaW = 1_000.0
        public var minRelative = 0.3
        /// Only while the median is at least this (charging): a session's ramp-up is no spike.
        public var minBaselineW = 100.0
        public init() {}
    }

    /// SoC jumps or goes backwards between consecutive readings.
    public struct SocJump: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.info
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 300_000
        /// Allowed rise between consecutive readings (percentage points), plus `ratePerHour` × the time between.
        public var thresholdPercent = 10.0
        public var ratePerHour = 200.0
        /// Allowed fall (jitter).
        public var backwardTolerance = 1.0
        public init() {}
    }

    /// A charger's clock is off.
    public struct ClockSkew: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 600_000
        /// |low percentile of (receive − event time)| above this.
        public var thresholdMs: Int64 = 120_000
        public var percentile = 10.0
        /// Messages in the window, and the fewest before judging.
        public var window = 64
        public var minSamples = 16
        public init() {}
    }

    /// Site load above the grid connection limit.
    public struct SiteOverload: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.critical
        public var forMs: Int64 = 60_000
        public var clearAfterMs: Int64 = 60_000
        /// Allowed excess (0.05: 5 %).
        public var tolerance = 0.0
        /// Limit for sites that declare no `grid_limit_kw`; nil: such sites are not judged.
        public var limitKW: Double? = nil
        public init() {}
    }

    /// The broker dropped messages.
    public struct BrokerDrops: AnomalyRuleSettings {
        public var enabled = true
        public var severity = AnomalySeverity.warning
        public var forMs: Int64 = 0
        public var clearAfterMs: Int64 = 300_000
        /// More than this many drops between two counter reports.
        public var threshold = 0.0
        public init() {}
    }
}
