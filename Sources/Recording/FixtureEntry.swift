import Telemetry

/// What a fixture line carries: a message, or a tick of the clock (docs/fixture-format.md, "Ticks").
///
/// A tick is the write-ahead log's tick record: the live runtime writes one after each second without messages,
/// and processing judges silence, timeouts and windows on receive times and ticks. `wattline export-log` writes
/// them as tick lines so that a replay writes its ticks at the same instants the live run did.
public enum FixtureEntry: Sendable, Equatable {
    case message(InboundMessage)
    /// A tick at this instant (milliseconds since the epoch, the receive-time clock).
    case tick(at: Int64)

    /// The message's receive time, or the tick's time.
    public var receivedAt: Int64 {
        switch self {
        case .message(let message): message.receivedAt
        case .tick(let time): time
        }
    }

    /// The message; nil for a tick.
    public var message: InboundMessage? {
        if case .message(let message) = self { return message }
        return nil
    }
}

/// One message or tick read from a fixture (`FixtureReader.nextEntry()`), with the 1-based line it came from
/// (comment and blank lines count).
public struct FixtureEntryRecord: Sendable, Equatable {
    public var line: Int
    public var entry: FixtureEntry
}

/// One line of a fixture, parsed: a message, a tick, or the tick header that says the file records its ticks.
public enum FixtureLineContent: Sendable, Equatable {
    case message(InboundMessage)
    case tick(at: Int64)
    /// `{"ticks":"recorded"}`: the file holds every tick of the time it spans (`FixtureLine.tickHeader`).
    case tickHeader
}
