import Telemetry

/// One message read from a fixture, with the 1-based line it came from (comment and blank lines count).
public struct FixtureRecord: Sendable, Equatable {
    public var line: Int
    public var message: InboundMessage

    public init(line: Int, message: InboundMessage) {
        self.line = line
        self.message = message
    }
}
