import ChunkStore
import WriteAheadLog

/// How the ingest runtime is sized and bounded. The defaults suit a single site; the pipeline's `ingest:` section
/// sets them (docs/pipeline.md).
public struct IngestOptions: Sendable {
    /// Where the log, the database and the dead-letter files live.
    public var dataDirectory: String
    /// Descriptors the ring holds (a power of two). Beyond it, the worker reads records back from the log (spill).
    public var ringCapacity: Int
    /// Records the worker takes per batch.
    public var batchSize: Int
    /// The write-ahead log's disk quota: at this size Wattline disconnects from the broker (which queues for the
    /// persistent session), and reconnects once the log is below `logLowWaterBytes`.
    public var logQuotaBytes: Int
    public var logLowWaterBytes: Int
    /// Above this payload size a message is refused before the log (counted as `refused_oversize`). The decoder's
    /// own, lower limit (`decodeLimitBytes`) rejects into the dead-letter file instead.
    public var hardPayloadLimitBytes: Int
    public var decodeLimitBytes: Int
    public var segmentBytes: Int
    public var syncPolicy: SyncPolicy
    /// The reordering window per charger (event time).
    public var lateness: Int64
    /// How far past receive time an event time may be before it is flagged.
    public var futureTolerance: Int64
    /// Silence after which the runtime writes a tick record (receive-time clock for replay).
    public var tickInterval: Int64
    /// The dead-letter files' rotation size and total quota.
    public var deadLetterFileBytes: Int
    public var deadLetterQuotaBytes: Int
    /// How long shutdown may take (drain, checkpoint) before it gives up and exits.
    public var shutdownTimeout: Duration
    /// A pause after every batch: slows the stages down on purpose, for tests of backpressure and spill. Zero
    /// (the default) in production.
    public var stagePause: Duration = .zero
    /// The stages after decoding and reordering, in order (`ingest.stages`; default: both).
    public var stages: [StageName] = [.archive, .processors]
    /// How the chunk store flushes, seals and expires (the pipeline's `storage:` section).
    public var chunks = ChunkStoreOptions()
    /// How long (receive time, milliseconds) checkpointed log records are kept for `wattline export-log`; zero
    /// deletes segments as soon as every stage has checkpointed past them. Ignored while the log is over its
    /// low-water mark: the quota wins.
    public var logRetention: Int64 = 0
    /// Whether the pipeline's alert hooks run (live: yes; replay: only with `--hooks`). Off, no alert events are
    /// made at all, so nothing waits in the outbox for a later run to deliver.
    public var runHooks = true
    /// The processors commit their rows every 10 s of receive time, and the archive flushes its head file every
    /// `chunks.flush_interval`, but neither more often than this much elapsed time: zero live (receive time is the
    /// clock's), a quarter second for a replay at full speed, which goes through hours of receive time a second.
    /// The rows and the archive at the end are the same either way.
    public var minCommitSpacing: Duration = .zero

    public init(
        dataDirectory: String, ringCapacity: Int = 1 << 16, batchSize: Int = 512,
        logQuotaBytes: Int = 8 << 30, logLowWaterBytes: Int? = nil,
        hardPayloadLimitBytes: Int = 16 << 20, decodeLimitBytes: Int = 1 << 20,
        segmentBytes: Int = WriteAheadLog.defaultSegmentSize, syncPolicy: SyncPolicy = .default,
        lateness: Int64 = 10_000, futureTolerance: Int64 = 300_000, tickInterval: Int64 = 1_000,
        deadLetterFileBytes: Int = 16 << 20, deadLetterQuotaBytes: Int = 256 << 20,
        shutdownTimeout: Duration = .seconds(10)
    ) {
        self.dataDirectory = dataDirectory
        self.ringCapacity = ringCapacity
        self.batchSize = batchSize
        self.logQuotaBytes = logQuotaBytes
        self.logLowWaterBytes = logLowWaterBytes ?? logQuotaBytes * 3 / 4
        self.hardPayloadLimitBytes = hardPayloadLimitBytes
        self.decodeLimitBytes = decodeLimitBytes
        self.segmentBytes = segmentBytes
        self.syncPolicy = syncPolicy
        self.lateness = lateness
        self.futureTolerance = futureTolerance
        self.tickInterval = tickInterval
        self.deadLetterFileBytes = deadLetterFileBytes
        self.deadLetterQuotaBytes = deadLetterQuotaBytes
        self.shutdownTimeout = shutdownTimeout
    }

    /// Where the write-ahead log's segments live.
    public var logDirectory: String { dataDirectory + "/log" }
    var databasePath: String { dataDirectory + "/wattline.db" }
    /// Where the compressed time-series chunks live (docs/chunk-files.md).
    public var chunkDirectory: String { dataDirectory + "/chunks" }
    var deadLetterDirectory: String { dataDirectory + "/dead-letter" }
}

/// A stage the worker can run.
public enum StageName: String, Sendable, CaseIterable {
    /// Every reading into the chunk archive (`DATA/chunks`).
    case archive
    /// Power levels, sessions and anomalies into `DATA/wattline.db`.
    case processors
}
