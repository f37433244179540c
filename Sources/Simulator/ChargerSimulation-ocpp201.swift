/// OCPP 2.0.1: BootNotification, StatusNotification (Occupied/Available), Heartbeat and TransactionEvent Started /
/// Updated / Ended with `seqNo`, `transactionInfo.chargingState` and meter values with `unitOfMeasure`. The
/// transaction starts when the cable is plugged in and ends when it is pulled or the driver stops it.
extension ChargerSimulation {
    /// What meter values a TransactionEvent carries.
    enum TransactionMeter {
        case none
        /// The energy register alone, with this context (Transaction.Begin / Transaction.End).
        case register(StaticString)
        /// A full periodic sample.
        case sample
    }

    mutating func boot201(at time: Int64, into outbox: inout Outbox) {
        let vendor = charger.vendor
        let model = charger.model
        let interval = tickInterval / 1000
        call("BootNotification", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.key("chargingStation")
            buffer.beginObject()
            buffer.key("model")
            buffer.string(model)
            buffer.key("vendorName")
            buffer.string(vendor)
            buffer.endObject()
            buffer.key("reason")
            buffer.string("PowerUp")
            buffer.endObject()
        }, answer: { buffer, now in
            buffer.beginObject()
            buffer.key("currentTime")
            buffer.timestamp(now)
            buffer.key("interval")
            buffer.integer(interval)
            buffer.key("status")
            buffer.string("Accepted")
            buffer.endObject()
        })
        for evse in charger.evses {
            status201(evseID: evse.id, "Available", at: time, into: &outbox)
        }
    }

    mutating func status201(evseID: Int, _ status: StaticString, at time: Int64, into outbox: inout Outbox) {
        call("StatusNotification", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.key("timestamp")
            buffer.timestamp(time)
            buffer.key("connectorStatus")
            buffer.string(status)
            buffer.key("evseId")
            buffer.integer(evseID)
            buffer.key("connectorId")
            buffer.integer(1)
            buffer.endObject()
        })
    }

    mutating func publish201(_ event: ConnectorEvent, connector index: Int, at time: Int64, into outbox: inout Outbox) {
        let evseID = connectors[index].evse.id
        guard let plan = connectors[index].session else { return }
        switch event {
        case .plugIn:
            status201(evseID: evseID, "Occupied", at: time, into: &outbox)
            connectors[index].transactionID = plan.transactionUUID
            connectors[index].sequenceNumber = 0
            transactionEvent201(connector: index, at: time, "Started", trigger: "CablePluggedIn", state: "EVConnected",
                                meter: .register("Transaction.Begin"), into: &outbox)
        case .authorize:
            transactionEvent201(connector: index, at: time, "Updated", trigger: "Authorized", state: "EVConnected",
                                idToken: plan.idTag, into: &outbox)
        case .startCharging, .resume:
            transactionEvent201(connector: index, at: time, "Updated", trigger: "ChargingStateChanged", state: "Charging",
                                into: &outbox)
        case .suspend, .full:
            transactionEvent201(connector: index, at: time, "Updated", trigger: "ChargingStateChanged",
                                state: "SuspendedEV", into: &outbox)
        case .sample:
            let state: StaticString = switch plan.phase(at: time) {
            case .charging: "Charging"
            case .suspendedEV: "SuspendedEV"
            default: "EVConnected"
            }
            transactionEvent201(connector: index, at: time, "Updated", trigger: "MeterValuePeriodic", state: state,
                                meter: .sample, into: &outbox)
        case .stop:
            switch plan.ending {
            case .evDisconnected:
                transactionEvent201(connector: index, at: time, "Ended", trigger: "EVDeparted", state: "Idle",
                                    stoppedReason: "EVDisconnected", meter: .register("Transaction.End"), into: &outbox)
            case .local:
                transactionEvent201(connector: index, at: time, "Ended", trigger: "StopAuthorized", state: "EVConnected",
                                    idToken: plan.idTag, stoppedReason: "Local", meter: .register("Transaction.End"),
                                    into: &outbox)
            case .remote:
                transactionEvent201(connector: index, at: time, "Ended", trigger: "RemoteStop", state: "EVConnected",
                                    stoppedReason: "Remote", meter: .register("Transaction.End"), into: &outbox)
            }
            connectors[index].transactionID = nil
        case .unplug:
            status201(evseID: evseID, "Available", at: time, into: &outbox)
        }
    }

    /// One TransactionEvent; only the first of a transaction names its EVSE, as chargers do.
    mutating func transactionEvent201(connector index: Int, at time: Int64, _ eventType: StaticString,
                                      trigger: StaticString, state: StaticString, idToken: String? = nil,
                                      stoppedReason: StaticString? = nil, meter: TransactionMeter = .none,
                                      into outbox: inout Outbox) {
        guard let transactionID = connectors[index].transactionID else { return }
        let sequenceNumber = connectors[index].sequenceNumber
        connectors[index].sequenceNumber += 1
        let evseID: Int? = sequenceNumber == 0 ? connectors[index].evse.id : nil
        var sample: MeterSample?
        var registerWh: Int64 = 0
        var registerContext: StaticString = "Sample.Periodic"
        switch meter {
        case .none:
            break
        case .register(let context):
            registerWh = Int64(connectors[index].registerWh(at: time).rounded(.down))
            registerContext = context
        case .sample:
            sample = connectors[index].measure(at: time)
        }
        call("TransactionEvent", at: time, into: &outbox, payload: { buffer in
            buffer.beginObject()
            buffer.key("eventType")
            buffer.string(eventType)
            buffer.key("timestamp")
            buffer.timestamp(time)
            buffer.key("triggerReason")
            buffer.string(trigger)
            buffer.key("seqNo")
            buffer.integer(sequenceNumber)
            buffer.key("offline")
            buffer.boolean(false)
            if let evseID {
                buffer.key("evse")
                buffer.beginObject()
                buffer.key("id")
                buffer.integer(evseID)
                buffer.key("connectorId")
                buffer.integer(1)
                buffer.endObject()
            }
            if let idToken {
                buffer.key("idToken")
                buffer.beginObject()
                buffer.key("idToken")
                buffer.string(idToken)
                buffer.key("type")
                buffer.string("ISO14443")
                buffer.endObject()
            }
            buffer.key("transactionInfo")
            buffer.beginObject()
            buffer.key("transactionId")
            buffer.string(transactionID)
            buffer.key("chargingState")
            buffer.string(state)
            if let stoppedReason {
                buffer.key("stoppedReason")
                buffer.string(stoppedReason)
            }
            buffer.endObject()
            if let sample {
                buffer.key("meterValue")
                buffer.beginArray()
                Self.writeMeterValue201(&buffer, sample: sample)
                buffer.endArray()
            } else if case .register = meter {
                buffer.key("meterValue")
                buffer.beginArray()
                buffer.beginObject()
                buffer.key("timestamp")
                buffer.timestamp(time)
                buffer.key("sampledValue")
                buffer.beginArray()
                Self.writeSampledValue201(&buffer, registerWh, decimals: 3, "Energy.Active.Import.Register", unit: "kWh",
                                          context: registerContext)
                buffer.endArray()
                buffer.endObject()
                buffer.endArray()
            }
            buffer.endObject()
        }, answer: { buffer, _ in
            buffer.beginObject()
            if idToken != nil {
                buffer.key("idTokenInfo")
                buffer.beginObject()
                buffer.key("status")
                buffer.string("Accepted")
                buffer.endObject()
            }
            buffer.endObject()
        })
    }

    /// A periodic MeterValue: AC sends energy (kWh), power (W), current and voltage per wired phase; DC sends energy,
    /// power in kW (`multiplier` 3), current, voltage and the car's state of charge.
    static func writeMeterValue201(_ buffer: inout PayloadBuffer, sample: MeterSample) {
        buffer.beginObject()
        buffer.key("timestamp")
        buffer.timestamp(sample.timestamp)
        buffer.key("sampledValue")
        buffer.beginArray()
        writeSampledValue201(&buffer, sample.registerWholeWh, decimals: 3, "Energy.Active.Import.Register", unit: "kWh")
        if sample.isDC {
            writeSampledValue201(&buffer, sample.powerW / 10, decimals: 2, "Power.Active.Import", unit: "W", multiplier: 3)
            writeSampledValue201(&buffer, sample.currentCentiamps[0], decimals: 2, "Current.Import", unit: "A")
            writeSampledValue201(&buffer, sample.voltageDecivolts[0], decimals: 1, "Voltage", unit: "V")
            if let soc = sample.socPercent {
                writeSampledValue201(&buffer, Int64(soc), decimals: 0, "SoC", unit: "Percent", location: "EV")
            }
        } else {
            writeSampledValue201(&buffer, sample.powerW, decimals: 0, "Power.Active.Import", unit: "W")
            for (phase, amps) in sample.currentCentiamps.enumerated() {
                writeSampledValue201(&buffer, amps, decimals: 2, "Current.Import", unit: "A",
                                     phase: phaseNames[phase])
            }
            for (phase, volts) in sample.voltageDecivolts.enumerated() {
                writeSampledValue201(&buffer, volts, decimals: 1, "Voltage", unit: "V", phase: voltagePhaseNames[phase])
            }
        }
        buffer.endArray()
        buffer.endObject()
    }

    /// One sampled value: a JSON number, with `unitOfMeasure`.
    static func writeSampledValue201(_ buffer: inout PayloadBuffer, _ mantissa: Int64, decimals: Int,
                                     _ measurand: StaticString, unit: StaticString, multiplier: Int? = nil,
                                     phase: StaticString? = nil, location: StaticString? = nil,
                                     context: StaticString = "Sample.Periodic") {
        buffer.beginObject()
        buffer.key("value")
        buffer.fixed(mantissa, decimals: decimals)
        buffer.key("context")
        buffer.string(context)
        buffer.key("measurand")
        buffer.string(measurand)
        if let phase {
            buffer.key("phase")
            buffer.string(phase)
        }
        if let location {
            buffer.key("location")
            buffer.string(location)
        }
        buffer.key("unitOfMeasure")
        buffer.beginObject()
        buffer.key("unit")
        buffer.string(unit)
        if let multiplier {
            buffer.key("multiplier")
            buffer.integer(multiplier)
        }
        buffer.endObject()
        buffer.endObject()
    }
}
