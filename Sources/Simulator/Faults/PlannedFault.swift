/// A fault `FaultPlan` decided to inject: what, where, and from when. It takes effect at the first moment after
/// `start` that suits it (a meter fault needs energy flowing), so its real times are in the `InjectedFault` the
/// simulation reports.
struct PlannedFault: Sendable, Hashable {
    var kind: FaultKind
    /// Index in the fleet's chargers; nil for `broker_drops`.
    var charger: Int?
    /// The EVSE a meter or status fault is on (1-based); nil otherwise.
    var evse: Int?
    /// Not before this instant (ms since the epoch).
    var start: Int64
    /// The fault's own random stream (delays of duplicates).
    var seed: UInt64
}
