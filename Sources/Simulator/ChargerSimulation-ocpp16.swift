/// OCPP 1.6J: BootNotification, StatusNotification, Heartbeat, StartTransaction (whose result carries the
/// transaction id), MeterValues with eight sampled values (AC) and StopTransaction, each answered by the back-end.
extension ChargerSimulation {
    mutating func boot16(at time: Int64, into outbox: inout Outbox) {
        let vendor = charger.vendor
        let model = charger.model
        let interval = tickInterval / 1000
        call("BootNotification", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.key("chargePointVendor")
            buffer.string(vendor)
            buffer.key("chargePointModel")
            buffer.string(model)
            buffer.endObject()
        }, answer: { buffer, now in
            buffer.beginObject()
            buffer.key("status")
            buffer.string("Accepted")
            buffer.key("currentTime")
            buffer.timestamp(now)
            buffer.key("interval")
            buffer.integer(interval)
            buffer.endObject()
        })
        // Connector 0 is the charger as a whole.
        status16(connectorID: 0, "Available", at: time, into: &outbox)
        for evse in charger.evses {
            status16(connectorID: evse.id, "Available", at: time, into: &outbox)
        }
    }

    mutating func status16(connectorID: Int, _ status: StaticString, at time: Int64, into outbox: inout Outbox) {
        call("StatusNotification", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.key("connectorId")
            buffer.integer(connectorID)
            buffer.key("errorCode")
            buffer.string("NoError")
            buffer.key("status")
            buffer.string(status)
            buffer.key("timestamp")
            buffer.timestamp(time)
            buffer.endObject()
        })
    }

    mutating func publish16(_ event: ConnectorEvent, connector index: Int, at time: Int64, into outbox: inout Outbox,
                            backEnd: inout SimulatedBackEnd) {
        let connectorID = connectors[index].evse.id
        guard let plan = connectors[index].session else { return }
        switch event {
        case .plugIn:
            status16(connectorID: connectorID, "Preparing", at: time, into: &outbox)
        case .authorize:
            let meterStart = Int64(connectors[index].registerWh(at: time).rounded(.down))
            let transactionID = backEnd.assignTransactionID()
            connectors[index].transactionID = String(transactionID)
            let idTag = plan.idTag
            call("StartTransaction", at: time, into: &outbox, payload: { buffer in
                buffer.beginObject()
                buffer.key("connectorId")
                buffer.integer(connectorID)
                buffer.key("idTag")
                buffer.string(idTag)
                buffer.key("meterStart")
                buffer.integer(meterStart)
                buffer.key("timestamp")
                buffer.timestamp(time)
                buffer.endObject()
            }, answer: { buffer, _ in
                buffer.beginObject()
                buffer.key("idTagInfo")
                buffer.beginObject()
                buffer.key("status")
                buffer.string("Accepted")
                buffer.endObject()
                buffer.key("transactionId")
                buffer.integer(transactionID)
                buffer.endObject()
            })
        case .startCharging, .resume:
            status16(connectorID: connectorID, "Charging", at: time, into: &outbox)
        case .suspend, .full:
            status16(connectorID: connectorID, "SuspendedEV", at: time, into: &outbox)
        case .sample:
            guard let transactionID = connectors[index].transactionID.flatMap({ Int64($0) }) else { return }
            let sample = connectors[index].measure(at: time)
            call("MeterValues", at: time, into: &outbox, payload: { buffer in
                Self.writeMeterValues16(&buffer, connectorID: connectorID, transactionID: transactionID, sample: sample)
            })
        case .stop:
            guard let transactionID = connectors[index].transactionID.flatMap({ Int64($0) }) else { return }
            connectors[index].transactionID = nil
            let meterStop = Int64(connectors[index].registerWh(at: time).rounded(.down))
            let idTag: String? = plan.ending == .local ? plan.idTag : nil
            let reason: StaticString = switch plan.ending {
            case .evDisconnected: "EVDisconnected"
            case .local: "Local"
            case .remote: "Remote"
            }
            call("StopTransaction", at: time, into: &outbox, payload: { buffer in
                buffer.beginObject()
                if let idTag {
                    buffer.key("idTag")
                    buffer.string(idTag)
                }
                buffer.key("meterStop")
                buffer.integer(meterStop)
                buffer.key("timestamp")
                buffer.timestamp(time)
                buffer.key("transactionId")
                buffer.integer(transactionID)
                buffer.key("reason")
                buffer.string(reason)
                buffer.endObject()
            }, answer: { buffer, _ in
                buffer.beginObject()
                if idTag != nil {
                    buffer.key("idTagInfo")
                    buffer.beginObject()
                    buffer.key("status")
                    buffer.string("Accepted")
                    buffer.endObject()
                }
                buffer.endObject()
            })
            if plan.ending != .evDisconnected {
                status16(connectorID: connectorID, "Finishing", at: time, into: &outbox)
            }
        case .unplug:
            status16(connectorID: connectorID, "Available", at: time, into: &outbox)
        }
    }

    /// MeterValues: AC sends the energy register (kWh, 3 decimals), power (W), then current and voltage per wired
    /// phase; DC sends energy, power, current, voltage and the car's state of charge.
    static func writeMeterValues16(_ buffer: inout PayloadBuffer, connectorID: Int, transactionID: Int64,
                                   sample: MeterSample) {
        buffer.beginObject()
        buffer.key("connectorId")
        buffer.integer(connectorID)
        buffer.key("transactionId")
        buffer.integer(transactionID)
        buffer.key("meterValue")
        buffer.beginArray()
        buffer.beginObject()
        buffer.key("timestamp")
        buffer.timestamp(sample.timestamp)
        buffer.key("sampledValue")
        buffer.beginArray()
        writeSampledValue16(&buffer, sample.registerWholeWh, decimals: 3, "Energy.Active.Import.Register", unit: "kWh")
        writeSampledValue16(&buffer, sample.powerW, decimals: 0, "Power.Active.Import", unit: "W")
        if sample.isDC {
            writeSampledValue16(&buffer, sample.currentCentiamps[0], decimals: 2, "Current.Import", unit: "A")
            writeSampledValue16(&buffer, sample.voltageDecivolts[0], decimals: 1, "Voltage", unit: "V")
            if let soc = sample.socPercent {
                writeSampledValue16(&buffer, Int64(soc), decimals: 0, "SoC", unit: "Percent", location: "EV")
            }
        } else {
            for (phase, amps) in sample.currentCentiamps.enumerated() {
                writeSampledValue16(&buffer, amps, decimals: 2, "Current.Import", unit: "A", phase: phaseNames[phase])
            }
            for (phase, volts) in sample.voltageDecivolts.enumerated() {
                writeSampledValue16(&buffer, volts, decimals: 1, "Voltage", unit: "V", phase: voltagePhaseNames[phase])
            }
        }
        buffer.endArray()
        buffer.endObject()
        buffer.endArray()
        buffer.endObject()
    }

    /// One sampled value, its number as text as OCPP 1.6 wants, with every attribute spelt out.
    static func writeSampledValue16(_ buffer: inout PayloadBuffer, _ mantissa: Int64, decimals: Int,
                                    _ measurand: StaticString, unit: StaticString, phase: StaticString? = nil,
                                    location: StaticString = "Outlet") {
        buffer.beginObject()
        buffer.key("value")
        buffer.quotedFixed(mantissa, decimals: decimals)
        buffer.key("context")
        buffer.string("Sample.Periodic")
        buffer.key("format")
        buffer.string("Raw")
        buffer.key("measurand")
        buffer.string(measurand)
        if let phase {
            buffer.key("phase")
            buffer.string(phase)
        }
        buffer.key("location")
        buffer.string(location)
        buffer.key("unit")
        buffer.string(unit)
        buffer.endObject()
    }
}
