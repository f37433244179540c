import Foundation
import Telemetry

/// The fixture line format: one `InboundMessage` as one JSON object on one line (see docs/fixture-format.md).
///
///     {"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"[2,\"19\",\"Heartbeat\",{}]"}
///
/// Writing is exact and canonical: fixed key order, no spaces, `payload` when the bytes are valid UTF-8 and
/// `payload_base64` otherwise. Reading is strict about keys and types but accepts an integer `received_at`, absent
/// `qos` / `retain`, and any key order.
public enum FixtureLine {
    /// Every key a line may have, in the order writers emit them (`payload_base64` replaces `payload`).
    public static let keys = ["received_at", "topic", "qos", "retain", "payload", "payload_base64"]

    /// The line for `message`, without the terminating newline.
    public static func encode(_ message: InboundMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + message.topic.utf8.count + message.payload.count * 4 / 3)
        append(message, to: &out)
        out.removeLast()
        return out
    }

    /// Appends the line for `message` and its terminating `\n` to `out`.
    static func append(_ message: InboundMessage, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"received_at":"#.utf8)
        out.append(UInt8(ascii: "\""))
        if FixtureTimestamp.append(message.receivedAt, to: &out) {
            out.append(UInt8(ascii: "\""))
        } else {
            // Outside years 0000...9999 the text form does not exist; the integer form (which readers accept) does.
            out.removeLast()
            out.append(contentsOf: String(message.receivedAt).utf8)
        }
        out.append(contentsOf: #","topic":"#.utf8)
        appendJSONString(message.topic.utf8, to: &out)
        out.append(contentsOf: #","qos":"#.utf8)
        out.append(contentsOf: String(message.qos).utf8)
        out.append(contentsOf: message.retained ? #","retain":true"#.utf8 : #","retain":false"#.utf8)
        if String(validating: message.payload, as: UTF8.self) != nil {
            out.append(contentsOf: #","payload":"#.utf8)
            appendJSONString(message.payload, to: &out)
        } else {
            out.append(contentsOf: #","payload_base64":""#.utf8)
            out.append(contentsOf: Data(message.payload).base64EncodedString().utf8)
            out.append(UInt8(ascii: "\""))
        }
        out.append(contentsOf: "}\n".utf8)
    }

    /// Appends `utf8` (valid UTF-8) as a JSON string: `"` and `\` are escaped, control characters U+0000...U+001F
    /// become `\b \t \n \f \r` or `\u00XX` (lower-case hex); everything else, U+2028/U+2029 included, is copied raw.
    private static func appendJSONString(_ utf8: some Sequence<UInt8>, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x00..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses one line (without its newline) into a message, or throws why it is not one.
    ///
    /// Uses Foundation's JSONSerialization, which is adequate while fixture reading is not a hot path; a dedicated
    /// parser (JSONTape) can replace it. Known limitation: JSONSerialization keeps the last of duplicate keys
    /// instead of rejecting the line.
    public static func decode(_ line: some Collection<UInt8>) throws(FixtureLineError) -> InboundMessage {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(line))
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw .invalidJSON(detail: detail ?? "\(error)")
        }
        guard let object = parsed as? [String: Any] else { throw .notAnObject }
        if let unknown = object.keys.filter({ !keys.contains($0) }).sorted().first { throw .unknownKey(unknown) }

        guard let receivedAtValue = object["received_at"] else { throw .missingKey("received_at") }
        let receivedAt: Int64
        if let text = receivedAtValue as? String {
            guard let ms = FixtureTimestamp.parse(text) else { throw .invalidTimestamp(text) }
            receivedAt = ms
        } else if let ms = integer(receivedAtValue) {
            receivedAt = ms
        } else {
            throw .wrongType(key: "received_at", expected: "a string like \"2026-11-21T12:00:00.123Z\" or an integer of epoch milliseconds (64-bit)")
        }

        guard let topicValue = object["topic"] else { throw .missingKey("topic") }
        guard let topic = topicValue as? String else { throw .wrongType(key: "topic", expected: "a string") }
        guard !topic.isEmpty else { throw .emptyTopic }

        var qos: UInt8 = 0
        if let qosValue = object["qos"] {
            guard let value = integer(qosValue) else { throw .wrongType(key: "qos", expected: "the integer 0, 1 or 2") }
            guard (0...2).contains(value) else { throw .qosOutOfRange(value) }
            qos = UInt8(value)
        }

        var retained = false
        if let retainValue = object["retain"] {
            guard let value = boolean(retainValue) else { throw .wrongType(key: "retain", expected: "true or false") }
            retained = value
        }

        let payload: [UInt8]
        switch (object["payload"], object["payload_base64"]) {
        case (.some, .some):
            throw .conflictingPayloadKeys
        case (.some(let text), nil):
            guard let text = text as? String else { throw .wrongType(key: "payload", expected: "a string") }
            payload = Array(text.utf8)
        case (nil, .some(let encoded)):
            guard let encoded = encoded as? String else {
                throw .wrongType(key: "payload_base64", expected: "a base64 string")
            }
            guard let data = Data(base64Encoded: encoded) else { throw .invalidBase64 }
            payload = Array(data)
        case (nil, nil):
            throw .missingKey("payload")
        }
        return InboundMessage(receivedAt: receivedAt, topic: topic, qos: qos, retained: retained, payload: payload)
    }

    /// A JSON integer literal that fits in Int64, as parsed by JSONSerialization: an NSNumber that is neither a
    /// boolean (`c`) nor a floating-point number (`d`, `f`: what `1.0` and `1e3` parse to).
    private static func integer(_ value: Any) -> Int64? {
        // Int64.min and integers beyond 64 bits come back as NSDecimalNumber; keep those that fit in Int64.
        if let decimal = value as? NSDecimalNumber { return Int64(decimal.stringValue) }
        guard let number = value as? NSNumber else { return nil }
        switch String(cString: number.objCType) {
        case "c", "d", "f": return nil
        case "Q": return number.uint64Value <= UInt64(Int64.max) ? Int64(number.uint64Value) : nil
        default: return number.int64Value
        }
    }

    /// A JSON `true` / `false` as parsed by JSONSerialization (an NSNumber of type `c`).
    private static func boolean(_ value: Any) -> Bool? {
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
        return number.boolValue
    }
}
