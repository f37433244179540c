import Synchronization
import Telemetry

/// A monotonically increasing count, written by one thread and read by any (metrics scrapes, tests, the status
/// line). Relaxed ordering: a count is a statistic and orders nothing else.
public final class AtomicCount: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    @inline(__always)
    public func add(_ amount: Int = 1) {
        value.add(amount, ordering: .relaxed)
    }

    public var current: Int { value.load(ordering: .relaxed) }
}

/// A value that goes up and down (ring occupancy, backlog), with the same ordering rules as `AtomicCount`.
public final class AtomicLevel: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    public func set(_ newValue: Int) { value.store(newValue, ordering: .relaxed) }

    public var current: Int { value.load(ordering: .relaxed) }
}

/// Every message accounted for. The identities the tests assert (per run of the process):
///
///     received                    = accepted + refusedOversize + refusedQuota
///     accepted + recovered        = decoded + rejected + pending
///     readingsDecoded             = readingsStored + readingsDuplicate + readingsHeld
///
/// `recovered` counts records read back from the write-ahead log at start (accepted by an earlier run, not yet
/// checkpointed). `pending` is what has been accepted but not yet decoded (in the ring or the spill backlog).
public final class IngestCounters: Sendable {
    /// Messages the MQTT callback was handed. Network thread.
    public let received = AtomicCount()
    /// Messages written to the write-ahead log (accepted). Network thread.
    public let accepted = AtomicCount()
    /// Messages refused before the log: payload over the limit. Network thread.
    public let refusedOversize = AtomicCount()
    /// Messages refused before the log: the log's disk quota is full. Network thread.
    public let refusedQuota = AtomicCount()
    /// Records read back from the log at start. Worker thread.
    public let recovered = AtomicCount()
    /// Messages decoded (possibly into nothing, e.g. a Heartbeat). Worker thread.
    public let decoded = AtomicCount()
    /// Messages rejected, by reason (guarded by its mutex; rejections are rare). Worker thread.
    public let rejectedByReason = Mutex<[RejectReason: Int]>([:])
    /// Readings out of decoding. Worker thread.
    public let readingsDecoded = AtomicCount()
    /// Readings written to the store (conflicts and late readings included, flagged). Worker thread.
    public let readingsStored = AtomicCount()
    /// Readings recognised as duplicates (same identity and value) and not stored again. Worker thread.
    public let readingsDuplicate = AtomicCount()
    /// Readings with the identity of a stored one but another value (kept, flagged). Worker thread.
    public let readingsConflict = AtomicCount()
    /// Readings that arrived after their window had closed (kept, flagged). Worker thread.
    public let readingsLate = AtomicCount()
    /// Readings with a timestamp beyond receive time plus the tolerance (kept, flagged). Worker thread.
    public let readingsFuture = AtomicCount()
    /// Readings waiting in the reordering windows, or released by them and waiting for the worker's next settle
    /// (the next second of receive time). Worker thread.
    public let readingsHeld = AtomicLevel()
    /// Events (status, transaction, call errors) out of decoding. Worker thread.
    public let events = AtomicCount()
    /// Retained deliveries (state, but no fresh contact). Worker thread.
    public let retained = AtomicCount()
    /// Messages the broker delivered again after a reconnect that the log already holds. Network thread.
    public let redeliveries = AtomicCount()
    /// Dead-letter records dropped because the dead-letter quota was full. Worker thread.
    public let deadLetterDropped = AtomicCount()
    /// Times the ring was full and the worker read records back from the log instead. Network thread.
    public let spills = AtomicCount()
    /// Payload bytes accepted. Network thread.
    public let bytesAccepted = AtomicCount()
    /// MQTT reconnects. MQTT thread.
    public let reconnects = AtomicCount()
    /// Clean disconnects because the log reached its disk quota. Network thread.
    public let quotaDisconnects = AtomicCount()
    /// Messages the broker reports dropped (`$SYS/broker/publish/messages/dropped`, broker-wide).
    public let brokerDropped = AtomicLevel()
    /// Charging sessions and anomalies open at the processors' last commit. Worker thread.
    public let openSessions = AtomicLevel()
    public let openAnomalies = AtomicLevel()

    public init() {}

    /// Total rejections over all reasons.
    public var rejected: Int { rejectedByReason.withLock { $0.values.reduce(0, +) } }

    public func reject(_ reason: RejectReason) {
        rejectedByReason.withLock { $0[reason, default: 0] += 1 }
    }

    /// Accepted (or recovered) but not yet decoded or rejected.
    public var pending: Int { accepted.current + recovered.current - decoded.current - rejected }
}
