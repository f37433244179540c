import Foundation  // Data(base64Encoded:), for payload_base64 lines only
import JSONTape
import Telemetry

extension FixtureLine {
    /// Parses one line (without its newline) into a message, or throws why it is not one (a tick line or the tick
    /// header is `.notAMessage`; `decodeLine` reads those).
    ///
    /// Makes a parser for this one call. Code that decodes many lines keeps a `JSONTape` and calls
    /// `decode(_:using:)`, as `FixtureReader` does.
    public static func decode(_ line: some Collection<UInt8>) throws(FixtureLineError) -> InboundMessage {
        try decode(line, using: JSONTape())
    }

    /// Parses one message line (without its newline) with `tape`, which is reused from line to line.
    ///
    /// The tape keeps its node buffer between lines, so a line costs one pass over its bytes plus the topic string,
    /// the payload array, and a scratch copy of any string value with escapes (typical of JSON payloads). No
    /// Foundation call is made except to decode `payload_base64`. `tape` must not be used by another thread meanwhile.
    public static func decode(
        _ line: some Collection<UInt8>, using tape: JSONTape
    ) throws(FixtureLineError) -> InboundMessage {
        switch try decodeLine(line, using: tape) {
        case .message(let message): return message
        case .tick: throw .notAMessage("a tick line")
        case .tickHeader: throw .notAMessage("the tick header")
        }
    }

    /// Parses one line (without its newline) of any kind: a message, a tick line or the tick header.
    public static func decodeLine(
        _ line: some Collection<UInt8>, using tape: JSONTape = JSONTape()
    ) throws(FixtureLineError) -> FixtureLineContent {
        let decoded = line.withContiguousStorageIfAvailable { bytes in
            Result { () throws(FixtureLineError) in try decode(contiguous: bytes, using: tape) }
        }
        if let decoded { return try decoded.get() }
        return try Array(line).withUnsafeBufferPointer { bytes in
            Result { () throws(FixtureLineError) in try decode(contiguous: bytes, using: tape) }
        }.get()
    }

    private static func decode(
        contiguous bytes: UnsafeBufferPointer<UInt8>, using tape: JSONTape
    ) throws(FixtureLineError) -> FixtureLineContent {
        let root: JSONRef
        do {
            root = try tape.parse(bytes)
        } catch {
            throw .invalidJSON(detail: error.problem == .empty ? "the line is empty" : error.description)
        }
        guard root.kind == .object else { throw .notAnObject }
        var members = Members()
        try root.forEachMember { (key, value) throws(FixtureLineError) in try members.take(key, value) }

        if let ticks = members.ticks {
            if let other = members.present(["received_at", "topic", "qos", "retain", "payload", "payload_base64", "tick"]) {
                throw .notInTickHeader(other)
            }
            guard ticks.string == "recorded" else { throw .wrongType(key: "ticks", expected: #"the string "recorded""#) }
            return .tickHeader
        }
        if let tick = members.tick {
            if let other = members.present(["topic", "qos", "retain", "payload", "payload_base64"]) {
                throw .notInTickLine(other)
            }
            guard tick.boolValue == true else { throw .wrongType(key: "tick", expected: "true") }
            guard let receivedAtValue = members.receivedAt else { throw .missingKey("received_at") }
            return .tick(at: try timestamp(receivedAtValue))
        }

        guard let receivedAtValue = members.receivedAt else { throw .missingKey("received_at") }
        let receivedAt = try timestamp(receivedAtValue)

        guard let topicValue = members.topic else { throw .missingKey("topic") }
        guard let topic = topicValue.string else { throw .wrongType(key: "topic", expected: "a string") }
        guard !topic.isEmpty else { throw .emptyTopic }

        var qos: UInt8 = 0
        if let qosValue = members.qos {
            guard let value = integer(qosValue) else { throw .wrongType(key: "qos", expected: "the integer 0, 1 or 2") }
            guard (0...2).contains(value) else { throw .qosOutOfRange(value) }
            qos = UInt8(value)
        }

        var retained = false
        if let retainValue = members.retain {
            guard let value = retainValue.boolValue else { throw .wrongType(key: "retain", expected: "true or false") }
            retained = value
        }

        let payload: [UInt8]
        switch (members.payload, members.payloadBase64) {
        case (.some, .some):
            throw .conflictingPayloadKeys
        case (.some(let text), nil):
            guard let bytes = text.withStringBytes({ Array($0) }) else {
                throw .wrongType(key: "payload", expected: "a string")
            }
            payload = bytes
        case (nil, .some(let encoded)):
            guard let encoded = encoded.string else {
                throw .wrongType(key: "payload_base64", expected: "a base64 string")
            }
            guard let data = Data(base64Encoded: encoded) else { throw .invalidBase64 }
            payload = Array(data)
        case (nil, nil):
            throw .missingKey("payload")
        }
        return .message(InboundMessage(receivedAt: receivedAt, topic: topic, qos: qos, retained: retained, payload: payload))
    }

    /// `received_at`: an RFC 3339 string with a zone, or an integer of epoch milliseconds.
    private static func timestamp(_ value: JSONRef) throws(FixtureLineError) -> Int64 {
        switch value.kind {
        case .string:
            do throws(Timestamp.Failure) {
                // withStringBytes returns nil only for non-strings.
                return try value.withStringBytes { (text) throws(Timestamp.Failure) in try Timestamp.parse(text) }!
            } catch {
                throw .invalidTimestamp(value.string ?? "")
            }
        case .number:
            if let milliseconds = integer(value) { return milliseconds }
        default:
            break
        }
        throw .wrongType(
            key: "received_at",
            expected: "a string like \"2026-11-21T12:00:00.123Z\" or an integer of epoch milliseconds (64-bit)")
    }

    /// A JSON integer literal (no fraction, no exponent) that fits in Int64; nil for anything else, `1.0` and `1e3`
    /// included. The tape has already checked the number's grammar.
    private static func integer(_ value: JSONRef) -> Int64? {
        let parsed = value.withNumberBytes { text -> Int64? in
            let negative = text.first == UInt8(ascii: "-")
            var i = negative ? 1 : 0
            guard i < text.count else { return nil }
            var result: Int64 = 0
            while i < text.count {
                let c = text[i]
                guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
                let digit = Int64(c &- UInt8(ascii: "0"))
                // Accumulate towards the sign, so that Int64.min (whose magnitude Int64 cannot hold) parses.
                let (shifted, overflowShift) = result.multipliedReportingOverflow(by: 10)
                let (next, overflowDigit) =
                    negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !overflowShift && !overflowDigit else { return nil }
                result = next
                i += 1
            }
            return result
        }
        return parsed ?? nil
    }
}

/// The values of one line's keys, gathered in one pass over its members.
private struct Members {
    var receivedAt: JSONRef?
    var topic: JSONRef?
    var qos: JSONRef?
    var retain: JSONRef?
    var payload: JSONRef?
    var payloadBase64: JSONRef?
    /// A tick line's `tick` and the tick header's `ticks`.
    var tick: JSONRef?
    var ticks: JSONRef?

    /// The first of `keys` the line has, in that order.
    func present(_ keys: [String]) -> String? {
        keys.first { key in
            switch key {
            case "received_at": receivedAt != nil
            case "topic": topic != nil
            case "qos": qos != nil
            case "retain": retain != nil
            case "payload": payload != nil
            case "payload_base64": payloadBase64 != nil
            case "tick": tick != nil
            default: false
            }
        }
    }

    /// Files `value` under `key`, refusing keys the format does not define and keys seen before.
    mutating func take(_ key: UnsafeBufferPointer<UInt8>, _ value: JSONRef) throws(FixtureLineError) {
        if JSONDecoding.equals(key, "received_at") {
            try Self.fill(&receivedAt, "received_at", value)
        } else if JSONDecoding.equals(key, "topic") {
            try Self.fill(&topic, "topic", value)
        } else if JSONDecoding.equals(key, "qos") {
            try Self.fill(&qos, "qos", value)
        } else if JSONDecoding.equals(key, "retain") {
            try Self.fill(&retain, "retain", value)
        } else if JSONDecoding.equals(key, "payload") {
            try Self.fill(&payload, "payload", value)
        } else if JSONDecoding.equals(key, "payload_base64") {
            try Self.fill(&payloadBase64, "payload_base64", value)
        } else if JSONDecoding.equals(key, "tick") {
            try Self.fill(&tick, "tick", value)
        } else if JSONDecoding.equals(key, "ticks") {
            try Self.fill(&ticks, "ticks", value)
        } else {
            throw .unknownKey(String(decoding: key, as: UTF8.self))
        }
    }

    private static func fill(_ slot: inout JSONRef?, _ key: String, _ value: JSONRef) throws(FixtureLineError) {
        guard slot == nil else { throw .duplicateKey(key) }
        slot = value
    }
}
