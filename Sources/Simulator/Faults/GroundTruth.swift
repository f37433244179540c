import Telemetry

/// What really happened in a simulated stream: its sessions and its faults (injected and natural), written beside a
/// fixture as `FILE.sessions.csv` and `FILE.faults.csv` (docs/simulator.md has the columns).
public struct GroundTruth: Sendable, Hashable {
    public var sessions: [TrueSession]
    public var faults: [InjectedFault]

    public init(sessions: [TrueSession], faults: [InjectedFault]) {
        self.sessions = sessions.sorted { ($0.startedAt, $0.charger, $0.evse) < ($1.startedAt, $1.charger, $1.evse) }
        self.faults = faults.sorted {
            ($0.startedAt, $0.kind.rawValue, $0.charger ?? "") < ($1.startedAt, $1.kind.rawValue, $1.charger ?? "")
        }
    }

    static let sessionColumns = ["charger", "evse", "protocol", "transaction_id", "plugged_at", "started_at",
                                 "charging_ended_at", "ended_at", "unplugged_at", "energy_wh", "true_energy_wh",
                                 "stop_reason"]
    static let faultColumns = ["kind", "expected_anomaly", "origin", "charger", "evse", "started_at", "ended_at", "count"]

    /// `FILE.sessions.csv`: one row per session, times as RFC 3339 UTC with milliseconds, empty when unknown.
    public var sessionsCSV: String {
        var text = Self.sessionColumns.joined(separator: ",") + "\n"
        for session in sessions {
            let fields: [String] = [
                session.charger, String(session.evse), session.protocol.rawValue, session.transactionID ?? "",
                Self.time(session.pluggedAt), Self.time(session.startedAt), Self.time(session.chargingEndedAt),
                Self.time(session.endedAt), Self.time(session.unpluggedAt), String(session.meteredEnergyWh),
                String(format3: session.trueEnergyWh), session.stopReason ?? "",
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// `FILE.faults.csv`: one row per fault that took effect.
    public var faultsCSV: String {
        var text = Self.faultColumns.joined(separator: ",") + "\n"
        for fault in faults {
            let fields: [String] = [
                fault.kind.rawValue, fault.kind.expectedAnomaly ?? "", fault.origin.rawValue, fault.charger ?? "",
                fault.evse.map(String.init) ?? "", Self.time(fault.startedAt), Self.time(fault.endedAt),
                String(fault.count),
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    static func time(_ milliseconds: Int64?) -> String {
        milliseconds.map(Timestamp.format) ?? ""
    }

    /// The ground-truth paths beside a fixture: `out.jsonl[.zst]` → `out.sessions.csv`, `out.faults.csv`.
    public static func paths(besideFixture path: String) -> (sessions: String, faults: String) {
        var base = path
        for suffix in [".zst", ".jsonl"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        return (base + ".sessions.csv", base + ".faults.csv")
    }
}

extension String {
    /// A number with three decimals, without Foundation: `1234.5` → `"1234.500"`.
    init(format3 value: Double) {
        let thousandths = Int64((value * 1000).rounded())
        let sign = thousandths < 0 ? "-" : ""
        let magnitude = thousandths.magnitude
        let fraction = String(magnitude % 1000)
        self = sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
