import Telemetry

/// The ingest write-ahead log: every MQTT message (and clock tick) as a checksummed record with a log sequence
/// number (LSN), in segment files in one directory. Format, guarantees and recovery: docs/write-ahead-log.md.
///
/// **Accepted means in the kernel.** `append` returns after one `pwritev(2)` of the record to the current segment;
/// nothing is buffered in user space, so a process crash (`kill -9` included) at any instant loses no accepted
/// record. An OS crash or power failure loses at most what the `SyncPolicy` has not flushed yet.
///
/// **Threads.** Appends are meant for one thread, libmosquitto's network thread: LSNs are then assigned in the order
/// messages arrive, and the append lock sees only short look-ups from other threads (readers, the sync pass's
/// snapshot), never an `fdatasync`. Appends from several threads are still safe (that lock serializes them), but
/// interleave in no particular order. Everything else (`sync()`, `record(at:)`, the positions,
/// `removeSegments(before:)`) may be called from any thread; `bytesOnDisk` and `nextLSN` are lock-free. A
/// background thread does the `.interval` flushes. See `SegmentStore` for what guards what.
///
/// One log per directory: a second open, in this process or another, fails with `.locked` until the first is closed.
public final class WriteAheadLog: Sendable {
    /// 64 MiB.
    public static let defaultSegmentSize = 64 << 20

    public let directory: String
    /// A segment is rolled when the next record would take it past this size (a single larger record gets a segment
    /// of its own).
    public let segmentSize: Int
    public let syncPolicy: SyncPolicy
    /// What opening found and repaired; log its `description` when it is not `isClean`.
    public let recoveryReport: RecoveryReport

    let store: SegmentStore
    private let syncThread: SyncThread?

    /// Opens the log in `directory` (created if missing; its parent must exist), recovering it as
    /// docs/write-ahead-log.md describes, or starts a new one at LSN 1.
    public init(
        directory: String, segmentSize: Int = WriteAheadLog.defaultSegmentSize, syncPolicy: SyncPolicy = .default
    ) throws(WriteAheadLogError) {
        guard segmentSize >= 4096 else { throw .invalidSegmentSize(segmentSize) }
        let folder = SegmentDirectory(path: directory)
        try folder.createIfMissing()
        let lock = try DirectoryLock(directory: directory)
        let recovered = try SegmentStore.recover(folder, lock: lock)
        let store = SegmentStore(directory: folder, segmentSize: segmentSize, policy: syncPolicy, state: recovered.state)
        if case .interval(let interval) = syncPolicy {
            let thread = try SyncThread(store: store, interval: interval)
            try thread.start()
            syncThread = thread
        } else {
            syncThread = nil
        }
        self.directory = directory
        self.segmentSize = segmentSize
        self.syncPolicy = syncPolicy
        self.store = store
        recoveryReport = recovered.report
    }

    deinit {
        syncThread?.stop()
        try? store.close()
    }

    /// Stops the sync thread, flushes (unless the policy is `.never`), closes the files and releases the directory.
    /// Call it after the last append; later calls throw `.closed`. Safe to call twice. Dropping an open log does the
    /// same, without reporting a failed flush.
    public func close() throws(WriteAheadLogError) {
        syncThread?.stop()
        try store.close()
    }

    // MARK: Appending (one thread)

    /// Appends a message, its topic and payload read in place; returns where the record went. On return the record
    /// is in the kernel. No copy and no heap allocation.
    @discardableResult
    public func append(
        receivedAt: Int64, topic: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, payload: UnsafeRawBufferPointer
    ) throws(WriteAheadLogError) -> LogDescriptor {
        guard qos <= 2 else { throw .invalidQoS(qos) }
        guard topic.count <= RecordHeader.maxTopicBytes, payload.count <= RecordHeader.maxPayloadBytes else {
            throw .recordTooLarge(topicBytes: topic.count, payloadBytes: payload.count)
        }
        return try store.append(
            kind: .message, time: receivedAt, topic: topic, qos: qos, retained: retained, payload: payload)
    }

    /// Appends a message whose topic is a `String` (its UTF-8 is read in place; no copy for a native string).
    @discardableResult
    public func append(
        receivedAt: Int64, topic: String, qos: UInt8, retained: Bool, payload: UnsafeRawBufferPointer
    ) throws(WriteAheadLogError) -> LogDescriptor {
        var topic = topic
        let result = topic.withUTF8 { utf8 in
            Result { () throws(WriteAheadLogError) -> LogDescriptor in
                try append(
                    receivedAt: receivedAt, topic: UnsafeRawBufferPointer(utf8), qos: qos, retained: retained,
                    payload: payload)
            }
        }
        return try result.get()
    }

    /// Appends `message`.
    @discardableResult
    public func append(_ message: InboundMessage) throws(WriteAheadLogError) -> LogDescriptor {
        let result = message.payload.withUnsafeBytes { payload in
            Result { () throws(WriteAheadLogError) -> LogDescriptor in
                try append(
                    receivedAt: message.receivedAt, topic: message.topic, qos: message.qos, retained: message.retained,
                    payload: payload)
            }
        }
        return try result.get()
    }

    /// Appends a clock tick: the receive clock reached `at` (ms since the Unix epoch) with no message. The live
    /// runtime writes one per second of silence; processing reads time from messages and ticks only.
    @discardableResult
    public func appendTick(at time: Int64) throws(WriteAheadLogError) -> LogDescriptor {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        return try store.append(kind: .tick, time: time, topic: empty, qos: 0, retained: false, payload: empty)
    }

    // MARK: Durability

    /// Flushes every record appended so far (`fdatasync` of the segments written since the last flush, and of the
    /// directory when segments were created) and returns the LSN through which the log is durable. Any thread.
    /// A failed flush stops the log: later appends throw `.stopped`.
    @discardableResult
    public func sync() throws(WriteAheadLogError) -> UInt64 {
        try store.sync()
    }

    /// Every record up to this LSN survives a power failure; nil when none is known to.
    public var syncedLSN: UInt64? {
        let synced = store.syncedThrough
        return synced == 0 ? nil : synced
    }

    // MARK: Positions and size

    /// The LSN the next append gets.
    public var nextLSN: UInt64 { store.nextLSN }

    /// The LSN of the last record appended (by this process or an earlier one); nil for a log that never held one.
    public var lastLSN: UInt64? {
        let next = store.nextLSN
        return next > 1 ? next - 1 : nil
    }

    /// The oldest LSN still in the log (the first LSN of its oldest segment); equals `nextLSN` when it holds no
    /// record.
    public var firstLSN: UInt64 { store.positions.firstLSN }

    /// True when the log holds no record (a new log, or one whose records were all removed): `firstLSN` equals
    /// `nextLSN`.
    public var isEmpty: Bool { firstLSN == nextLSN }

    // MARK: Numbering

    /// Moves the numbering of a log that holds no record forward: the next record gets `lsn`. Persisted before it
    /// returns (the log's one segment is replaced by an empty one named `lsn`), so a restart before the first record
    /// keeps it. A `lsn` at or below `nextLSN` changes nothing: LSNs never go backwards. Throws `.notEmpty` when
    /// the log holds a record. Call it right after opening, before any append (it flushes the directory while
    /// holding the append lock). A crash inside it leaves the old numbering, the new one, or no segment at all (the
    /// next open starts a new log at LSN 1, to be moved again); never a gap between two segments.
    ///
    /// For a log that was lost or deleted while what it fed kept its checkpoints (`IngestCore` calls it): records
    /// numbered from 1 again would be taken for ones those already have.
    public func advanceNextLSN(to lsn: UInt64) throws(WriteAheadLogError) {
        try store.advanceNextLSN(to: lsn)
    }

    /// Bytes in all segment files, for the disk quota. Lock-free (an atomic gauge): cheap enough for every message.
    public var bytesOnDisk: UInt64 { store.bytesOnDisk }

    /// Segment files in the log.
    public var segmentCount: Int { store.positions.segmentCount }

    // MARK: Retention

    /// Deletes the segments whose records all have LSNs below `lsn` (call it with the lowest LSN any stage still
    /// needs); the current segment is never deleted. Returns how many segments went.
    @discardableResult
    public func removeSegments(before lsn: UInt64) throws(WriteAheadLogError) -> Int {
        try store.removeSegments(before: lsn)
    }
}
