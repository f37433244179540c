/// Paces a live replay: when each message is due on the wall clock, at `speed` simulated seconds per real second.
///
/// Deadlines are measured from one starting instant rather than from message to message, so waiting never drifts.
/// It holds no clock: pass the wall time elapsed since the replay began, or use `deadline(forReceivedAt:startedAt:)`
/// with a `ContinuousClock`. The live publisher waits for each delay and then publishes the message.
///
///     let clock = ContinuousClock()
///     let began = clock.now
///     for message in simulation {
///         try await clock.sleep(until: pacer.deadline(forReceivedAt: message.receivedAt, startedAt: began))
///         publish(message)
///     }
public struct SimulationPacer: Sendable, Hashable {
    /// Simulated seconds per wall-clock second; `.infinity` replays as fast as possible.
    public let speed: Double
    /// The simulated instant the replay begins at, ms since the Unix epoch.
    public let simulatedStart: Int64

    public init(speed: Double, simulatedStart: Int64) {
        precondition(speed > 0, "speed must be positive")
        self.speed = speed
        self.simulatedStart = simulatedStart
    }

    /// Wall time after the replay's start at which a message received at `receivedAt` (simulated) is due.
    public func wallOffset(forReceivedAt receivedAt: Int64) -> Duration {
        guard speed.isFinite else { return .zero }
        let nanoseconds = Double(receivedAt - simulatedStart) * 1_000_000 / speed
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64(min(nanoseconds, Double(Int64.max / 2))))
    }

    /// How long to wait before publishing a message received at `receivedAt`, when `elapsed` wall time has passed
    /// since the replay began: zero when the replay is behind.
    public func delay(beforeReceivedAt receivedAt: Int64, elapsed: Duration) -> Duration {
        let wait = wallOffset(forReceivedAt: receivedAt) - elapsed
        return wait > .zero ? wait : .zero
    }

    /// The wall-clock instant a message received at `receivedAt` is due, for a replay that began at `startedAt`.
    public func deadline(forReceivedAt receivedAt: Int64, startedAt: ContinuousClock.Instant) -> ContinuousClock.Instant {
        startedAt + wallOffset(forReceivedAt: receivedAt)
    }

    /// The simulated time, ms, once `elapsed` wall time has passed since the replay began.
    public func simulatedTime(after elapsed: Duration) -> Int64 {
        let (seconds, attoseconds) = elapsed.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let simulated = milliseconds * speed
        guard simulated.isFinite, simulated < Double(Int64.max - simulatedStart) else { return .max }
        return simulatedStart + Int64(simulated)
    }
}
