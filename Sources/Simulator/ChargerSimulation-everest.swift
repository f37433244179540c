import Telemetry

/// EVerest: the `powermeter` module variable (`{"data": {...}, "msg_type": "Var"}`) every `everestInterval`, and the
/// API module's `session_info` with it and on every change of the session's state.
extension ChargerSimulation {
    mutating func publishEVerest(at time: Int64, into outbox: inout Outbox) {
        for index in connectors.indices {
            let sample = connectors[index].measure(at: time)
            var buffer = PayloadBuffer()
            Self.writePowermeter(&buffer, sample: sample, meterID: "\(charger.id)-PM\(connectors[index].evse.id)")
            let receivedAt = link.receiveTime(publishedAt: time)
            outbox.post(InboundMessage(receivedAt: receivedAt, topic: SimulatorTopics.everestPowermeter(charger.id),
                                       qos: 0, payload: buffer.bytes))
            publishSessionInfo(connector: index, at: time, into: &outbox)
        }
    }

    mutating func publishSessionInfo(connector index: Int, at time: Int64, into outbox: inout Outbox) {
        let plan = connectors[index].session
        let state: StaticString
        switch plan?.phase(at: time) {
        case .connected?: state = time < (plan?.authorizeAt ?? time) ? "AuthRequired" : "Preparing"
        case .charging?: state = "Charging"
        case .suspendedEV?: state = "ChargingPausedEV"
        case .finishing?: state = "Finished"
        case .ended?, nil: state = "Unplugged"
        }
        let ended = plan.map { time >= $0.unplugAt } ?? true
        var buffer = PayloadBuffer()
        buffer.beginObject()
        buffer.key("state")
        buffer.string(state)
        buffer.key("charged_energy_wh")
        buffer.fixed(ended ? 0 : Int64(((plan?.energyWh(at: time) ?? 0) * 10).rounded(.down)), decimals: 1)
        buffer.key("discharged_energy_wh")
        buffer.integer(0)
        buffer.key("latest_total_w")
        buffer.fixed(Int64(((plan?.powerW(at: time) ?? 0) * 10).rounded()), decimals: 1)
        buffer.key("charging_duration_s")
        buffer.integer(ended ? 0 : (plan?.chargingMilliseconds(at: time) ?? 0) / 1000)
        buffer.key("datetime")
        buffer.timestamp(time)
        buffer.endObject()
        let receivedAt = link.receiveTime(publishedAt: time)
        let topic = SimulatorTopics.everestSessionInfo(charger.id, evse: connectors[index].evse.id)
        outbox.post(InboundMessage(receivedAt: receivedAt, topic: topic, qos: 0, payload: buffer.bytes))
    }

    /// The powermeter variable: energy (Wh, 1 decimal) in total and per phase, power, voltage, current, frequency.
    static func writePowermeter(_ buffer: inout PayloadBuffer, sample: MeterSample, meterID: String) {
        buffer.beginObject()
        buffer.key("data")
        buffer.beginObject()
        buffer.key("timestamp")
        buffer.timestamp(sample.timestamp)
        buffer.key("meter_id")
        buffer.string(meterID)
        buffer.key("energy_Wh_import")
        buffer.beginObject()
        buffer.key("total")
        buffer.fixed(Int64((sample.registerWh * 10).rounded(.down)), decimals: 1)
        for (phase, wh) in sample.phaseRegistersWh.enumerated() {
            buffer.key(phaseNames[phase])
            buffer.fixed(Int64((wh * 10).rounded(.down)), decimals: 1)
        }
        buffer.endObject()
        buffer.key("power_W")
        buffer.beginObject()
        buffer.key("total")
        buffer.fixed(sample.powerW * 10, decimals: 1)
        for (phase, watts) in sample.phasePowerW.enumerated() {
            buffer.key(phaseNames[phase])
            buffer.fixed(watts * 10, decimals: 1)
        }
        buffer.endObject()
        buffer.key("voltage_V")
        buffer.beginObject()
        for (phase, volts) in sample.voltageDecivolts.enumerated() {
            buffer.key(phaseNames[phase])
            buffer.fixed(volts, decimals: 1)
        }
        buffer.endObject()
        buffer.key("current_A")
        buffer.beginObject()
        for (phase, amps) in sample.currentCentiamps.enumerated() {
            buffer.key(phaseNames[phase])
            buffer.fixed(amps, decimals: 2)
        }
        buffer.endObject()
        buffer.key("frequency_Hz")
        buffer.beginObject()
        buffer.key("L1")
        buffer.fixed(sample.frequencyCentihertz, decimals: 2)
        buffer.endObject()
        buffer.endObject()
        buffer.key("msg_type")
        buffer.string("Var")
        buffer.endObject()
    }
}
