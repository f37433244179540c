/// A Faulted status on one EVSE, sent at the charger's first tick after the planned start and cleared
/// `FaultKind.fault.duration` later by the EVSE's real status. OCPP only (the plan gives it no EVerest charger).
struct StatusFault: Sendable {
    let planned: PlannedFault
    let charger: String
    private(set) var raisedAt: Int64?
    private(set) var clearedAt: Int64?

    init(planned: PlannedFault, charger: String) {
        self.planned = planned
        self.charger = charger
    }

    /// What to send at a tick at `time`: `.raise`, `.clear` or nothing.
    mutating func step(at time: Int64) -> Step? {
        if raisedAt == nil, time >= planned.start {
            raisedAt = time
            return .raise
        }
        if let raisedAt, clearedAt == nil, time >= raisedAt + planned.kind.duration {
            clearedAt = time
            return .clear
        }
        return nil
    }

    enum Step { case raise, clear }

    var truth: InjectedFault? {
        guard let raisedAt else { return nil }
        return InjectedFault(kind: .fault, origin: .injected, charger: charger, evse: planned.evse,
                             startedAt: raisedAt, endedAt: clearedAt ?? raisedAt, count: 1)
    }
}
