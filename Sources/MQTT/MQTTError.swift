import CMosquitto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed MQTT operation: the code, libmosquitto's own text for it, and what was being done.
///
/// Its description reads as a sentence: "libmosquitto error 14: Connection refused — while connecting to
/// 127.0.0.1:1883 as 'wattline'", or "MQTT 5 reason code 0x86: Bad user name or password — while connecting
/// to broker:8883 as 'wattline'". Payloads and passwords are never part of it.
public struct MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the code comes from.
    public enum Kind: Sendable, Equatable {
        /// A libmosquitto `MOSQ_ERR_*` code; the message is `mosquitto_strerror`.
        case library
        /// An MQTT 3.1.1 CONNACK return code (1–5); the message is `mosquitto_connack_string`.
        case connack
        /// An MQTT 5 reason code (0x80 and up, from CONNACK, SUBACK or DISCONNECT); the message is
        /// `mosquitto_reason_string`.
        case reasonCode
    }

    /// Where `code` comes from.
    public let kind: Kind
    /// The libmosquitto error code, CONNACK return code or MQTT 5 reason code.
    public let code: Int32
    /// libmosquitto's text for the code (for `MOSQ_ERR_ERRNO`, the operating system's `strerror`).
    public let message: String
    /// What was being done, as a phrase that follows "while": "connecting to 127.0.0.1:1883 as 'wattline'".
    public let operation: String
    /// The `errno` behind a `MOSQ_ERR_ERRNO`, such as `ECONNREFUSED`; nil otherwise.
    public let systemErrno: Int32?
    /// libmosquitto's last error log line during a failed `connect()`, such as OpenSSL's reason for a TLS failure.
    public let detail: String?

    public init(
        kind: Kind, code: Int32, message: String, operation: String, systemErrno: Int32? = nil, detail: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.operation = operation
        self.systemErrno = systemErrno
        self.detail = detail
    }

    public var description: String {
        var text: String
        switch kind {
        case .library: text = "libmosquitto error \(code): \(message)"
        case .connack: text = "MQTT CONNACK \(code): \(message)"
        case .reasonCode: text = "MQTT 5 reason code 0x\(String(code, radix: 16, uppercase: true)): \(message)"
        }
        if let detail { text += " (\(detail))" }
        return text + " — while \(operation)"
    }
}

extension MQTTError {
    /// A libmosquitto return code as an error. Call it straight after the failing call on the same thread:
    /// for `MOSQ_ERR_ERRNO` the text comes from `errno`.
    static func library(_ rc: Int32, _ operation: String, detail: String? = nil) -> MQTTError {
        let savedErrno = errno
        let isErrno = rc == MOSQ_ERR_ERRNO.rawValue
        let message = isErrno ? String(cString: strerror(savedErrno)) : String(cString: mosquitto_strerror(rc))
        return MQTTError(
            kind: .library, code: rc, message: message, operation: operation,
            systemErrno: isErrno ? savedErrno : nil, detail: detail)
    }

    /// The one place a return code becomes an error: `MOSQ_ERR_SUCCESS` passes, anything else throws.
    static func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(MQTTError) {
        guard rc != MOSQ_ERR_SUCCESS.rawValue else { return }
        throw library(rc, operation())
    }

    /// A refused CONNACK: a 3.1.1 return code or an MQTT 5 reason code.
    static func connack(_ code: Int32, version: MQTTProtocolVersion, _ operation: String) -> MQTTError {
        switch version {
        case .v311:
            MQTTError(kind: .connack, code: code, message: String(cString: mosquitto_connack_string(code)), operation: operation)
        case .v5:
            reason(code, operation)
        }
    }

    /// An MQTT 5 reason code (or a 3.1.1 SUBACK failure, 0x80, which has the same meaning).
    static func reason(_ code: Int32, _ operation: String) -> MQTTError {
        MQTTError(kind: .reasonCode, code: code, message: String(cString: mosquitto_reason_string(code)), operation: operation)
    }

    /// Raised by the wrapper itself when the client has been closed.
    static func closed(_ operation: String) -> MQTTError {
        MQTTError(kind: .library, code: MOSQ_ERR_INVAL.rawValue, message: "the client is closed", operation: operation)
    }
}
