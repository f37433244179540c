/// One simulated session as it really was: a row of the ground truth's `FILE.sessions.csv`.
public struct TrueSession: Sendable, Hashable {
    public var charger: String
    public var evse: Int
    public var `protocol`: SimulatedProtocol
    /// The 1.6 back-end's number or the 2.0.1 UUID; nil for EVerest.
    public var transactionID: String?
    public var pluggedAt: Int64
    /// The transaction's start: 1.6 StartTransaction (authorization), 2.0.1 Started (plug-in), EVerest plug-in.
    public var startedAt: Int64
    /// When energy stopped flowing for good; nil while it still flows at the end of the run.
    public var chargingEndedAt: Int64?
    /// The transaction's end; nil when the run ended first.
    public var endedAt: Int64?
    public var unpluggedAt: Int64?
    /// What the meter counted: the register in whole Wh at the end minus at the start, as the charger reports it.
    public var meteredEnergyWh: Int64
    /// The energy the car took, Wh (the model's exact figure).
    public var trueEnergyWh: Double
    /// OCPP's stop reason (EVDisconnected, Local, Remote); nil while open.
    public var stopReason: String?
}
