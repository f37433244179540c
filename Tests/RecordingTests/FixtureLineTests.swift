import JSONTape
import Recording
import Telemetry
import Testing

@Suite("Fixture line format")
struct FixtureLineTests {
    static let heartbeat = InboundMessage(
        receivedAt: 1_795_262_400_123, topic: "ocpp/CP-1/in", qos: 1, retained: false,
        text: #"[2,"19","Heartbeat",{}]"#)

    @Test func encodesTheDocumentedExampleExactly() {
        let line = String(decoding: FixtureLine.encode(Self.heartbeat), as: UTF8.self)
        #expect(
            line == #"{"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"[2,\"19\",\"Heartbeat\",{}]"}"#
        )
    }

    @Test func decodesTheDocumentedExample() throws {
        let line = #"{"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"[2,\"19\",\"Heartbeat\",{}]"}"#
        #expect(try FixtureLine.decode(Array(line.utf8)) == Self.heartbeat)
    }

    @Test func escapesControlCharactersQuotesAndBackslashes() throws {
        let text = "a\"b\\c\n\r\t\u{08}\u{0C}\u{00}\u{1B}\u{7F}\u{2028}\u{2029}é/"
        let message = InboundMessage(receivedAt: 0, topic: "t/\"q\"", qos: 0, text: text)
        let line = String(decoding: FixtureLine.encode(message), as: UTF8.self)
        #expect(line.contains(#""payload":"a\"b\\c\n\r\t\b\f\u0000\u001b"#))
        #expect(line.contains("\u{7F}\u{2028}\u{2029}é/\""))  // raw: valid JSON, and JSON Lines splits only on \n
        #expect(line.contains(#""topic":"t/\"q\"""#))
        #expect(!line.utf8.contains(0x0A))
        #expect(try FixtureLine.decode(Array(line.utf8)) == message)
    }

    @Test func nonUTF8PayloadIsBase64() throws {
        let message = InboundMessage(receivedAt: 5, topic: "bin", qos: 2, retained: true, payload: [0xFF, 0x00, 0xC3, 0x28])
        let line = String(decoding: FixtureLine.encode(message), as: UTF8.self)
        #expect(line == #"{"received_at":"1970-01-01T00:00:00.005Z","topic":"bin","qos":2,"retain":true,"payload_base64":"/wDDKA=="}"#)
        #expect(try FixtureLine.decode(Array(line.utf8)) == message)
    }

    @Test func emptyPayloadIsEmptyText() throws {
        let message = InboundMessage(receivedAt: 0, topic: "t", payload: [])
        #expect(String(decoding: FixtureLine.encode(message), as: UTF8.self).hasSuffix(#""payload":""}"#))
        #expect(try FixtureLine.decode(FixtureLine.encode(message)) == message)
    }

    @Test(
        "timestamps",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ])
    func timestamps(milliseconds: Int64, text: String) throws {
        let message = InboundMessage(receivedAt: milliseconds, topic: "t", text: "")
        let line = String(decoding: FixtureLine.encode(message), as: UTF8.self)
        #expect(line.hasPrefix(#"{"received_at":"\#(text)","#))
        #expect(try FixtureLine.decode(Array(line.utf8)).receivedAt == milliseconds)
    }

    @Test func timestampsOutsideFourDigitYearsAreWrittenAsIntegers() throws {
        for ms in [Int64.min, -62_167_219_200_001, 253_402_300_800_000, Int64.max] {
            let message = InboundMessage(receivedAt: ms, topic: "t", text: "")
            let line = String(decoding: FixtureLine.encode(message), as: UTF8.self)
            #expect(line.hasPrefix(#"{"received_at":\#(ms),"#))
            #expect(try FixtureLine.decode(Array(line.utf8)).receivedAt == ms)
        }
    }

    @Test(
        "RFC 3339 timestamps with any zone and precision",
        arguments: [
            ("2026-11-21T12:00:00.123Z", Int64(1_795_262_400_123)),
            ("2026-11-21T12:00:00Z", 1_795_262_400_000),
            ("2026-11-21T12:00:00.5Z", 1_795_262_400_500),
            ("2026-11-21T12:00:00.123456789Z", 1_795_262_400_123),
            ("2026-11-21T13:00:00+01:00", 1_795_262_400_000),
            ("2026-11-21T12:00:00.123+00:00", 1_795_262_400_123),
            ("2026-11-21T07:00:00.123-05:00", 1_795_262_400_123),
            ("2026-11-21 12:00:00.123Z", 1_795_262_400_123),
            ("2026-11-21t12:00:00,5z", 1_795_262_400_500),
            ("2026-11-21T07:00:00-0500", 1_795_262_400_000),
            ("2026-12-31T23:59:60.5Z", 1_798_761_600_500),
            ("2026-11-21T23:59:60.000Z", 1_795_305_600_000),  // a leap second reads as the next second
            ("1969-12-31T23:59:59.999Z", -1),
        ])
    func readerAcceptsTimestampsWithAZone(text: String, milliseconds: Int64) throws {
        let line = #"{"received_at":"\#(text)","topic":"t","payload":"x"}"#
        #expect(try FixtureLine.decode(Array(line.utf8)).receivedAt == milliseconds)
        // Written back, the time is canonical: UTC with three fraction digits.
        let message = InboundMessage(receivedAt: milliseconds, topic: "t", text: "x")
        #expect(String(decoding: FixtureLine.encode(message), as: UTF8.self).hasPrefix(
            #"{"received_at":"\#(Timestamp.format(milliseconds))","#))
    }

    @Test func integersAtTheEdgesOfInt64AreRead() throws {
        for (text, value) in [("-9223372036854775808", Int64.min), ("9223372036854775807", Int64.max), ("-0", 0)] {
            let line = #"{"received_at":\#(text),"topic":"t","payload":"x","qos":-0}"#
            #expect(try FixtureLine.decode(Array(line.utf8)).receivedAt == value, "\(text)")
        }
    }

    @Test func escapedKeysAndStringsAreDecoded() throws {
        let line = #"{"\u0072eceived_at":"2026-11-21T12:00:00.123\u005a","topic":"a\/b","payload":"\u00e9\ud83d\ude00\u0000"}"#
        let message = try FixtureLine.decode(Array(line.utf8))
        #expect(message == InboundMessage(receivedAt: 1_795_262_400_123, topic: "a/b", qos: 0, text: "é😀\u{0}"))
    }

    @Test func oneTapeDecodesManyLinesAndRecoversFromBadOnes() throws {
        let tape = JSONTape()
        let lines = [
            #"{"received_at":0,"topic":"a","payload":"[1,2,{\"k\":[3]}]","qos":2}"#,
            #"{"received_at":0,"topic":"b","payload":"x","#,
            #"{"received_at":1,"topic":"c","payload_base64":"/wDDKA==","retain":true}"#,
            #"{"received_at":"2026-11-21T12:00:00.123Z","topic":"d","payload":""}"#,
        ]
        var results: [String] = []
        for line in lines {
            do throws(FixtureLineError) {
                let message = try FixtureLine.decode(Array(line.utf8)[...], using: tape)
                results.append("\(message.topic) \(message.receivedAt) \(message.qos) \(message.retained) \(message.payload.count)")
            } catch {
                results.append(Self.summary(error))
            }
        }
        #expect(results == ["a 0 2 false 15", "invalidJSON", "c 1 0 true 4", "d 1795262400123 0 false 0"])
    }

    @Test func nonContiguousInputIsDecoded() throws {
        let line = #"{"received_at":0,"topic":"t","payload":"x"}"#
        let message = try FixtureLine.decode(line.utf8.lazy.map { $0 })  // a collection without contiguous storage
        #expect(message == InboundMessage(receivedAt: 0, topic: "t", qos: 0, text: "x"))
    }

    @Test func readerAcceptsIntegerTimeAnyKeyOrderAndDefaults() throws {
        let line = #"{"payload":"x","topic":"a/b","received_at":1795262400123}"#
        let message = try FixtureLine.decode(Array(line.utf8))
        #expect(message == InboundMessage(receivedAt: 1_795_262_400_123, topic: "a/b", qos: 0, retained: false, text: "x"))
    }

    @Test(
        "malformed lines",
        arguments: [
            (#"{"received_at":"2026-11-21T12:00:00.123Z","topic":"t","payload":"x""#, "invalidJSON"),
            (#"[1,2]"#, "notAnObject"),
            (#"{"received_at":0,"topic":"t","payload":"x","extra":1}"#, "unknownKey(extra)"),
            (#"{"topic":"t","payload":"x"}"#, "missingKey(received_at)"),
            (#"{"received_at":0,"payload":"x"}"#, "missingKey(topic)"),
            (#"{"received_at":0,"topic":"t"}"#, "missingKey(payload)"),
            (#"{"received_at":0,"topic":"t","payload":"x","payload_base64":"eA=="}"#, "conflictingPayloadKeys"),
            (#"{"received_at":0,"topic":"","payload":"x"}"#, "emptyTopic"),
            (#"{"received_at":0,"topic":7,"payload":"x"}"#, "wrongType(topic)"),
            (#"{"received_at":0,"topic":"t","payload":null}"#, "wrongType(payload)"),
            (#"{"received_at":0,"topic":"t","payload_base64":"!!"}"#, "invalidBase64"),
            (#"{"received_at":0,"topic":"t","payload_base64":3}"#, "wrongType(payload_base64)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":3}"#, "qosOutOfRange(3)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":-1}"#, "qosOutOfRange(-1)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":1.0}"#, "wrongType(qos)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":true}"#, "wrongType(qos)"),
            (#"{"received_at":0,"topic":"t","payload":"x","retain":1}"#, "wrongType(retain)"),
            (#"{"received_at":0,"topic":"t","payload":"x","retain":"false"}"#, "wrongType(retain)"),
            (#"{"received_at":1.5,"topic":"t","payload":"x"}"#, "wrongType(received_at)"),
            (#"{"received_at":true,"topic":"t","payload":"x"}"#, "wrongType(received_at)"),
            (#"{"received_at":99999999999999999999,"topic":"t","payload":"x"}"#, "wrongType(received_at)"),
            (#"{"received_at":"2026-11-21T12:00:00.123","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-11-21T12:00:00","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-11-21","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-11-21T12:00:00+25:00","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-02-29T12:00:00.123Z","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-13-01T12:00:00.123Z","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-11-21T24:00:00.000Z","topic":"t","payload":"x"}"#, "invalidTimestamp"),
            (#"{"received_at":"2026-11-21T12:00:00.123Z","topic":"t","payload":"x","topic":"u"}"#, "duplicateKey(topic)"),
            (#"{"received_at":0,"topic":"t","payload":"x","\u0070ayload":"y"}"#, "duplicateKey(payload)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":1,"qos":1}"#, "duplicateKey(qos)"),
            (#"{"received_at":-9223372036854775809,"topic":"t","payload":"x"}"#, "wrongType(received_at)"),
            (#"{"received_at":1e3,"topic":"t","payload":"x"}"#, "wrongType(received_at)"),
            (#"{"received_at":null,"topic":"t","payload":"x"}"#, "wrongType(received_at)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":99999999999999999999}"#, "wrongType(qos)"),
            (#"{"received_at":0,"topic":"t","payload":"x","qos":1e0}"#, "wrongType(qos)"),
            (#"{"received_at":0,"topic":["t"],"payload":"x"}"#, "wrongType(topic)"),
            (#"{"received_at":0,"topic":"t","payload":{}}"#, "wrongType(payload)"),
            (#""just a string""#, "notAnObject"),
            (#"{"received_at":0,"topic":"t","payload":"\ud800"}"#, "invalidJSON"),
            (#"{"received_at":0,"topic":"t","payload":"x"} {}"#, "invalidJSON"),
            ("", "invalidJSON"),
        ])
    func malformed(line: String, expected: String) {
        let error = #expect(throws: FixtureLineError.self) { try FixtureLine.decode(Array(line.utf8)) }
        guard let error else { return }
        #expect(Self.summary(error) == expected, "\(line) -> \(error)")
        #expect(!error.description.isEmpty)
    }

    @Test func invalidUTF8InsideJSONIsMalformed() {
        let line = Array(#"{"received_at":0,"topic":"t","payload":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        let error = #expect(throws: FixtureLineError.self) { try FixtureLine.decode(line) }
        #expect(error.map(Self.summary) == "invalidJSON")
    }

    @Test func errorMessagesSayWhatIsExpected() {
        #expect(
            FixtureLineError.unknownKey("extra").description
                == #"unknown key "extra"; the keys are received_at, topic, qos, retain, payload, payload_base64"#)
        #expect(FixtureLineError.qosOutOfRange(3).description == "qos 3 is not 0, 1 or 2")
        #expect(FixtureLineError.invalidTimestamp("x").description.contains("2026-11-21T12:00:00.123Z"))
        #expect(FixtureLineError.invalidTimestamp("x").description.contains("RFC 3339"))
        #expect(FixtureLineError.invalidTimestamp("2026-11-21T12:00:00.123").description.contains("has no zone"))
        #expect(FixtureLineError.duplicateKey("qos").description == #"key "qos" appears twice; each key may appear once"#)
        #expect(FixtureLineError.invalidJSON(detail: "d").description == "not valid JSON: d")
    }

    @Test func invalidJSONSaysWhatAndWhere() {
        let torn = #"{"received_at":"2026-11-21T12:00:02.000Z","topic":"ocpp/CP-1/in","pay"#
        let error = #expect(throws: FixtureLineError.self) { try FixtureLine.decode(Array(torn.utf8)) }
        #expect(error == .invalidJSON(detail: "the document ends too early (truncated JSON) at byte 69"))
        let empty = #expect(throws: FixtureLineError.self) { try FixtureLine.decode([UInt8]()) }
        #expect(empty == .invalidJSON(detail: "the line is empty"))
    }

    /// A short, comparable name for an error case.
    static func summary(_ error: FixtureLineError) -> String {
        switch error {
        case .invalidJSON: return "invalidJSON"
        case .notAnObject: return "notAnObject"
        case .unknownKey(let key): return "unknownKey(\(key))"
        case .duplicateKey(let key): return "duplicateKey(\(key))"
        case .missingKey(let key): return "missingKey(\(key))"
        case .wrongType(let key, _): return "wrongType(\(key))"
        case .invalidTimestamp: return "invalidTimestamp"
        case .qosOutOfRange(let value): return "qosOutOfRange(\(value))"
        case .emptyTopic: return "emptyTopic"
        case .conflictingPayloadKeys: return "conflictingPayloadKeys"
        case .invalidBase64: return "invalidBase64"
        case .lineTooLong: return "lineTooLong"
        case .notInTickLine(let key): return "notInTickLine(\(key))"
        case .notInTickHeader(let key): return "notInTickHeader(\(key))"
        case .tickWithoutHeader: return "tickWithoutHeader"
        case .misplacedTickHeader: return "misplacedTickHeader"
        case .notAMessage: return "notAMessage"
        }
    }
}
