import Foundation
import Telemetry

/// The fixture line format: one `InboundMessage` as one JSON object on one line (see docs/fixture-format.md).
///
///     {"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"[2,\"19\",\"Heartbeat\",{}]"}
///
/// Writing is exact and canonical: fixed key order, no spaces, `payload` when the bytes are valid UTF-8 and
/// `payload_base64` otherwise. Reading (`FixtureLine-decoding.swift`) is strict about keys and types but accepts any
/// RFC 3339 timestamp with a zone or an integer for `received_at`, absent `qos` / `retain`, and any key order.
///
/// Two more kinds of line carry the write-ahead log's ticks (docs/fixture-format.md, "Ticks"): the tick header
/// `{"ticks":"recorded"}`, first in a file that records its ticks, and tick lines:
///
///     {"received_at":"2026-11-21T12:00:01.374Z","tick":true}
public enum FixtureLine {
    /// Every key a message line may have, in the order writers emit them (`payload_base64` replaces `payload`).
    public static let keys = ["received_at", "topic", "qos", "retain", "payload", "payload_base64"]

    /// The tick header, the first line of a fixture that records its ticks: it holds every tick of the time it
    /// spans, and replay writes exactly those (and synthesizes none).
    public static let tickHeader = #"{"ticks":"recorded"}"#

    /// The tick line for a tick at `time`, without the terminating newline.
    public static func encodeTick(at time: Int64) -> [UInt8] {
        var out: [UInt8] = []
        appendTick(at: time, to: &out)
        out.removeLast()
        return out
    }

    /// Appends the tick line for `time` (`{"received_at":...,"tick":true}`) and its newline to `out`.
    static func appendTick(at time: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"received_at":"#.utf8)
        appendTimestamp(time, to: &out)
        out.append(contentsOf: #","tick":true}"#.utf8)
        out.append(0x0A)
    }

    /// `received_at`'s value: the RFC 3339 text in UTC with milliseconds, or the integer outside years 0000...9999.
    private static func appendTimestamp(_ time: Int64, to out: inout [UInt8]) {
        if textTimestampRange.contains(time) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: Timestamp.format(time).utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            // Outside years 0000...9999 the text form does not exist; the integer form (which readers accept) does.
            out.append(contentsOf: String(time).utf8)
        }
    }

    /// The instants `received_at` is written as text for: 0000-01-01T00:00:00.000Z ... 9999-12-31T23:59:59.999Z.
    /// RFC 3339 has four-digit years only, and `Timestamp.format` writes other years in a form no reader accepts.
    static let textTimestampRange: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

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
        appendTimestamp(message.receivedAt, to: &out)
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
}
