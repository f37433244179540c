import Telemetry

/// One charger over simulated time: it boots, keeps in touch (heartbeats, or EVerest's periodic variables) and
/// publishes what its connectors do in its protocol.
///
/// The protocol-specific messages live in `ChargerSimulation-ocpp16.swift`, `-ocpp201.swift` and `-everest.swift`.
struct ChargerSimulation: Sendable {
    let charger: SimulatedCharger
    var connectors: [ConnectorSimulation]
    var link: ChargerLink
    let inTopic: String
    let outTopic: String
    /// Heartbeat interval (OCPP) or publishing interval (EVerest), ms.
    let tickInterval: Int64
    /// Boot first, then the heartbeat (OCPP) or the next `powermeter` (EVerest).
    private(set) var nextTick: Int64
    private var booted = false
    /// Injected Faulted statuses (`--faults`).
    var statusFaults: [StatusFault] = []
    /// How far the charger's clock is off (`FaultKind.clockSkew`), ms; applied to its requests' timestamps.
    var clockOffset: Int64 = 0
    /// Its sessions that ended (unplugged), for the ground truth.
    private(set) var finishedSessions: [TrueSession] = []

    init(charger: SimulatedCharger, index: Int, site: SimulatedSite, settings: SimulationSettings, idTags: [String]) {
        self.charger = charger
        var random = SimulationRandom(seed: settings.seed, stream: RandomStream.charger, UInt64(index))
        // Chargers come up within the first 20 s, each at its own moment.
        let bootAt = settings.start + Int64(random.integer(0...20)) * 1000
        let sampling: ConnectorSimulation.Sampling = switch charger.protocol {
        case .ocpp16: .fromAuthorization
        case .ocpp201: .fromPlugIn
        case .everest: .none
        }
        connectors = charger.evses.map {
            ConnectorSimulation(evse: $0, site: site, sampling: sampling, sampleInterval: settings.meterValueInterval,
                                idTags: idTags, bootAt: bootAt, seed: settings.seed, chargerIndex: index)
        }
        link = ChargerLink(random: SimulationRandom(seed: settings.seed, stream: RandomStream.link, UInt64(index)))
        inTopic = SimulatorTopics.ocppIn(charger.id)
        outTopic = SimulatorTopics.ocppOut(charger.id)
        tickInterval = charger.protocol == .everest ? settings.everestInterval : settings.heartbeatInterval
        nextTick = bootAt
    }

    /// The charger's own wake-up: the boot, then heartbeats or EVerest's periodic variables.
    mutating func tick(at time: Int64, into outbox: inout Outbox) {
        switch charger.protocol {
        case .ocpp16: booted ? heartbeat(at: time, into: &outbox) : boot16(at: time, into: &outbox)
        case .ocpp201: booted ? heartbeat(at: time, into: &outbox) : boot201(at: time, into: &outbox)
        case .everest: publishEVerest(at: time, into: &outbox)
        }
        booted = true
        nextTick = time + tickInterval
        if !statusFaults.isEmpty { stepStatusFaults(at: time, into: &outbox) }
    }

    /// Connector `index`'s wake-up: whatever falls due on it at `time`, as messages.
    mutating func wakeConnector(_ index: Int, at time: Int64, into outbox: inout Outbox, backEnd: inout SimulatedBackEnd) {
        let events = connectors[index].events(at: time)
        switch charger.protocol {
        case .ocpp16:
            for event in events { publish16(event, connector: index, at: time, into: &outbox, backEnd: &backEnd) }
        case .ocpp201:
            for event in events { publish201(event, connector: index, at: time, into: &outbox) }
        case .everest:
            // EVerest reports the session's state, once for all that changed at this instant.
            if !events.isEmpty { publishSessionInfo(connector: index, at: time, into: &outbox) }
        }
        if let transactionID = connectors[index].transactionID { connectors[index].lastTransactionID = transactionID }
        if events.contains(.unplug) {
            if let truth = connectors[index].trueSession(charger: charger.id, protocol: charger.protocol, runEnd: time) {
                finishedSessions.append(truth)
            }
            connectors[index].finishSession(at: time)
        }
    }

    /// OCPP and EVerest phase names, L1 to L3: currents, powers and energies per phase.
    static let phaseNames: [StaticString] = ["L1", "L2", "L3"]
    /// OCPP phase names of phase-to-neutral voltages.
    static let voltagePhaseNames: [StaticString] = ["L1-N", "L2-N", "L3-N"]

    /// Heartbeat, the same in both OCPP versions: an empty request, the back-end's clock in the result.
    mutating func heartbeat(at time: Int64, into outbox: inout Outbox) {
        call("Heartbeat", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.endObject()
        }, answer: { buffer, now in
            buffer.beginObject()
            buffer.key("currentTime")
            buffer.timestamp(now)
            buffer.endObject()
        })
    }

    /// Publishes an OCPP-J CALL at `time` and the back-end's CALLRESULT to it. The builders write the payload
    /// objects; `answer` gets the result's receive time (the back-end's clock).
    mutating func call(_ action: StaticString, at time: Int64, into outbox: inout Outbox,
                       payload: (inout PayloadBuffer) -> Void,
                       answer: (inout PayloadBuffer, Int64) -> Void = { buffer, _ in buffer.beginObject(); buffer.endObject() }) {
        let id = link.nextMessageID()
        let callAt = link.receiveTime(publishedAt: time)
        var request = PayloadBuffer()
        request.clockOffset = clockOffset
        request.beginCall(id: id, action: action)
        payload(&request)
        request.endArray()
        outbox.post(InboundMessage(receivedAt: callAt, topic: inTopic, qos: 1, payload: request.bytes))

        let answerAt = link.answerTime(after: callAt)
        var result = PayloadBuffer()
        result.beginResult(id: id)
        answer(&result, answerAt)
        result.endArray()
        outbox.post(InboundMessage(receivedAt: answerAt, topic: outTopic, qos: 1, payload: result.bytes))
    }
}
