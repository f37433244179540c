import Testing
import Telemetry

@Suite struct MalformedPayloadTests {
    static func meterValue(_ sampled: String, timestamp: String = "2026-11-21T12:00:00Z") -> String {
        """
        [2,"1","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"\(timestamp)","sampledValue":[{"value":"1"},{"value":"2"},\(sampled)]}]}]
        """
    }

    @Test func theErrorNamesTheFieldAndTheProblem() {
        let error = refused(decode(Self.meterValue(#"{"value":"abc"}"#)))
        #expect(error?.reason == .notANumber)
        #expect(error?.description == "meterValue[0].sampledValue[2].value: 'abc' is not a number")
    }

    @Test(arguments: [
        (#"{"value":"NaN"}"#, RejectReason.nonFinite, "meterValue[0].sampledValue[2].value"),
        (#"{"value":"Infinity","measurand":"Voltage"}"#, .nonFinite, "meterValue[0].sampledValue[2].value"),
        (#"{"value":"1e300","measurand":"Power.Active.Import"}"#, .impossibleValue, "meterValue[0].sampledValue[2].value"),
        (#"{"value":"-5"}"#, .impossibleValue, "meterValue[0].sampledValue[2].value"),
        (#"{"value":"150","measurand":"SoC"}"#, .impossibleValue, "meterValue[0].sampledValue[2].value"),
        (#"{"value":"1","measurand":"Energy.Active.Import.Regster"}"#, .unknownMeasurand, "meterValue[0].sampledValue[2].measurand"),
        (#"{"value":"1","unit":"Joule"}"#, .unknownUnit, "meterValue[0].sampledValue[2].unit"),
        (#"{"value":"1","unit":"W"}"#, .unitMismatch, "meterValue[0].sampledValue[2].unit"),
        (#"{"value":"1","phase":"L4"}"#, .unknownEnumValue, "meterValue[0].sampledValue[2].phase"),
        (#"{"value":"1","context":"Sample.Sometimes"}"#, .unknownEnumValue, "meterValue[0].sampledValue[2].context"),
        (#"{"value":"1","format":"Cooked"}"#, .unknownEnumValue, "meterValue[0].sampledValue[2].format"),
        (#"{"value":true}"#, .wrongType, "meterValue[0].sampledValue[2].value"),
        (#"{"unit":"Wh"}"#, .missingField, "meterValue[0].sampledValue[2].value"),
        (#"{"value":"1","measurand":7}"#, .wrongType, "meterValue[0].sampledValue[2].measurand"),
    ])
    func sampledValueProblems(sampled: String, reason: RejectReason, path: String) {
        let error = refused(decode(Self.meterValue(sampled)))
        #expect(error?.reason == reason)
        #expect(error?.path == path)
    }

    @Test(arguments: [
        ("2026-11-21T12:00:00", RejectReason.timestampWithoutZone),
        ("21.11.2026 12:00", .badTimestamp),
        ("2026-02-30T12:00:00Z", .badTimestamp),
    ])
    func timestampProblems(timestamp: String, reason: RejectReason) {
        let error = refused(decode(Self.meterValue(#"{"value":"3"}"#, timestamp: timestamp)))
        #expect(error?.reason == reason)
        #expect(error?.path == "meterValue[0].timestamp")
    }

    @Test func invalidUTF8() {
        var bytes = Array(Payloads.meterValues16.utf8)
        bytes[60] = 0xC3  // a lead byte followed by ASCII
        var output = DecodeOutput()
        let message = InboundMessage(receivedAt: 0, topic: "ocpp/CP-1/in", payload: bytes)
        #expect(throws: DecodeError.self) { try TelemetryDecoder().decode(message, source: Payloads.source(.ocppJ), into: &output) }
        do throws(DecodeError) {
            try TelemetryDecoder().decode(message, source: Payloads.source(.ocppJ), into: &output)
        } catch {
            #expect(error.reason == .invalidUTF8)
        }
    }

    @Test func truncatedJSONAtEveryLength() {
        let full = Array(Payloads.meterValues16.utf8)
        let decoder = TelemetryDecoder()
        for length in 0..<full.count {
            var output = DecodeOutput()
            let message = InboundMessage(receivedAt: 0, topic: "t", payload: Array(full[0..<length]))
            do throws(DecodeError) {
                try decoder.decode(message, source: Payloads.source(.ocppJ), into: &output)
                Issue.record("accepted a payload truncated to \(length) bytes")
            } catch {
                #expect(error.reason == .malformedJSON, "length \(length)")
                #expect(output.isEmpty)
            }
        }
    }

    @Test func oversizedPayloadsAreRefusedBeforeParsing() {
        let decoder = TelemetryDecoder(maxPayloadBytes: 1 << 20)
        let huge = "[2,\"1\",\"DataTransfer\",{\"vendorId\":\"x\",\"data\":\"" + String(repeating: "a", count: 1 << 20) + "\"}]"
        let error = refused(decode(huge, decoder: decoder))
        #expect(error?.reason == .payloadTooLarge)
        // Just under the limit: decoded, without a crash.
        let big = "[2,\"1\",\"DataTransfer\",{\"vendorId\":\"x\",\"data\":\"" + String(repeating: "a", count: (1 << 20) - 100) + "\"}]"
        #expect((try? decode(big, decoder: decoder).get())?.messageType == "DataTransfer")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(refused(decode(deep))?.reason == .malformedJSON)
    }

    @Test(arguments: ["", "   ", "nul", "[2,\"1\",\"Heartbeat\",{}] x", "{\"a\":1,}", "[01]", "\"\\x\""])
    func notJSON(text: String) {
        #expect(refused(decode(text))?.reason == .malformedJSON)
    }

    @Test func aRefusedMessageLeavesEarlierOutputAlone() throws {
        let decoder = TelemetryDecoder()
        var output = DecodeOutput()
        try decoder.decode(Payloads.message(Payloads.meterValues16), source: Payloads.source(.ocppJ), into: &output)
        #expect(output.readings.count == 8)
        #expect(throws: DecodeError.self) {
            try decoder.decode(Payloads.message(Self.meterValue(#"{"value":"x"}"#)), source: Payloads.source(.ocppJ), into: &output)
        }
        #expect(output.readings.count == 8)
        #expect(output.messageType == "MeterValues")
    }
}
