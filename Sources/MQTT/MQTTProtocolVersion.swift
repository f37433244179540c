/// The MQTT protocol version spoken to the broker.
public enum MQTTProtocolVersion: Sendable, CaseIterable {
    /// MQTT 3.1.1 (protocol level 4).
    case v311
    /// MQTT 5 (protocol level 5): session expiry, subscription options, reason codes.
    case v5
}
