import Testing
import Telemetry

@Suite struct EVerestAndCompactTests {
    @Test func everestPowermeter() throws {
        let output = try accepted(decode("""
        {"data":{"timestamp":"2026-11-21T12:00:00.250Z","meter_id":"m1","energy_Wh_import":{"total":150123.5,"L1":50000.1},\
        "power_W":{"total":-1200.5,"L1":-400},"voltage_V":{"L1":231.2,"L2":230.9,"L3":229.7},"current_A":{"L1":5.2,"N":0.1},\
        "frequency_Hz":{"L1":50.01}},"msg_type":"Var"}
        """, .everest, topic: "everest-CP-1/modules/powermeter/impl/main/var/powermeter"))
        #expect(output.messageType == "everest.powermeter")
        #expect(output.reading(.energyActiveImportRegister)?.value == 150123.5)
        #expect(output.reading(.energyActiveImportRegister, phase: .l1)?.value == 50000.1)
        #expect(output.reading(.powerActiveImport)?.value == -1200.5)  // negative = export
        #expect(output.reading(.voltage, phase: .l2n)?.value == 230.9)
        #expect(output.reading(.currentImport, phase: .n)?.value == 0.1)
        #expect(output.reading(.frequency, phase: .l1)?.value == 50.01)
        #expect(output.readings.allSatisfy { $0.timestamp == 1_795_262_400_250 && $0.series.evse == 1 })
    }

    @Test func everestEpochSecondsTimestamp() throws {
        let output = try accepted(decode("""
        {"data":{"timestamp":1795262400.5,"energy_Wh_import":{"total":1}},"msg_type":"Var"}
        """, .everest))
        #expect(output.readings.first?.timestamp == 1_795_262_400_500)
    }

    @Test func everestSessionInfo() throws {
        let source = Payloads.source(.everest, evse: 2)
        let output = try accepted(decode("""
        {"state":"ChargingPausedEV","charged_energy_wh":8100.5,"charging_duration_s":3600,"latest_total_w":0}
        """, source: source, topic: "CP-1/everest_api/2/var/session_info", at: 5000))
        let change = try #require(output.statusChanges.first)
        #expect(change.status == .suspendedEV && change.evse == 2 && change.sessionEnergyWh == 8100.5)
        #expect(change.timestamp == 5000 && !change.timestampFromCharger)
        // The powermeter variable is the meter; session_info's latest_total_w would duplicate it.
        #expect(output.readings.isEmpty)
    }

    @Test func compactForm() throws {
        let output = try accepted(decode(Payloads.compact, .compact, topic: "ev/depot/CP-1/2/meter"))
        #expect(output.reading(.energyActiveImportRegister)?.value == 1234.5)
        #expect(output.reading(.powerActiveImport)?.value == 7200)
        #expect(output.reading(.currentImport, phase: .l3)?.value == 10.0)
        #expect(output.reading(.voltage, phase: .l1n)?.value == 230.1)
        #expect(output.reading(.soc)?.value == 54)
        #expect(output.readings.allSatisfy { $0.transactionId == "T-9" && $0.series.evse == 2 && $0.series.connector == 1 })
        #expect(output.statusChanges.first?.status == .charging)
    }

    @Test func compactEpochMillisAndTransactionEvents() throws {
        let output = try accepted(decode("""
        {"ts":1795262400000,"energy_kwh":"10.5","event":"ended","tx":"T-1","reason":"Local"}
        """, .compact))
        #expect(output.readings.first?.value == 10500 && output.readings.first?.timestamp == 1_795_262_400_000)
        let ended = try #require(output.transactionEvents.first)
        #expect(ended.kind == .ended && ended.meterStopWh == 10500 && ended.stopReason == "Local")
    }

    @Test(arguments: [
        (#"{"ts":"2026-11-21T12:00:00Z","energy_Wh":1}"#, RejectReason.unknownField),
        (#"{"energy_wh":1}"#, .missingField),
        (#"{"ts":"2026-11-21T12:00:00Z","power_w":"fast"}"#, .notANumber),
        (#"{"ts":"2026-11-21T12:00:00Z","current_a":[1,2,3,4]}"#, .impossibleValue),
        (#"{"ts":"2026-11-21T12:00:00Z","status":"Sleeping"}"#, .unknownEnumValue),
        (#"{"ts":"2026-11-21T12:00:00Z","event":"ended"}"#, .missingField),
    ])
    func compactProblems(text: String, reason: RejectReason) {
        #expect(refused(decode(text, .compact))?.reason == reason)
    }

    @Test func autoRecognisesEveryFormat() throws {
        #expect(try accepted(decode(Payloads.meterValues16, .auto)).readings.count == 8)
        #expect(try accepted(decode(Payloads.compact, .auto)).readings.count == 9)
        #expect(try accepted(decode(#"{"data":{"timestamp":"2026-11-21T12:00:00Z","power_W":{"total":5}},"msg_type":"Var"}"#, .auto))
            .readings.count == 1)
        #expect(refused(decode(#"{"hello":"world"}"#, .auto))?.reason == .unknownMessage)
    }
}
