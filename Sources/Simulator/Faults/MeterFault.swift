/// A fault in one connector's meter readings: it waits for the first sample that suits it after its planned start,
/// then changes the samples for its kind's duration (or just that one sample).
///
/// The connector applies its faults in `measure(at:)` only when it has any, so a run without faults pays one
/// emptiness check per sample.
struct MeterFault: Sendable {
    let planned: PlannedFault
    let charger: String
    private(set) var activatedAt: Int64?
    private(set) var lastAppliedAt: Int64?
    private(set) var applied = 0
    /// meter_stuck: the register it froze at.
    private var frozenRegisterWh = 0.0
    /// energy_mismatch: the session's energy and the connector's offset when it began.
    private var baseEnergyWh = 0.0
    private var baseOffsetWh = 0.0
    /// meter_regression: the register the connector reported last (the drop is against it).
    private var previousRegisterWh: Double?

    init(planned: PlannedFault, charger: String) {
        self.planned = planned
        self.charger = charger
    }

    var kind: FaultKind { planned.kind }

    /// Over: it took effect and its time is up (or its one sample is done).
    func isOver(at time: Int64) -> Bool {
        guard let activatedAt else { return false }
        return kind.duration == 0 ? applied > 0 : time > activatedAt + kind.duration
    }

    /// Whether a sample at `time` of `plan` can carry this fault.
    private func suits(_ sample: MeterSample, plan: SessionPlan, at time: Int64) -> Bool {
        guard plan.isFlowing(at: time), sample.powerW > 0 else { return false }
        switch kind {
        case .powerSpike: return time - plan.chargeAt >= 15 * 60_000
        // A regression right after the transaction's begin reading would pass for a session-relative restart.
        case .meterRegression: return time - plan.chargeAt >= 5 * 60_000
        case .socJump: return sample.socPercent != nil
        case .voltageOutOfRange: return !sample.isDC
        default: return true
        }
    }

    /// Changes `sample` when the fault is active at `time`; `offsetWh` is the connector's lasting register excess
    /// (energy_mismatch adds to it). Returns whether it changed anything.
    @discardableResult
    mutating func apply(to sample: inout MeterSample, plan: SessionPlan, ratedPowerW: Int, offsetWh: inout Double,
                        at time: Int64) -> Bool {
        let previous = previousRegisterWh
        previousRegisterWh = sample.registerWh + offsetWh
        guard time >= planned.start, !isOver(at: time), suits(sample, plan: plan, at: time) else { return false }
        if activatedAt == nil {
            activatedAt = time
            frozenRegisterWh = sample.registerWh + offsetWh
            baseEnergyWh = plan.energyWh(at: time)
            baseOffsetWh = offsetWh
        }
        switch kind {
        case .meterRegression:
            sample.registerWh = (previous ?? sample.registerWh + offsetWh) - offsetWh - 500
        case .meterStuck:
            sample.registerWh = frozenRegisterWh - offsetWh
        case .energyMismatch:
            offsetWh = baseOffsetWh + 0.5 * (plan.energyWh(at: time) - baseEnergyWh)
        case .overpower:
            sample.scalePower(to: Int64(Double(ratedPowerW) * 1.35))
        case .voltageOutOfRange:
            sample.voltageDecivolts = sample.voltageDecivolts.map { _ in 2650 }
        case .chargingStalled:
            sample.scalePower(to: 0)
            sample.currentCentiamps = sample.currentCentiamps.map { _ in 0 }
        case .powerSpike:
            sample.scalePower(to: sample.powerW * 5 / 2)
        case .socJump:
            sample.socPercent = min(100, (sample.socPercent ?? 0) + 25)
        default:
            return false
        }
        applied += 1
        lastAppliedAt = time
        return true
    }

    /// The fault as it happened, if it took effect.
    var truth: InjectedFault? {
        guard let activatedAt, let lastAppliedAt else { return nil }
        return InjectedFault(kind: kind, origin: .injected, charger: charger, evse: planned.evse,
                             startedAt: activatedAt, endedAt: lastAppliedAt, count: applied)
    }
}

extension MeterSample {
    /// Sets the active power, the phases in proportion (evenly when they were all zero).
    mutating func scalePower(to watts: Int64) {
        let before = powerW
        powerW = watts
        guard !phasePowerW.isEmpty else { return }
        if before > 0 {
            phasePowerW = phasePowerW.map { $0 * watts / before }
        } else {
            phasePowerW = phasePowerW.map { _ in watts / Int64(phasePowerW.count) }
        }
    }
}
