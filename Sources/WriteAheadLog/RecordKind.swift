/// What a record holds: the `kind` byte at offset 2 of its header.
enum RecordKind: UInt8, Sendable {
    /// An MQTT message as received.
    case message = 1
    /// A clock tick: the receive clock advanced to the record's time with no message (one per second of silence).
    case tick = 2
}
