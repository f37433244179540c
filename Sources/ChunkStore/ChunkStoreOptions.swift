/// How the chunk store flushes, seals and expires; every duration in milliseconds of log time (receive times and
/// ticks), never the wall clock.
public struct ChunkStoreOptions: Sendable, Equatable {
    /// Open blocks reach the head file at least this often. Default 10 s.
    public var flushInterval: Int64
    /// A partition is sealed once the store's clock (the later of event and receive time) is this far past its
    /// end. Default 10 min: readings that late from a live charger are rare, and go to an out-of-order file.
    public var sealDelay: Int64
    /// Late samples for a sealed partition wait this long (receive time) so that an offline charger's backlog
    /// lands in one out-of-order file rather than many. Default 1 min.
    public var lateCompactionDelay: Int64
    /// Whole partitions whose end is older than this (against the store's clock) are deleted; nil keeps everything.
    public var retention: Int64?
    /// Whether sealing also writes one-minute rollups (min, max, avg, last, count) under `chunks/rollups`.
    public var rollups: Bool
    /// Like `retention`, for the rollups; nil keeps them.
    public var rollupRetention: Int64?

    public init(flushInterval: Int64 = 10_000, sealDelay: Int64 = 600_000, lateCompactionDelay: Int64 = 60_000,
                retention: Int64? = nil, rollups: Bool = false, rollupRetention: Int64? = nil) {
        self.flushInterval = flushInterval
        self.sealDelay = sealDelay
        self.lateCompactionDelay = lateCompactionDelay
        self.retention = retention
        self.rollups = rollups
        self.rollupRetention = rollupRetention
    }
}
