import Simulator
import Telemetry
import Testing

/// Everything the simulator emits must decode without rejection, and what it decodes to must make sense.
@Suite struct DecodingTests {
    @Test func anHourOfTwentyChargersDecodesCleanly() throws {
        let simulation = try TestSimulations.hourOfTwentyChargers()
        var audit = StreamAudit(fleet: simulation.fleet, start: TestSimulations.start)
        for message in simulation { audit.audit(message) }
        audit.finish()

        #expect(audit.rejections.isEmpty, "\(audit.rejections.count) rejected, e.g. \(audit.rejections.prefix(3))")
        #expect(audit.problems.isEmpty, "\(audit.problems.count) problems, e.g. \(audit.problems.prefix(5))")
        #expect(audit.messages > 3000)
        #expect(audit.payloadFormats == [.ocpp16, .ocpp201, .everest])
        for measurand in [Measurand.energyActiveImportRegister, .powerActiveImport, .currentImport, .voltage, .frequency] {
            #expect(audit.readings[measurand, default: 0] > 100, "\(measurand.rawValue) readings")
        }
        #expect(audit.started >= 5, "sessions start within the hour")
        #expect(audit.maxPowerW > 50_000, "some DC charging")
        #expect(audit.rawStatuses.isSuperset(of: ["Available", "Preparing", "Charging", "Occupied", "Unplugged"]))
    }

    @Test func aDayCoversTheWholeLifeOfSessions() throws {
        let simulation = try TestSimulations.dayOfTwentyChargers()
        var audit = StreamAudit(fleet: simulation.fleet, start: simulation.settings.start)
        for message in simulation { audit.audit(message) }
        audit.finish()

        #expect(audit.rejections.isEmpty, "\(audit.rejections.count) rejected, e.g. \(audit.rejections.prefix(3))")
        #expect(audit.problems.isEmpty, "\(audit.problems.count) problems, e.g. \(audit.problems.prefix(5))")
        #expect(audit.ended > 50)
        #expect(audit.started - audit.ended == audit.open.count, "every started transaction ended or is still open")
        #expect(audit.stopReasons == ["EVDisconnected", "Local", "Remote"])
        // OCPP 1.6, 2.0.1 and EVerest states: paused and full cars, cars left plugged in after the transaction.
        #expect(audit.rawStatuses.isSuperset(of: [
            "Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Occupied",
            "Unplugged", "AuthRequired", "Preparing", "Charging", "ChargingPausedEV", "Finished",
        ]))
        #expect(audit.triggerReasons.isSuperset(of: [
            "CablePluggedIn", "Authorized", "ChargingStateChanged", "MeterValuePeriodic", "EVDeparted",
            "StopAuthorized", "RemoteStop",
        ]))
        #expect(audit.readings[.soc, default: 0] > 100)
    }
}
