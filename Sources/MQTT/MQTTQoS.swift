/// An MQTT quality of service level.
public enum MQTTQoS: Int32, Sendable, CaseIterable {
    /// QoS 0: delivered at most once, never acknowledged.
    case atMostOnce = 0
    /// QoS 1: delivered at least once; the receiver acknowledges each message with a PUBACK.
    case atLeastOnce = 1
    /// QoS 2: delivered exactly once between two live endpoints.
    ///
    /// Not an ingest guarantee with libmosquitto 2.0.x: the client sends PUBREC and keeps the message only in
    /// memory until PUBREL arrives, so a crash in between loses it. Subscribe at QoS 1 for at-least-once.
    case exactlyOnce = 2
}
