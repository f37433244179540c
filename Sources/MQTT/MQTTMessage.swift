/// A received message, lent to the message handler for the duration of one call.
///
/// A view, not a copy: `topicUTF8` and `payload` point into libmosquitto's buffers, which are freed as soon as
/// the handler returns. The type is `~Copyable` and the handler receives it `borrowing`, so it cannot be stored;
/// never keep the buffer pointers either. Copy what you need (`Array(message.payload)`) before returning.
public struct MQTTMessage: ~Copyable {
    /// The topic as UTF-8 bytes, without a terminating NUL (libmosquitto has already checked it is valid UTF-8).
    public let topicUTF8: UnsafeRawBufferPointer
    /// The payload bytes; empty for a zero-length message.
    public let payload: UnsafeRawBufferPointer
    /// The QoS the broker delivered the message at (the lower of the publish and the subscription QoS).
    public let qos: MQTTQoS
    /// Whether the broker sent this as a retained message (on subscribe), rather than as a live publish.
    public let isRetained: Bool
    /// The packet identifier (libmosquitto's `mid`); 0 at QoS 0. Reused by the broker, so not a message id.
    public let messageID: Int32

    init(topicUTF8: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: MQTTQoS, isRetained: Bool, messageID: Int32) {
        self.topicUTF8 = topicUTF8
        self.payload = payload
        self.qos = qos
        self.isRetained = isRetained
        self.messageID = messageID
    }

    /// The topic as a `String` (allocates; use `topicUTF8` on a hot path).
    public var topic: String {
        String(decoding: topicUTF8, as: UTF8.self)
    }
}
