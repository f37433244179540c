import Pipeline

extension AnomalyConfiguration {
    /// Keys of `processors.anomalies`.
    static let sectionKeys = ["enabled", "update_interval", "power_hold", "future_tolerance"]
        + AnomalyKind.allCases.map(\.rawValue)
    static let commonKeys = ["enabled", "severity", "for", "clear_after"]

    /// The settings a pipeline's `processors: { anomalies: { ... } }` section sets over the defaults.
    /// Other keys of `processors` belong to other stages and are not checked here. Every problem (unknown key with
    /// a suggestion, wrong type, out of range) is reported with its file and line, all at once.
    public static func read(_ pipeline: PipelineDefinition) throws(PipelineError) -> AnomalyConfiguration {
        var configuration = AnomalyConfiguration()
        guard let section = pipeline.processors else { return configuration }
        let issues = IssueCollector()
        let processors = ConfigNode(section, path: ConfigPath([.key("processors")]), issues: issues)
        guard let node = processors.child("anomalies"), !node.value.isNull else { return configuration }
        if let mapping = node.mapping(allowedKeys: sectionKeys) {
            configuration.read(mapping)
        }
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return configuration
    }

    static let day = Duration.seconds(86_400)

    static func ms(_ node: ConfigNode?, _ range: ClosedRange<Duration> = .zero...day) -> Int64? {
        node?.duration(in: range).map(DurationText.milliseconds)
    }

    mutating func read(_ m: ConfigMapping) {
        if let v = m.optional("enabled")?.bool() { enabled = v }
        if let v = Self.ms(m.optional("update_interval")) { updateIntervalMs = v }
        if let v = Self.ms(m.optional("power_hold"), .seconds(1)...Self.day) { powerHoldMs = v }
        if let v = Self.ms(m.optional("future_tolerance")) { futureToleranceMs = v }

        if let r = Self.rule(m, .meterRegression, &meterRegression, ["tolerance_wh", "ignore_session_resets"]) {
            if let v = r.optional("tolerance_wh")?.double(in: 0...1e9) { meterRegression.toleranceWh = v }
            if let v = r.optional("ignore_session_resets")?.bool() { meterRegression.ignoreSessionResets = v }
        }
        if let r = Self.rule(m, .meterStuck, &meterStuck, ["resolution_factor", "min_energy_wh", "min_frozen"]) {
            if let v = r.optional("resolution_factor")?.double(in: 1...1000) { meterStuck.resolutionFactor = v }
            if let v = r.optional("min_energy_wh")?.double(in: 0...1e9) { meterStuck.minEnergyWh = v }
            if let v = Self.ms(r.optional("min_frozen")) { meterStuck.minFrozenMs = v }
        }
        if let r = Self.rule(m, .energyMismatch, &energyMismatch,
                             ["window", "tolerance_ratio", "tolerance_wh", "min_energy_wh"]) {
            if let v = Self.ms(r.optional("window"), .seconds(60)...Self.day) { energyMismatch.windowMs = v }
            if let v = r.optional("tolerance_ratio")?.double(in: 0...10) { energyMismatch.toleranceRatio = v }
            if let v = r.optional("tolerance_wh")?.double(in: 0...1e9) { energyMismatch.toleranceWh = v }
            if let v = r.optional("min_energy_wh")?.double(in: 0...1e9) { energyMismatch.minEnergyWh = v }
        }
        if let r = Self.rule(m, .overpower, &overpower,
                             ["tolerance", "offered_tolerance", "offered_margin_w", "offered_for"]) {
            if let v = r.optional("tolerance")?.double(in: 0...10) { overpower.tolerance = v }
            if let v = r.optional("offered_tolerance")?.double(in: 0...10) { overpower.offeredTolerance = v }
            if let v = r.optional("offered_margin_w")?.double(in: 0...1e8) { overpower.offeredMarginW = v }
            if let v = Self.ms(r.optional("offered_for")) { overpower.offeredForMs = v }
        }
        if let r = Self.rule(m, .voltageOutOfRange, &voltageOutOfRange,
                             ["nominal_v", "nominal_line_to_line_v", "tolerance", "min_ratio", "undeclared_window"]) {
            if let v = r.optional("nominal_v")?.positiveDouble() { voltageOutOfRange.nominalV = v }
            if let v = r.optional("nominal_line_to_line_v")?.positiveDouble() { voltageOutOfRange.nominalLineToLineV = v }
            if let v = r.optional("tolerance")?.double(in: 0.001...0.9) { voltageOutOfRange.tolerance = v }
            if let v = r.optional("min_ratio")?.double(in: 0...1) { voltageOutOfRange.minRatio = v }
            if let v = r.optional("undeclared_window")?.double(in: 0...1) { voltageOutOfRange.undeclaredWindow = v }
        }
        if let r = Self.rule(m, .phaseImbalance, &phaseImbalance, ["limit_kva", "nominal_v", "hold"]) {
            if let v = r.optional("limit_kva")?.positiveDouble() { phaseImbalance.limitKVA = v }
            if let v = r.optional("nominal_v")?.positiveDouble() { phaseImbalance.nominalV = v }
            if let v = Self.ms(r.optional("hold"), .seconds(1)...Self.day) { phaseImbalance.holdMs = v }
        }
        if let r = Self.rule(m, .telemetryGap, &telemetryGap, ["after"], timing: false) {
            if let v = Self.ms(r.optional("after"), .seconds(1)...Duration.seconds(30 * 86_400)) {
                telemetryGap.afterMs = v
            }
        }
        if let r = Self.rule(m, .chargingStalled, &chargingStalled, ["threshold_w"]) {
            if let v = r.optional("threshold_w")?.double(in: 0...1e8) { chargingStalled.thresholdW = v }
        }
        _ = Self.rule(m, .fault, &fault, [])
        if let r = Self.rule(m, .bayBlocked, &bayBlocked, ["after"], timing: false) {
            if let v = Self.ms(r.optional("after"), .seconds(1)...Self.day) { bayBlocked.afterMs = v }
        }
        if let r = Self.rule(m, .powerSpike, &powerSpike,
                             ["threshold", "window", "min_samples", "min_delta_w", "min_relative", "min_baseline_w"]) {
            if let v = r.optional("threshold")?.double(in: 1...1000) { powerSpike.threshold = v }
            if let v = r.optional("window")?.int(in: 4...1000) { powerSpike.window = v }
            if let v = r.optional("min_samples")?.int(in: 3...1000) { powerSpike.minSamples = v }
            if let v = r.optional("min_delta_w")?.double(in: 0...1e8) { powerSpike.minDeltaW = v }
            if let v = r.optional("min_relative")?.double(in: 0...100) { powerSpike.minRelative = v }
            if let v = r.optional("min_baseline_w")?.double(in: 0...1e8) { powerSpike.minBaselineW = v }
            if powerSpike.minSamples > powerSpike.window {
                r.optional("min_samples")?.report(.invalid("min_samples must not exceed window (\(powerSpike.window))"))
                powerSpike.minSamples = powerSpike.window
            }
        }
        if let r = Self.rule(m, .socJump, &socJump, ["threshold", "rate_per_hour", "backward_tolerance"]) {
            if let v = r.optional("threshold")?.double(in: 0...100) { socJump.thresholdPercent = v }
            if let v = r.optional("rate_per_hour")?.double(in: 0...10_000) { socJump.ratePerHour = v }
            if let v = r.optional("backward_tolerance")?.double(in: 0...100) { socJump.backwardTolerance = v }
        }
        if let r = Self.rule(m, .clockSkew, &clockSkew, ["threshold", "percentile", "window", "min_samples"]) {
            if let v = Self.ms(r.optional("threshold"), .seconds(1)...Self.day) { clockSkew.thresholdMs = v }
            if let v = r.optional("percentile")?.double(in: 0...100) { clockSkew.percentile = v }
            if let v = r.optional("window")?.int(in: 4...4096) { clockSkew.window = v }
            if let v = r.optional("min_samples")?.int(in: 1...4096) { clockSkew.minSamples = v }
            if clockSkew.minSamples > clockSkew.window {
                r.optional("min_samples")?.report(.invalid("min_samples must not exceed window (\(clockSkew.window))"))
                clockSkew.minSamples = clockSkew.window
            }
        }
        if let r = Self.rule(m, .siteOverload, &siteOverload, ["tolerance", "limit_kw"]) {
            if let v = r.optional("tolerance")?.double(in: 0...10) { siteOverload.tolerance = v }
            if let v = r.optional("limit_kw")?.positiveDouble() { siteOverload.limitKW = v }
        }
        if let r = Self.rule(m, .brokerDrops, &brokerDrops, ["threshold"]) {
            if let v = r.optional("threshold")?.double(in: 0...1e12) { brokerDrops.threshold = v }
        }
    }

    /// Reads a rule's mapping: the common keys (`for`/`clear_after` only when `timing`), then returns it for the
    /// rule's own keys.
    static func rule<R: AnomalyRuleSettings>(_ m: ConfigMapping, _ kind: AnomalyKind, _ settings: inout R,
                                             _ extra: [String], timing: Bool = true) -> ConfigMapping? {
        guard let node = m.optional(kind.rawValue) else { return nil }
        let keys = (timing ? commonKeys : ["enabled", "severity"]) + extra
        guard let r = node.mapping(allowedKeys: keys) else { return nil }
        if let v = r.optional("enabled")?.bool() { settings.enabled = v }
        if let v = r.optional("severity")?.choice(AnomalySeverity.self) { settings.severity = v }
        if timing {
            if let v = ms(r.optional("for")) { settings.forMs = v }
            if let v = ms(r.optional("clear_after")) { settings.clearAfterMs = v }
        }
        return r
    }
}
