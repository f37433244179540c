import Telemetry

/// What one record of the log holds.
public enum LogRecord: Sendable, Equatable {
    /// An MQTT message exactly as received.
    case message(InboundMessage)
    /// A clock tick: the receive clock reached `at` (milliseconds since the Unix epoch) with no message. Processing
    /// reads time from messages and ticks, never from the wall clock.
    case tick(at: Int64)
}
