import Testing
import Telemetry

@Suite struct OCPPFrameTests {
    let start = """
    [2,"uid-1","StartTransaction",{"connectorId":1,"idTag":"TAG1","meterStart":0,"timestamp":"2026-11-21T11:00:00Z"}]
    """

    @Test func resultsCorrelateByChargerAndMessageId() throws {
        let decoder = TelemetryDecoder()
        _ = try accepted(decode(start, decoder: decoder, at: 1000))
        #expect(decoder.tracker.pendingCount == 1)
        // The same id from another charger is not this call's result.
        let other = MessageSource(origin: Origin(site: "depot", charger: "CP-2"), format: .ocppJ, fromBackend: true)
        let foreign = try accepted(decode(#"[3,"uid-1",{"transactionId":1,"idTagInfo":{"status":"Accepted"}}]"#,
                                         decoder: decoder, source: other, at: 1500))
        #expect(foreign.isEmpty)
        #expect(decoder.uncorrelatedResults == 1)
        let mine = try accepted(decode(#"[3,"uid-1",{"transactionId":9,"idTagInfo":{"status":"Blocked"}}]"#,
                                      decoder: decoder, at: 2000))
        #expect(mine.transactionEvents.first?.idTagStatus == "Blocked")
        #expect(mine.messageType == "StartTransaction.result")
        #expect(decoder.tracker.pendingCount == 0)
    }

    @Test func resultsOutsideTheWindowAreNotCorrelated() throws {
        let decoder = TelemetryDecoder(tracker: OCPPCallTracker(window: 60_000))
        _ = try accepted(decode(start, decoder: decoder, at: 0))
        let late = try accepted(decode(#"[3,"uid-1",{"transactionId":9,"idTagInfo":{"status":"Accepted"}}]"#,
                                      decoder: decoder, at: 60_001))
        #expect(late.isEmpty)
        #expect(decoder.tracker.expired == 1)
    }

    @Test func thePendingWindowIsBounded() throws {
        let decoder = TelemetryDecoder(tracker: OCPPCallTracker(maxPendingPerCharger: 8))
        for i in 0..<100 {
            _ = try accepted(decode(#"[2,"a-\#(i)","Authorize",{"idTag":"T"}]"#, decoder: decoder, at: Int64(i)))
        }
        #expect(decoder.tracker.pendingCount == 8)
    }

    @Test func callErrorAnswersItsCall() throws {
        let decoder = TelemetryDecoder()
        _ = try accepted(decode(start, decoder: decoder))
        let output = try accepted(decode(#"[4,"uid-1","InternalError","database down",{}]"#, decoder: decoder))
        guard case .callFailure(let failure)? = output.events.first else {
            Issue.record("no call failure: \(output.events)")
            return
        }
        #expect(failure.action == "StartTransaction" && failure.errorCode == "InternalError")
        #expect(failure.errorDescription == "database down")
    }

    @Test func backendCallsAreTrackedButCarryNoTelemetry() throws {
        let decoder = TelemetryDecoder()
        let command = try accepted(decode(#"[2,"r1","RemoteStopTransaction",{"transactionId":5}]"#, decoder: decoder,
                                          source: Payloads.source(.ocppJ, fromBackend: true)))
        #expect(command.isEmpty)
        let reply = try accepted(decode(#"[3,"r1",{"status":"Accepted"}]"#, decoder: decoder))
        #expect(reply.messageType == "RemoteStopTransaction.result")
    }

    @Test(arguments: [
        (#"[2,"1","Heartbeat"]"#, RejectReason.malformedFrame),
        (#"[5,"1",{}]"#, .malformedFrame),
        (#"[2,1,"Heartbeat",{}]"#, .wrongType),
        (#"[2,"","Heartbeat",{}]"#, .malformedFrame),
        (#"[2,"0123456789012345678901234567890123456","Heartbeat",{}]"#, .malformedFrame),
        (#"[2,"1","Heartbeat",[]]"#, .wrongType),
        (#"[3,"1"]"#, .malformedFrame),
        (#"[4,"1","E",{}]"#, .malformedFrame),
        (#""just text""#, .wrongType),
    ])
    func malformedFrames(text: String, reason: RejectReason) {
        #expect(refused(decode(text))?.reason == reason)
    }
}
