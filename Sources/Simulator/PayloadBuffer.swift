import Telemetry

/// JSON text written byte by byte: the simulator's payloads, without Foundation or intermediate strings.
///
/// Commas are placed automatically: a value or key after another one at the same level gets one. Strings are escaped
/// per RFC 8259, though the simulator only ever writes identifiers and enumeration names.
struct PayloadBuffer: Sendable {
    private(set) var bytes: [UInt8] = []
    /// True after a complete value at the current level (the next key or element needs a comma).
    private var needsComma = false
    /// Added to every `timestamp` written: a charger whose clock is off (`FaultKind.clockSkew`), ms.
    var clockOffset: Int64 = 0

    init() {
        bytes.reserveCapacity(512)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// `"name":`, ready for its value.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                for escape in [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")] {
                    bytes.append(escape)
                }
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0xF))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func integer(_ value: Int64) {
        separate()
        appendDigits(value)
        needsComma = true
    }

    mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    /// A fixed-point number from its integer mantissa: `fixed(1250184, decimals: 3)` writes `1250.184`; trailing
    /// zeros are kept, as meters print them.
    mutating func fixed(_ mantissa: Int64, decimals: Int) {
        separate()
        appendFixed(mantissa, decimals: decimals)
        needsComma = true
    }

    /// The same as a JSON string (OCPP 1.6 sends sampled values as text): `"1250.184"`.
    mutating func quotedFixed(_ mantissa: Int64, decimals: Int) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendFixed(mantissa, decimals: decimals)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func boolean(_ value: Bool) {
        separate()
        let literal: StaticString = value ? "true" : "false"
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsComma = true
    }

    /// An RFC 3339 timestamp string, `"2026-11-21T12:00:00.000Z"`, as Telemetry formats them.
    mutating func timestamp(_ milliseconds: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: Timestamp.format(milliseconds + clockOffset).utf8)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// An OCPP-J CALL's opening, `[2,"<id>","<action>",`; the payload object follows, then `endArray()`.
    mutating func beginCall(id: String, action: StaticString) {
        beginArray()
        integer(2)
        string(id)
        string(action)
    }

    /// An OCPP-J CALLRESULT's opening, `[3,"<id>",`; the payload object follows, then `endArray()`.
    mutating func beginResult(id: String) {
        beginArray()
        integer(3)
        string(id)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private mutating func appendFixed(_ mantissa: Int64, decimals: Int) {
        if mantissa < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = mantissa.magnitude
        // Digits are written least significant first, then reversed in place: no temporary array.
        let start = bytes.count
        for _ in 0..<max(decimals, 0) {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        if decimals > 0 { bytes.append(UInt8(ascii: ".")) }
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    private mutating func appendDigits(_ value: Int64) {
        appendFixed(value, decimals: 0)
    }
}
