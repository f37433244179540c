import Testing
import Telemetry

@Suite struct OCPP201DecodingTests {
    @Test func transactionEventWithMultipliers() throws {
        let output = try accepted(decode(Payloads.transactionEvent201, .ocpp201))
        let event = try #require(output.transactionEvents.first)
        #expect(event.kind == .updated)
        #expect(event.transactionId == "b7e1c9a2-1f00-4c1e-9a7b-1d2e3f405060")
        #expect(event.seqNo == 3 && event.offline == false && event.chargingState == "Charging")
        #expect(event.triggerReason == "MeterValuePeriodic")
        #expect(event.evse == 2 && event.connector == 1)
        #expect(output.reading(.energyActiveImportRegister)?.value == 12345)
        #expect(output.reading(.powerActiveImport)?.value == 7200)  // 72 × 10^2
        #expect(output.reading(.powerActiveImport)?.decimals == -2)
        #expect(output.reading(.soc)?.value == 55)
        #expect(output.reading(.currentImport, phase: .l1)?.value == 31.5)
        #expect(output.readings.allSatisfy { $0.transactionId == event.transactionId && $0.series.evse == 2 })
    }

    @Test func laterEventsWithoutEvseArePlacedByTheTap() throws {
        let decoder = TelemetryDecoder()
        _ = try accepted(decode(Payloads.transactionEvent201, decoder: decoder))
        let ended = try accepted(decode("""
        [2,"te-9","TransactionEvent",{"eventType":"Ended","timestamp":"2026-11-21T13:00:00Z","triggerReason":"EVDeparted","seqNo":9,\
        "offline":true,"transactionInfo":{"transactionId":"b7e1c9a2-1f00-4c1e-9a7b-1d2e3f405060","stoppedReason":"EVDisconnected"}}]
        """, decoder: decoder))
        let event = try #require(ended.transactionEvents.first)
        #expect(event.kind == .ended && event.offline && event.stopReason == "EVDisconnected" && event.evse == 2)
    }

    @Test func startedEventKeepsTheIdToken() throws {
        let output = try accepted(decode("""
        [2,"a","TransactionEvent",{"eventType":"Started","timestamp":"2026-11-21T11:00:00Z","triggerReason":"CablePluggedIn","seqNo":0,\
        "evse":{"id":1},"idToken":{"idToken":"DEADBEEF","type":"ISO14443"},"transactionInfo":{"transactionId":"tx-1","chargingState":"EVConnected"}}]
        """))
        let event = try #require(output.transactionEvents.first)
        #expect(event.kind == .started && event.idTag == "DEADBEEF" && event.connector == 1 && event.chargingState == "EVConnected")
    }

    @Test func signedMeterValueTravelsWithTheReading() throws {
        let output = try accepted(decode("""
        [2,"m","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[{"value":1000.5,\
        "context":"Transaction.Begin","signedMeterValue":{"signedMeterData":"b64data==","signingMethod":"ECDSA-secp256r1-SHA256",\
        "encodingMethod":"OCMF","publicKey":"pk"}}]}]}]
        """))
        #expect(output.readings.first?.value == 1000.5)
        let signed = try #require(output.signedValues.first)
        #expect(signed.data == "b64data==" && signed.encodingMethod == "OCMF" && signed.signingMethod == "ECDSA-secp256r1-SHA256")
        #expect(signed.context == .transactionBegin)
    }

    @Test func statusNotification() throws {
        let output = try accepted(decode("""
        [2,"s","StatusNotification",{"timestamp":"2026-11-21T12:00:00Z","connectorStatus":"Occupied","evseId":1,"connectorId":1}]
        """))
        let change = try #require(output.statusChanges.first)
        #expect(change.status == .occupied && change.evse == 1 && change.connector == 1)
    }

    @Test func mainMeterOnEvseZero() throws {
        let output = try accepted(decode("""
        [2,"m","MeterValues",{"evseId":0,"meterValue":[{"timestamp":"2026-11-21T12:00:00Z","sampledValue":[{"value":5,"unitOfMeasure":{"unit":"kWh","multiplier":3}}]}]}]
        """))
        #expect(output.readings.first?.value == 5_000_000)  // 5 × 10^3 kWh
        #expect(output.readings.first?.series.evse == 0 && output.readings.first?.series.connector == 0)
    }
}
