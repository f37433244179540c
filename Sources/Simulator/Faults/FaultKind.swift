/// What the simulator can inject (`--faults RATE`), and what Wattline should make of it.
///
/// The raw value is the name in the ground-truth file (`FILE.faults.csv`). Kinds that the anomaly detector has a
/// rule for carry that rule's name in `expectedAnomaly`; the others (malformed payloads, duplicates, reordering) must
/// leave no anomaly and no wrong session behind. `phase_imbalance` and `site_overload` are not injected: they need
/// per-site limits the simulated fleet does not declare.
public enum FaultKind: String, Sendable, CaseIterable, Hashable {
    /// One meter reading whose register is 500 Wh lower than the one before.
    case meterRegression = "meter_regression"
    /// The register stops moving for 15 minutes while power flows.
    case meterStuck = "meter_stuck"
    /// The register counts 50 % more than the power delivered, for 30 minutes (the excess stays in the register).
    case energyMismatch = "energy_mismatch"
    /// Power 35 % above the connector's rating for 5 minutes.
    case overpower
    /// AC grid voltage at 265 V on every phase for 5 minutes.
    case voltageOutOfRange = "voltage_out_of_range"
    /// Status stays Charging while no power flows, for 10 minutes.
    case chargingStalled = "charging_stalled"
    /// One power sample 2.5 times the session's level, at least 15 minutes into charging.
    case powerSpike = "power_spike"
    /// One DC state-of-charge reading 25 points too high.
    case socJump = "soc_jump"
    /// A Faulted status (GroundFailure) for 5 minutes, then the connector's real status again.
    case fault
    /// Nothing from the charger for 15 minutes (every message in and out is lost).
    case telemetryGap = "telemetry_gap"
    /// The charger's clock runs 10 minutes behind for the whole run.
    case clockSkew = "clock_skew"
    /// The broker reports 12 dropped messages.
    case brokerDrops = "broker_drops"
    /// An OCPP 2.0.1 charger offline for 20 minutes: its TransactionEvents are delivered at the end, flagged
    /// `offline: true`; everything else it would have sent is lost.
    case offlineBacklog = "offline_backlog"
    /// Five of the charger's requests delivered twice, 1 to 5 seconds apart.
    case duplicate
    /// Three meter-value messages delayed by 150 seconds, behind newer ones.
    case reorder
    /// Three meter-value messages cut in half (invalid JSON).
    case malformed
    /// Not injected: a driver who left the car plugged in more than 35 minutes after charging ended. The ground
    /// truth lists these (origin `natural`) because the detector must find them too.
    case bayBlocked = "bay_blocked"

    /// The anomaly rule that must fire, if any.
    public var expectedAnomaly: String? {
        switch self {
        case .meterRegression, .meterStuck, .energyMismatch, .overpower, .voltageOutOfRange, .chargingStalled,
             .powerSpike, .socJump, .fault, .telemetryGap, .clockSkew, .brokerDrops, .bayBlocked:
            rawValue
        case .offlineBacklog: FaultKind.telemetryGap.rawValue
        case .duplicate, .reorder, .malformed: nil
        }
    }

    /// The kinds `FaultPlan` injects, in the order it deals them out.
    public static let injected: [FaultKind] = allCases.filter { $0 != .bayBlocked }

    /// Where the fault is made.
    enum Layer {
        /// In a connector's meter readings (`MeterFault`).
        case meter
        /// In the charger's status messages (`StatusFault`).
        case status
        /// In the charger's clock.
        case clock
        /// In the delivered message stream (`StreamFaultInjector`).
        case stream
    }

    var layer: Layer {
        switch self {
        case .meterRegression, .meterStuck, .energyMismatch, .overpower, .voltageOutOfRange, .chargingStalled,
             .powerSpike, .socJump: .meter
        case .fault: .status
        case .clockSkew: .clock
        case .telemetryGap, .brokerDrops, .offlineBacklog, .duplicate, .reorder, .malformed, .bayBlocked: .stream
        }
    }

    /// How long the fault lasts once it takes effect, ms (0: one reading or one message).
    var duration: Int64 {
        switch self {
        case .meterStuck: 15 * 60_000
        case .energyMismatch: 30 * 60_000
        case .overpower, .voltageOutOfRange, .fault: 5 * 60_000
        case .chargingStalled: 10 * 60_000
        case .telemetryGap: 15 * 60_000
        case .offlineBacklog: 20 * 60_000
        case .meterRegression, .powerSpike, .socJump, .clockSkew, .brokerDrops, .duplicate, .reorder, .malformed,
             .bayBlocked: 0
        }
    }

    /// Whether `charger` (and, for meter faults, one of its EVSEs) can show this fault.
    func fits(_ charger: SimulatedCharger) -> Bool {
        guard charger.protocol != .everest else { return self == .telemetryGap }
        switch self {
        case .voltageOutOfRange: return charger.evses.contains { !$0.rating.isDC }
        case .socJump: return charger.evses.contains { $0.rating.isDC }
        case .offlineBacklog: return charger.protocol == .ocpp201
        case .brokerDrops, .bayBlocked: return false
        default: return true
        }
    }

    /// Whether this EVSE can show this meter fault.
    func fits(_ evse: SimulatedEVSE) -> Bool {
        switch self {
        case .voltageOutOfRange: !evse.rating.isDC
        case .socJump: evse.rating.isDC
        default: true
        }
    }
}
