/// The ground truth of a connector's sessions (`TrueSession`).
extension ConnectorSimulation {
    /// Remembers the register the transaction's start (1.6 authorization, else plug-in) and stop report.
    mutating func noteReportedRegister(_ event: ConnectorEvent, at time: Int64) {
        let startEvent: ConnectorEvent = sampling == .fromAuthorization ? .authorize : .plugIn
        if event == startEvent { reportedStartWh = Int64(registerWh(at: time).rounded(.down)) }
        if event == .stop { reportedStopWh = Int64(registerWh(at: time).rounded(.down)) }
    }

    /// The current session as it really went, up to `runEnd` (moments after it are unknown: nil).
    func trueSession(charger: String, protocol: SimulatedProtocol, runEnd: Int64) -> TrueSession? {
        guard let plan = session, plan.plugAt < runEnd else { return nil }
        let startedAt = sampling == .fromAuthorization ? plan.authorizeAt : plan.plugAt
        var chargingEnd = plan.flowEnd
        if let pause = plan.pause, pause.upperBound >= chargingEnd { chargingEnd = pause.lowerBound }
        let known = { (time: Int64) -> Int64? in time <= runEnd ? time : nil }
        let start = reportedStartWh ?? Int64(registerWh(at: startedAt).rounded(.down))
        let stop = reportedStopWh ?? Int64(registerWh(at: min(runEnd, plan.stopAt)).rounded(.down))
        let reason: String = switch plan.ending {
        case .evDisconnected: "EVDisconnected"
        case .local: "Local"
        case .remote: "Remote"
        }
        return TrueSession(
            charger: charger, evse: evse.id, protocol: `protocol`, transactionID: lastTransactionID ?? transactionID,
            pluggedAt: plan.plugAt, startedAt: startedAt, chargingEndedAt: known(chargingEnd),
            endedAt: known(plan.stopAt), unpluggedAt: known(plan.unplugAt), meteredEnergyWh: stop - start,
            trueEnergyWh: plan.energyWh(at: min(runEnd, plan.stopAt)), stopReason: plan.stopAt <= runEnd ? reason : nil)
    }

    /// The injected meter faults that took effect.
    var meterFaultTruth: [InjectedFault] { meterFaults.compactMap(\.truth) }
}
