/// One fault as it actually happened in the stream: a row of the ground truth's `FILE.faults.csv`.
public struct InjectedFault: Sendable, Hashable {
    /// Whether the simulator injected it or the fleet's behaviour produced it (a bay left blocked).
    public enum Origin: String, Sendable, Hashable {
        case injected, natural
    }

    public var kind: FaultKind
    public var origin: Origin
    /// Nil for `broker_drops`.
    public var charger: String?
    /// The EVSE (= OCPP 1.6 connector id) for meter and status faults and bay_blocked; nil for charger-wide faults.
    public var evse: Int?
    /// First moment affected: a reading's or status's event time (true, unskewed), or a receive time for stream
    /// faults; for `bay_blocked` the end of charging plus 30 minutes, when the detector's default rule fires.
    public var startedAt: Int64
    /// Last moment affected (the restoring status, the end of a silence, the unplug for `bay_blocked`).
    public var endedAt: Int64
    /// How many readings or messages it touched.
    public var count: Int

    public init(kind: FaultKind, origin: Origin, charger: String?, evse: Int?, startedAt: Int64, endedAt: Int64,
                count: Int) {
        self.kind = kind
        self.origin = origin
        self.charger = charger
        self.evse = evse
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.count = count
    }
}
