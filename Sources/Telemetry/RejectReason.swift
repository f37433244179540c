/// Why a message was refused. Every rejection carries one: it labels the counters and the dead-letter records.
public enum RejectReason: String, Sendable, CaseIterable, Codable, Hashable {
    case payloadTooLarge = "payload_too_large"
    case invalidUTF8 = "invalid_utf8"
    case malformedJSON = "malformed_json"
    case malformedFrame = "malformed_frame"
    case unknownMessage = "unknown_message"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case notANumber = "not_a_number"
    case nonFinite = "non_finite"
    case impossibleValue = "impossible_value"
    case badTimestamp = "bad_timestamp"
    case timestampWithoutZone = "timestamp_without_zone"
    case unknownMeasurand = "unknown_measurand"
    case unknownUnit = "unknown_unit"
    case unitMismatch = "unit_mismatch"
    case unknownEnumValue = "unknown_enum_value"
    case invalidIdentifier = "invalid_identifier"
    case unknownCharger = "unknown_charger"
    case unknownField = "unknown_field"
    case unmatchedTopic = "unmatched_topic"
}

/// A message the decoder refused: the reason code, the field path and what was wrong with it.
///
/// Reads as `meterValue[0].sampledValue[2].value: 'abc' is not a number`.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: RejectReason
    /// JSON path of the offending field (`meterValue[0].sampledValue[2].value`), or "" for the whole payload.
    public var path: String
    public var detail: String

    public init(_ reason: RejectReason, path: String, _ detail: String) {
        self.reason = reason
        self.path = path
        self.detail = detail
    }

    public var description: String { path.isEmpty ? detail : "\(path): \(detail)" }
}
