/// One MQTT message exactly as it was received, with its delivery facts.
///
/// This is the unit the write-ahead log, the fixture files and the decoders share. The payload is kept as raw bytes:
/// it may not be UTF-8, and it is never altered before it is durably stored.
public struct InboundMessage: Sendable, Equatable {
    /// Receive time, milliseconds since the Unix epoch (UTC). The only clock processing ever reads.
    public var receivedAt: Int64
    /// The MQTT topic the message was published on, verbatim.
    public var topic: String
    /// The QoS the message was delivered with (0, 1 or 2).
    public var qos: UInt8
    /// True when the broker delivered a retained message (a replay of the last value, not fresh contact).
    public var retained: Bool
    /// The payload bytes, verbatim.
    public var payload: [UInt8]

    public init(receivedAt: Int64, topic: String, qos: UInt8 = 1, retained: Bool = false, payload: [UInt8]) {
        self.receivedAt = receivedAt
        self.topic = topic
        self.qos = qos
        self.retained = retained
        self.payload = payload
    }

    public init(receivedAt: Int64, topic: String, qos: UInt8 = 1, retained: Bool = false, text: String) {
        self.init(receivedAt: receivedAt, topic: topic, qos: qos, retained: retained, payload: Array(text.utf8))
    }
}
