import ChunkStore
import Processing
import Telemetry

/// A stage of the worker's chain after decoding and reordering: it takes what the decoder and the reordering
/// window produce, and makes its outputs durable with a checkpoint from time to time.
///
/// The worker calls, per record: `accept(_:origin:lsn:receivedAt:)` or `accept(tick:receivedAt:)`; per batch:
/// `accept(released:receiveTime:)` with what the window released, `advance(watermark:)` (every record up to it is
/// fully released), and `flush` when `flushIsDue` (or at shutdown). After a restart the worker reads the log again
/// from the lowest checkpoint of all stages; a stage ignores what it already made durable.
protocol WorkerStage: AnyObject {
    var name: String { get }
    /// Every record up to this LSN is reflected in the stage's durable outputs; nil before the first flush.
    var checkpoint: UInt64? { get }
    func accept(_ output: DecodeOutput, origin: Origin?, lsn: UInt64, receivedAt: Int64)
    func accept(tick lsn: UInt64, receivedAt: Int64)
    /// The broker's `$SYS/broker/publish/messages/dropped` counter, as logged.
    func accept(brokerDropped total: UInt64, lsn: UInt64, receivedAt: Int64)
    func accept(released: [ReadingSequencer.Item], receiveTime: (UInt64) -> Int64)
    func advance(watermark: UInt64)
    func flushIsDue(at receivedAt: Int64) -> Bool
    /// Makes the outputs durable; `checkpointing` asks for the checkpoint to advance too (the end, a pressed log),
    /// which a stage may otherwise do less often than it writes.
    func flush(watermark: UInt64, receivedAt: Int64, checkpointing: Bool) throws
}

extension WorkerStage {
    func accept(brokerDropped total: UInt64, lsn: UInt64, receivedAt: Int64) {}
}

/// The archive: every released reading into the chunk store, checkpointed with each head-file flush.
final class ArchiveStage: WorkerStage {
    let store: ChunkStore
    let counters: IngestCounters
    /// `IngestOptions.minCommitSpacing`: the head file is flushed (and fsynced) every `chunks.flush_interval` of
    /// receive time, but no more often than this much elapsed time (a full-speed replay passes ten seconds of
    /// receive time in a few milliseconds).
    let minFlushSpacing: Duration
    private var lastFlushInstant = ContinuousClock.now

    /// The store's checkpoint when the stage opened: every reading of a record up to it is in the archive already.
    private let durableThrough: UInt64

    /// `logNextLSN`: the LSN the log writes next. A start aligns the log's numbering first (`LogNumbering`), so the
    /// checkpoint is below it; should it not be, it belongs to another log and nothing is skipped on its account:
    /// the store's own check decides.
    init(store: ChunkStore, counters: IngestCounters, minFlushSpacing: Duration = .zero, logNextLSN: UInt64) {
        self.store = store
        self.counters = counters
        self.minFlushSpacing = minFlushSpacing
        let checkpoint = store.checkpoint ?? 0
        durableThrough = checkpoint < logNextLSN ? checkpoint : 0
    }

    var name: String { "archive" }
    var checkpoint: UInt64? { store.checkpoint }

    func accept(_ output: DecodeOutput, origin: Origin?, lsn: UInt64, receivedAt: Int64) {}
    func accept(tick lsn: UInt64, receivedAt: Int64) {}
    func advance(watermark: UInt64) {}

    func accept(released: [ReadingSequencer.Item], receiveTime: (UInt64) -> Int64) {
        // Read in place: `for item in released` copied each reading (its strings retained and released).
        released.withUnsafeBufferPointer { released in
            for k in released.indices {
                // Read again after a restart (the worker resumes from the lowest checkpoint of all stages): stored and
                // flushed with this stage's checkpoint, so a duplicate without asking the store, whose check would
                // decode the block the sample is in (recovery from a 5-minute-old processors checkpoint took minutes).
                if released[k].lsn <= durableThrough {
                    counters.readingsDuplicate.add()
                    continue
                }
                switch store.append(released[k].reading, flags: released[k].flags.rawValue) {
                case .stored: counters.readingsStored.add()
                case .duplicate: counters.readingsDuplicate.add()
                case .conflict:
                    counters.readingsStored.add()
                    counters.readingsConflict.add()
                }
            }
        }
    }

    func flushIsDue(at receivedAt: Int64) -> Bool {
        store.flushIsDue(at: receivedAt)
            && (minFlushSpacing == .zero || ContinuousClock.now - lastFlushInstant >= minFlushSpacing)
    }

    func flush(watermark: UInt64, receivedAt: Int64, checkpointing: Bool) throws {
        guard watermark > (store.checkpoint ?? 0) || store.hasUnflushedSamples else { return }
        try store.flush(checkpoint: watermark, receivedAt: receivedAt)
        lastFlushInstant = ContinuousClock.now
    }
}

extension ProcessorStage: WorkerStage {
    var name: String { Self.stageName }

    func accept(brokerDropped total: UInt64, lsn: UInt64, receivedAt: Int64) {
        noteBrokerDropped(total: total, lsn: lsn, receivedAt: receivedAt)
    }

    func advance(watermark: UInt64) { apply(through: watermark) }

    func flushIsDue(at receivedAt: Int64) -> Bool { commitIsDue(at: receivedAt) }

    func flush(watermark: UInt64, receivedAt: Int64, checkpointing: Bool) throws {
        apply(through: watermark)
        try commit(receivedAt: receivedAt, checkpointing: checkpointing)
    }
}
