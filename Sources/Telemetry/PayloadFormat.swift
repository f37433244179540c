/// The payload formats a topic template can declare.
public enum PayloadFormat: String, Sendable, CaseIterable, Codable {
    /// OCPP 1.6J: OCPP-J frames (or bare payloads when the topic names the action) with 1.6 payloads.
    case ocpp16
    /// OCPP 2.0.1: OCPP-J frames (or bare payloads when the topic names the action) with 2.0.1 payloads.
    case ocpp201
    /// OCPP-J frames of either version; the version comes from the charger's declaration or the payload's shape.
    case ocppJ = "ocpp-j"
    /// EVerest's native MQTT variables (`powermeter`, the API module's `session_info`).
    case everest
    /// Wattline's compact JSON form for simple meters (see docs/compact-format.md).
    case compact
    /// Recognised from the payload's shape.
    case auto
}
