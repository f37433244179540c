/// Whether the broker keeps the client's subscriptions and queued QoS 1/2 messages while it is away.
public enum MQTTSession: Sendable, Equatable {
    /// A fresh session on every connect: messages published while the client is away are lost.
    case clean
    /// Clean session off (MQTT 3.1.1) or clean start off with a Session Expiry Interval (MQTT 5).
    ///
    /// `expiry` is how long an MQTT 5 broker keeps the session after a disconnect, sent in whole seconds
    /// (at most `UInt32.max`, which means "never"). MQTT 3.1.1 has no expiry: the broker's own setting applies
    /// (mosquitto's `persistent_client_expiration`). The client id names the session, so it must be stable.
    case persistent(expiry: Duration)
}
