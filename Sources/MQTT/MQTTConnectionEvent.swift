/// A change in the client's connection, reported to the event handler on the client's network thread (or,
/// for `connecting` and sometimes the final `disconnected(nil)`, on the thread that called `connect()` or
/// `close()`).
///
/// Each is worth one log line. A typical life: `connecting`, `connected(sessionPresent: false)`; a broker
/// restart: `disconnected(error)`, `reconnecting(after: 1 s)`, `disconnected(Connection refused)`,
/// `reconnecting(after: 2 s)`, `connected(sessionPresent: true)`; finally `disconnected(nil)` from `close()`.
public enum MQTTConnectionEvent: Sendable, Equatable {
    /// `connect()` was called.
    case connecting
    /// The broker accepted the connection. With a persistent session, `sessionPresent` says whether it still had
    /// the session (subscriptions and queued messages); false means anything queued before is gone.
    case connected(sessionPresent: Bool)
    /// The connection ended, or an attempt to connect failed: nil when `close()` ended it, otherwise why
    /// (connection lost, connection refused, CONNACK refused, TLS verification failed, a DISCONNECT from an
    /// MQTT 5 broker).
    case disconnected(MQTTError?)
    /// The network thread will try to connect again after this wait (see ``MQTTReconnectPolicy``). It keeps
    /// trying, whatever the error (lost connection, refused CONNACK, TLS verification failure), until it is
    /// connected or `close()` is called; each failed attempt is reported as `disconnected(error)`.
    case reconnecting(after: Duration)
    /// The broker refused one subscription (SUBACK failure code, such as an ACL denial), or it could not be sent.
    /// The connection stays up, without this filter.
    case subscriptionRefused(filter: String, MQTTError)
}
