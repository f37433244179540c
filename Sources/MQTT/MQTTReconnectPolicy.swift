/// How long the network thread waits before each attempt to reconnect: `initialDelay`, doubling after every
/// failed attempt up to `maximumDelay` (1, 2, 4, 8, 16, 30, 30 … seconds with the defaults). A successful
/// CONNACK starts the sequence again.
public struct MQTTReconnectPolicy: Sendable, Equatable {
    /// The wait before the first attempt after a connection is lost.
    public var initialDelay: Duration
    /// The longest wait between attempts.
    public var maximumDelay: Duration

    public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(30)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before the next attempt when `failures` attempts (counting the lost connection) have failed
    /// in a row: at least 10 ms, at most `maximumDelay`.
    public func delay(afterFailures failures: Int) -> Duration {
        let floor = Duration.milliseconds(10)
        let ceiling = max(maximumDelay, floor)
        var delay = max(initialDelay, floor)
        for _ in 1..<max(failures, 1) where delay < ceiling {
            delay *= 2
        }
        return min(delay, ceiling)
    }
}
