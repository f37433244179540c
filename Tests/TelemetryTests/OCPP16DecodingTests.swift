import Testing
import Telemetry

@Suite struct OCPP16DecodingTests {
    @Test func meterValuesCarryEverySampledValueInCanonicalUnits() throws {
        let output = try accepted(decode(Payloads.meterValues16, .ocpp16))
        #expect(output.messageType == "MeterValues")
        #expect(output.readings.count == 8)
        let energy = try #require(output.reading(.energyActiveImportRegister))
        #expect(energy.value == 12345)  // 12.345 kWh, exactly
        #expect(energy.decimals == 0)
        #expect(energy.timestamp == 1_795_262_400_000)
        #expect(energy.transactionId == "4711")
        #expect(energy.series == Series(site: "depot", charger: "CP-1", evse: 1, connector: 1,
                                        measurand: .energyActiveImportRegister, phase: nil, location: .outlet))
        #expect(output.reading(.powerActiveImport)?.value == 7200.5)
        #expect(output.reading(.currentImport, phase: .l2)?.value == 10.38)
        #expect(output.reading(.currentImport, phase: .l2)?.decimals == 2)
        #expect(output.reading(.voltage, phase: .l3n)?.value == 231.0)
        #expect(output.reading(.voltage, phase: .l3n)?.decimals == 1)
    }

    @Test func absentFieldsTakeTheSpecDefaults() throws {
        let output = try accepted(decode("""
        [2,"1","MeterValues",{"connectorId":0,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[{"value":" 1500"}]}]}]
        """))
        let reading = try #require(output.readings.first)
        #expect(reading.series.measurand == .energyActiveImportRegister)
        #expect(reading.series.location == .outlet)
        #expect(reading.series.phase == nil)
        #expect(reading.context == .samplePeriodic)
        #expect(reading.value == 1500)
        // Connector 0 is the main meter, kept apart from the connectors.
        #expect(reading.series.evse == 0 && reading.series.connector == 0)
        #expect(reading.transactionId == nil)
    }

    @Test func unitsAreNormalized() throws {
        let output = try accepted(decode("""
        [2,"1","MeterValues",{"connectorId":2,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[\
        {"value":"7.2","measurand":"Power.Active.Import","unit":"kW"},{"value":"86","measurand":"Temperature","unit":"Fahrenheit"},\
        {"value":"300.15","measurand":"Temperature","unit":"K","location":"Body"},{"value":"40","measurand":"Temperature","unit":"Celcius","location":"Cable"},\
        {"value":"80","measurand":"SoC","unit":"Percent","location":"EV"},{"value":"49.98","measurand":"Frequency"},\
        {"value":"1.2","measurand":"Energy.Reactive.Import.Register","unit":"kvarh"}]}]}]
        """))
        #expect(output.reading(.powerActiveImport)?.value == 7200)
        let temperatures = output.readings.filter { $0.series.measurand == .temperature }
        try #require(temperatures.count == 3)
        #expect(abs(temperatures[0].value - 30) < 1e-9)
        #expect(abs(temperatures[1].value - 27) < 1e-9)
        #expect(temperatures[1].series.location == .body)
        #expect(temperatures[2].value == 40 && temperatures[2].series.location == .cable)
        #expect(output.reading(.soc)?.series.location == .ev)
        #expect(output.reading(.energyReactiveImportRegister)?.value == 1200)
        #expect(output.readings.allSatisfy { $0.series.evse == 2 && $0.series.connector == 1 })
    }

    @Test func energyUnitOverrideFixesMislabelledChargers() throws {
        let source = Payloads.source(.ocpp16, quirks: ChargerQuirks(energyUnitOverride: .kwh))
        let output = try accepted(decode("""
        [2,"1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[{"value":"12.5","unit":"Wh"}]}]}]
        """, source: source))
        #expect(output.readings.first?.value == 12500)
    }

    @Test func signedDataIsKeptVerbatim() throws {
        let blob = "OCMF|{\\\"FV\\\":\\\"1.0\\\"}|{\\\"SA\\\":\\\"ECDSA\\\"}"
        let output = try accepted(decode("""
        [2,"1","MeterValues",{"connectorId":1,"transactionId":5,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[\
        {"value":"1000","context":"Transaction.Begin"},{"value":"\(blob)","format":"SignedData","context":"Transaction.Begin"}]}]}]
        """))
        #expect(output.readings.count == 1)
        let signed = try #require(output.signedValues.first)
        #expect(signed.data == "OCMF|{\"FV\":\"1.0\"}|{\"SA\":\"ECDSA\"}")
        #expect(signed.context == .transactionBegin)
        #expect(signed.transactionId == "5")
    }

    @Test func statusNotification() throws {
        let output = try accepted(decode("""
        [2,"9","StatusNotification",{"connectorId":1,"status":"SuspendedEV","errorCode":"NoError","timestamp":"2026-11-21T12:00:01Z",\
        "info":"car full","vendorId":"ACME","vendorErrorCode":"E0"}]
        """))
        let change = try #require(output.statusChanges.first)
        #expect(change.status == .suspendedEV)
        #expect(change.rawStatus == "SuspendedEV")
        #expect(change.errorCode == "NoError")
        #expect(change.info == "car full" && change.vendorId == "ACME" && change.vendorErrorCode == "E0")
        #expect(change.timestamp == 1_795_262_401_000 && change.timestampFromCharger)

        let noTime = try accepted(decode("""
        [2,"9","StatusNotification",{"connectorId":2,"status":"Faulted","errorCode":"GroundFailure"}]
        """, at: 42_000))
        #expect(noTime.statusChanges.first?.timestamp == 42_000)
        #expect(noTime.statusChanges.first?.timestampFromCharger == false)
        #expect(noTime.statusChanges.first?.status == .faulted)
    }

    @Test func startAndStopTransaction() throws {
        let decoder = TelemetryDecoder()
        let start = try accepted(decode("""
        [2,"s-1","StartTransaction",{"connectorId":2,"idTag":"04A2B3C4","meterStart":100000,"timestamp":"2026-11-21T11:00:00Z"}]
        """, decoder: decoder))
        let started = try #require(start.transactionEvents.first)
        #expect(started.kind == .started && started.transactionId == nil && started.idTag == "04A2B3C4")
        #expect(started.meterStartWh == 100000 && started.evse == 2 && started.messageId == "s-1")

        let result = try accepted(decode("""
        [3,"s-1",{"transactionId":77,"idTagInfo":{"status":"Accepted"}}]
        """, decoder: decoder, topic: "ocpp/CP-1/out"))
        let assigned = try #require(result.transactionEvents.first)
        #expect(assigned.kind == .idAssigned && assigned.transactionId == "77" && assigned.idTagStatus == "Accepted")
        #expect(assigned.evse == 2 && assigned.timestamp == started.timestamp && assigned.meterStartWh == 100000)

        let stop = try accepted(decode("""
        [2,"s-2","StopTransaction",{"transactionId":77,"meterStop":112500,"timestamp":"2026-11-21T12:00:00Z","reason":"EVDisconnected",\
        "transactionData":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[{"value":"112.5","unit":"kWh","context":"Transaction.End"}]}]}]
        """, decoder: decoder))
        let ended = try #require(stop.transactionEvents.first)
        #expect(ended.kind == .ended && ended.meterStopWh == 112500 && ended.stopReason == "EVDisconnected")
        // Placed on the connector the tap saw the transaction start on.
        #expect(ended.evse == 2 && ended.connector == 1)
        #expect(stop.readings.first?.value == 112500 && stop.readings.first?.context == .transactionEnd)
        #expect(stop.readings.first?.series.evse == 2)
    }

    @Test func stopOfAnUnseenTransactionIsUnattributedNotTheMainMeter() throws {
        let stop = try accepted(decode("""
        [2,"x","StopTransaction",{"transactionId":-1,"meterStop":5,"timestamp":"2026-11-21T12:00:00Z"}]
        """))
        let ended = try #require(stop.transactionEvents.first)
        #expect(ended.transactionId == "-1")
        #expect(ended.evse == -1)
    }

    @Test func transactionIdLearnedFromMeterValuesPlacesTheStop() throws {
        let decoder = TelemetryDecoder()
        _ = try accepted(decode(Payloads.meterValues16, decoder: decoder))
        let stop = try accepted(decode("""
        [2,"x","StopTransaction",{"transactionId":4711,"meterStop":12400,"timestamp":"2026-11-21T12:10:00Z"}]
        """, decoder: decoder))
        #expect(stop.transactionEvents.first?.evse == 1)
    }

    @Test func bareOCPP16PayloadsAreRecognisedByShapeOrTopic() throws {
        let byShape = try accepted(decode("""
        {"connectorId":1,"status":"Charging","errorCode":"NoError"}
        """, .ocpp16))
        #expect(byShape.statusChanges.first?.status == .charging)
        let byTopic = try accepted(decode("""
        {"connectorId":1,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[{"value":"1"}]}]}
        """, source: Payloads.source(.ocpp16, action: "MeterValues")))
        #expect(byTopic.readings.count == 1)
    }

    @Test func retainedDeliveriesAreMarked() throws {
        var output = DecodeOutput()
        let text = #"[2,"9","StatusNotification",{"connectorId":1,"status":"Available","errorCode":"NoError"}]"#
        let retained = InboundMessage(receivedAt: 1, topic: "ocpp/CP-1/in", qos: 1, retained: true, text: text)
        try TelemetryDecoder().decode(retained, source: Payloads.source(.ocpp16), into: &output)
        #expect(output.retained)
        #expect(output.statusChanges.first?.status == .available)
        output.removeAll()
        try TelemetryDecoder().decode(Payloads.message(text), source: Payloads.source(.ocpp16), into: &output)
        #expect(!output.retained)
    }

    @Test func messagesWithoutTelemetryAreDecodedEmpty() throws {
        let heartbeat = try accepted(decode(#"[2,"h","Heartbeat",{}]"#))
        #expect(heartbeat.isEmpty)
        #expect(heartbeat.messageType == "Heartbeat")
    }
}
