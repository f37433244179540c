import Telemetry

/// Why one fixture line could not be read as a message. Each case says what was expected.
public enum FixtureLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line is not JSON; `detail` is the parser's explanation.
    case invalidJSON(detail: String)
    /// The line is JSON but not an object.
    case notAnObject
    /// The object has a key the format does not define.
    case unknownKey(String)
    /// The object has the same key twice.
    case duplicateKey(String)
    /// A required key (`received_at`, `topic`, or one of `payload` / `payload_base64`) is absent.
    case missingKey(String)
    /// A key has a value of the wrong JSON type; `expected` names the type.
    case wrongType(key: String, expected: String)
    /// `received_at` is a string but not an RFC 3339 timestamp with a zone (`Z` or an offset).
    case invalidTimestamp(String)
    /// `qos` is an integer other than 0, 1 or 2.
    case qosOutOfRange(Int64)
    /// `topic` is the empty string (MQTT topic names have at least one character).
    case emptyTopic
    /// Both `payload` and `payload_base64` are present.
    case conflictingPayloadKeys
    /// `payload_base64` is not standard, padded base64.
    case invalidBase64
    /// The line is longer than the reader's limit (`FixtureReader.maxLineBytes`); it was skipped unread.
    case lineTooLong(limit: Int)
    /// A tick line (`"tick": true`) has a key only message lines have.
    case notInTickLine(String)
    /// The tick header (`{"ticks":"recorded"}`) has another key.
    case notInTickHeader(String)
    /// A tick line in a fixture that does not start with the tick header (`FixtureReader`).
    case tickWithoutHeader
    /// The tick header after a message or tick line of a fixture that did not start with it (`FixtureReader`).
    case misplacedTickHeader
    /// `FixtureLine.decode`, which reads messages only, was given a tick line or the tick header (named).
    case notAMessage(String)

    public var description: String {
        switch self {
        case .invalidJSON(let detail):
            return "not valid JSON: \(detail)"
        case .notAnObject:
            return "not a JSON object; each line must be one object such as {\"received_at\":...,\"topic\":...,\"payload\":...}"
        case .unknownKey(let key):
            return "unknown key \"\(key)\"; the keys are \(FixtureLine.keys.joined(separator: ", "))"
        case .duplicateKey(let key):
            return "key \"\(key)\" appears twice; each key may appear once"
        case .missingKey(let key):
            return "missing required key \"\(key)\""
        case .wrongType(let key, let expected):
            return "\"\(key)\" must be \(expected)"
        case .invalidTimestamp(let text):
            // Parsed again only to word the message; the case keeps just the text.
            let parsed = Result { () throws(Timestamp.Failure) in try Timestamp.parse(text) }
            if case .failure(.missingZone) = parsed {
                return "received_at \"\(text)\" has no zone, so its instant is unknown;"
                    + " end it with Z (UTC) or an offset such as +01:00, as in 2026-11-21T12:00:00.123Z"
            }
            return "received_at \"\(text)\" is not an RFC 3339 timestamp with a zone (like 2026-11-21T12:00:00.123Z or"
                + " 2026-11-21T13:00:00+01:00) or an integer of epoch milliseconds"
        case .qosOutOfRange(let value):
            return "qos \(value) is not 0, 1 or 2"
        case .emptyTopic:
            return "topic is empty; MQTT topic names have at least one character"
        case .conflictingPayloadKeys:
            return "both \"payload\" and \"payload_base64\" are present; a line carries exactly one"
        case .invalidBase64:
            return "payload_base64 is not standard base64 (A-Z a-z 0-9 + /, padded with =, no whitespace)"
        case .lineTooLong(let limit):
            return "line is longer than \(limit) bytes"
        case .notInTickLine(let key), .notInTickHeader(let key):
            let line = if case .notInTickLine = self { #"a tick line, which has only received_at and "tick": true"# }
                else { "the tick header, which is \(FixtureLine.tickHeader) alone" }
            return "\"\(key)\" does not belong in \(line)"
        case .tickWithoutHeader, .misplacedTickHeader:
            let header = FixtureLine.tickHeader
            return self == .tickWithoutHeader
                ? "a tick line in a fixture that does not record its ticks: its first line must be the tick header \(header)"
                : "the tick header \(header) comes after messages or ticks; it must be the first line (comments and blank "
                    + "lines may come before it)"
        case .notAMessage(let what):
            return "\(what), not a message"
        }
    }
}
