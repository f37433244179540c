/// Handing out the fault plan to the layers that make the faults, and gathering the ground truth back.
extension SimulationIterator {
    mutating func install(_ plan: FaultPlan, fleet: SimulatedFleet) {
        guard !plan.faults.isEmpty else { return }
        var streamFaults: [StreamFault] = []
        for planned in plan.faults {
            let chargerID = planned.charger.map { fleet.chargers[$0].id }
            switch planned.kind.layer {
            case .meter:
                guard let index = planned.charger, let chargerID,
                      let slot = chargers[index].connectors.firstIndex(where: { $0.evse.id == planned.evse }) else { continue }
                chargers[index].connectors[slot].meterFaults.append(MeterFault(planned: planned, charger: chargerID))
            case .status:
                guard let index = planned.charger, let chargerID else { continue }
                chargers[index].statusFaults.append(StatusFault(planned: planned, charger: chargerID))
            case .clock:
                guard let index = planned.charger else { continue }
                chargers[index].clockOffset = -FaultPlan.clockSkew
                clockFaults.append(InjectedFault(kind: .clockSkew, origin: .injected, charger: chargerID, evse: nil,
                                                 startedAt: start, endedAt: end, count: 1))
            case .stream:
                streamFaults.append(StreamFault(planned: planned, charger: chargerID))
            }
        }
        if !streamFaults.isEmpty { injector = StreamFaultInjector(faults: streamFaults, end: end) }
    }

    /// What really happened so far: every session (those still under way cut at the last message handed out), the
    /// faults that took effect, and the bays left blocked. Call it once the stream is exhausted for the whole run.
    public var groundTruth: GroundTruth {
        var sessions: [TrueSession] = []
        var faults = clockFaults + (injector?.truth ?? [])
        for charger in chargers {
            sessions += charger.finishedSessions
            for connector in charger.connectors {
                if let open = connector.trueSession(charger: charger.charger.id, protocol: charger.charger.protocol,
                                                    runEnd: end) {
                    sessions.append(open)
                }
                faults += connector.meterFaultTruth
            }
            faults += charger.statusFaults.compactMap(\.truth)
        }
        faults += sessions.compactMap { Self.blockedBay($0, runEnd: end) }
        return GroundTruth(sessions: sessions, faults: faults)
    }

    /// A bay left blocked: an OCPP session still plugged in well past the detector's default 30 minutes after
    /// charging ended (35 minutes: the sampling interval blurs the end of charging by up to a minute).
    static func blockedBay(_ session: TrueSession, runEnd: Int64) -> InjectedFault? {
        guard session.protocol != .everest, let chargingEnded = session.chargingEndedAt else { return nil }
        let blockedFrom = chargingEnded + 30 * 60_000
        let freed = session.unpluggedAt ?? runEnd
        guard freed - chargingEnded > 35 * 60_000 else { return nil }
        return InjectedFault(kind: .bayBlocked, origin: .natural, charger: session.charger, evse: session.evse,
                             startedAt: blockedFrom, endedAt: freed, count: 1)
    }
}
