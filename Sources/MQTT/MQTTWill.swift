/// The last will: a message the broker publishes for the client when its connection ends without a DISCONNECT
/// (a crash, a killed process, a network failure, a missed keep-alive).
public struct MQTTWill: Sendable, Equatable {
    /// The topic the will is published to; no wildcards.
    public var topic: String
    /// The will's payload, such as `offline`.
    public var payload: [UInt8]
    /// The QoS the broker publishes the will at.
    public var qos: MQTTQoS
    /// Whether the broker retains the will (true for an availability topic).
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = true) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
