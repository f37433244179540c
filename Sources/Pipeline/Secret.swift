/// A credential read from the pipeline (normally through `${NAME}`), printed as `<redacted>`.
///
/// `description` and `debugDescription` never show the value, so logging a ``BrokerSettings`` is safe; read
/// ``value`` where the credential is actually handed to the MQTT client.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The credential itself.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
