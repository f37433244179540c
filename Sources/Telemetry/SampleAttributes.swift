/// The phase a reading refers to (OCPP `phase`). `L1N` is OCPP's `L1-N`, `L1L2` is `L1-L2`.
public enum Phase: String, Sendable, CaseIterable, Codable, Hashable {
    case l1 = "L1", l2 = "L2", l3 = "L3", n = "N"
    case l1n = "L1-N", l2n = "L2-N", l3n = "L3-N"
    case l1l2 = "L1-L2", l2l3 = "L2-L3", l3l1 = "L3-L1"

    /// True for a phase-to-phase label (its nominal AC voltage is 400 V, not 230 V).
    public var isLineToLine: Bool { self == .l1l2 || self == .l2l3 || self == .l3l1 }
}

/// Where the measurement was taken (OCPP `location`). OCPP's default is `Outlet`.
public enum Location: String, Sendable, CaseIterable, Codable, Hashable {
    case outlet = "Outlet", inlet = "Inlet", cable = "Cable", ev = "EV", body = "Body"
}

/// Why the reading was taken (OCPP `context`). OCPP's default is `Sample.Periodic`.
public enum ReadingContext: String, Sendable, CaseIterable, Codable, Hashable {
    case interruptionBegin = "Interruption.Begin"
    case interruptionEnd = "Interruption.End"
    case other = "Other"
    case sampleClock = "Sample.Clock"
    case samplePeriodic = "Sample.Periodic"
    case transactionBegin = "Transaction.Begin"
    case transactionEnd = "Transaction.End"
    case trigger = "Trigger"
}
