#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The segments of an open log and its write position: the state the appending thread, the sync thread and readers
/// of `record(at:)` share.
///
/// What guards what:
/// - Everything mutable is in `state`, behind one `Mutex`. An append holds it for its `pwritev` (microseconds; that
///   lock is what makes appends from two threads safe, though the log is built for one). The sync pass holds it only
///   to take a snapshot of what to flush and to record the result, never during `fdatasync`, so a disk flush never
///   blocks an append. Readers hold it only to look a segment up.
/// - `syncing` serializes whole sync passes (the background thread's, `sync()`'s, `.always`'s), so that a pass
///   declares durable only what it flushed itself. Appends never take it. Lock order: `syncing`, then `state`.
/// - A `SegmentFile` closes its descriptor when its last holder lets go, so a pass may flush a file outside the lock
///   while an append rolls away from it, or retention removes it.
final class SegmentStore: Sendable {
    /// Non-current segments kept open for `record(at:)` at most; older ones are reopened when read.
    static let maxOpenReadFiles = 8

    let directory: SegmentDirectory
    let segmentSize: UInt64
    let policy: SyncPolicy
    private let state: Mutex<State>
    private let syncing = Mutex(())
    /// Copies of `bytesOnDisk` and `nextLSN`, stored under the state lock after every change, so that the ingest
    /// path can check its disk quota on every message without taking the lock. Relaxed: they are gauges; nothing
    /// else is published through them.
    private let bytesOnDiskGauge = Atomic<UInt64>(0)
    private let nextLSNGauge = Atomic<UInt64>(0)
    /// A copy of `syncedThrough`, stored under the state lock after a sync pass, so that the worker can ask at every
    /// commit whether the log is durable far enough without contending with the appending thread (which holds the
    /// lock through each `pwritev`). Releasing/acquiring: a reader that sees an LSN sees the pass that flushed it.
    private let syncedThroughGauge = Atomic<UInt64>(0)

    struct State {
        /// Ascending by first LSN (and sequence); the last is the current segment, the one appended to.
        var segments: [Segment]
        /// The current segment, open for writing; nil once the log is closed.
        var writer: SegmentFile?
        /// The end of the current segment: where the next record goes.
        var writeOffset: UInt64
        /// Bytes in all segments but the current one.
        var olderSegmentBytes: UInt64
        var nextLSN: UInt64
        /// Every record up to this LSN is durable (0: none is known to be).
        var syncedThrough: UInt64
        /// Segments rolled away from whose last writes are not yet flushed.
        var unsynced: [SegmentFile]
        /// Counts segment creations; the directory is durable up to `directorySynced` of them.
        var directoryChanges: Int
        var directorySynced: Int
        /// Set when a flush failed (or a failed write could not be cut off): appends are refused from then on.
        var failure: WriteAheadLogError?
        /// Held while the log is open.
        var lock: DirectoryLock?

        /// Bytes in all segment files.
        var bytesOnDisk: UInt64 { olderSegmentBytes + writeOffset }

        /// The index of the segment with this sequence number.
        func index(ofSequence sequence: UInt32) -> Int? {
            var low = 0
            var high = segments.count
            while low < high {
                let middle = (low + high) / 2
                if segments[middle].sequence < sequence { low = middle + 1 } else { high = middle }
            }
            return low < segments.count && segments[low].sequence == sequence ? low : nil
        }

        /// Drops the descriptors of the oldest non-current segments beyond `maxOpenReadFiles`.
        mutating func evictReadFiles(keeping kept: Int? = nil) {
            var open = segments.indices.dropLast().filter { segments[$0].file != nil && $0 != kept }
            while open.count > SegmentStore.maxOpenReadFiles - (kept == nil ? 0 : 1) {
                segments[open.removeFirst()].file = nil
            }
        }
    }

    /// Where a sync pass starts from.
    private struct SyncPass: Sendable {
        var files: [SegmentFile]
        var directoryChanges: Int
        var syncDirectory: Bool
        var throughLSN: UInt64
    }

    init(directory: SegmentDirectory, segmentSize: Int, policy: SyncPolicy, state: consuming State) {
        self.directory = directory
        self.segmentSize = UInt64(segmentSize)
        self.policy = policy
        bytesOnDiskGauge.store(state.bytesOnDisk, ordering: .relaxed)
        nextLSNGauge.store(state.nextLSN, ordering: .relaxed)
        syncedThroughGauge.store(state.syncedThrough, ordering: .releasing)
        self.state = Mutex(state)
    }

    /// Bytes in all segment files, without taking the lock.
    var bytesOnDisk: UInt64 { bytesOnDiskGauge.load(ordering: .relaxed) }

    /// The LSN the next append gets, without taking the lock.
    var nextLSN: UInt64 { nextLSNGauge.load(ordering: .relaxed) }

    /// Updates the gauges; called with the state lock held, after a change.
    private func publish(_ state: borrowing State) {
        bytesOnDiskGauge.store(state.bytesOnDisk, ordering: .relaxed)
        nextLSNGauge.store(state.nextLSN, ordering: .relaxed)
        syncedThroughGauge.store(state.syncedThrough, ordering: .releasing)
    }

    // MARK: Appending

    /// Writes one record to the current segment (rolling first when it would pass the segment size) with a single
    /// `pwritev`; under `.always`, flushes it before returning. Arguments are checked by the caller.
    func append(
        kind: RecordKind, time: Int64, topic: UnsafeRawBufferPointer, qos: UInt8, retained: Bool,
        payload: UnsafeRawBufferPointer
    ) throws(WriteAheadLogError) -> LogDescriptor {
        let descriptor = try state.withLock { (state) throws(WriteAheadLogError) -> LogDescriptor in
            guard state.writer != nil else { throw .closed(directory: directory.path) }
            if let failure = state.failure { throw .stopped(after: failure) }
            let length = RecordHeader.size + topic.count + payload.count
            if state.writeOffset > UInt64(SegmentHeader.size) && state.writeOffset + UInt64(length) > segmentSize {
                try roll(&state)
            }
            let writer = state.writer!
            let offset = state.writeOffset
            let header = RecordHeader(
                kind: kind, lsn: state.nextLSN, time: time, qos: qos, retained: retained,
                topicLength: topic.count, payloadLength: payload.count)
            // The header is built on the stack (40 bytes for its 36), so an append allocates nothing.
            var headerStorage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
            try withUnsafeMutableBytes(of: &headerStorage) { (raw) throws(WriteAheadLogError) in
                let bytes = UnsafeMutableRawBufferPointer(rebasing: raw[0..<RecordHeader.size])
                header.encode(into: bytes.baseAddress!)
                RecordHeader.seal(header: bytes, topic: topic, payload: payload)
                do throws(WriteAheadLogError) {
                    try writer.write(header: UnsafeRawBufferPointer(bytes), topic: topic, payload: payload, at: offset)
                } catch {
                    // Part of the record may be in the file: cut it off, so the next record starts where this one
                    // did. If even that fails, the end of the segment is unknown and the log stops.
                    do throws(WriteAheadLogError) {
                        try writer.truncate(to: offset)
                    } catch let truncateError {
                        state.failure = truncateError
                    }
                    throw error
                }
            }
            state.writeOffset = offset + UInt64(length)
            state.nextLSN += 1
            publish(state)
            return LogDescriptor(
                lsn: header.lsn, segment: state.segments[state.segments.count - 1].sequence, offset: offset,
                length: header.length)
        }
        if policy == .always { try sync() }
        return descriptor
    }

    /// Starts a new current segment named after the next LSN. The old one joins `unsynced` for the next pass.
    private func roll(_ state: inout State) throws(WriteAheadLogError) {
        let firstLSN = state.nextLSN
        let last = state.segments.count - 1
        let header = SegmentHeader(firstLSN: firstLSN, sequence: state.segments[last].sequence &+ 1)
        let path = directory.segmentPath(firstLSN: firstLSN)
        let file = try SegmentFile.create(path)
        do throws(WriteAheadLogError) {
            try file.writeHeader(header)
        } catch {
            try? directory.remove(path)
            throw error
        }
        state.segments[last].size = state.writeOffset
        state.olderSegmentBytes += state.writeOffset
        if let old = state.writer { state.unsynced.append(old) }
        state.segments.append(Segment(
            sequence: header.sequence, firstLSN: firstLSN, path: path, size: UInt64(SegmentHeader.size), file: file))
        state.writer = file
        state.writeOffset = UInt64(SegmentHeader.size)
        state.directoryChanges += 1
        state.evictReadFiles()
    }

    // MARK: Numbering

    /// Replaces the one segment of a log that holds no record by an empty segment named `lsn`, so the next record
    /// gets `lsn`; nothing changes when `lsn` is not past the next LSN. Throws `.notEmpty` when the log holds a
    /// record (its numbering is fixed by its records).
    ///
    /// kill -9 safe: the old segment is removed (and the directory flushed) before the new one is created, so a
    /// restart finds the old segment, no segment (a new log at LSN 1), or the new one — complete, or shorter than its
    /// header, which recovery writes again from the file name. Never two segments with a gap between them. It
    /// flushes the directory twice under the append lock: it is meant for a log just opened, before any append.
    func advanceNextLSN(to lsn: UInt64) throws(WriteAheadLogError) {
        try syncing.withLock { (_: inout ()) throws(WriteAheadLogError) in
            try state.withLock { (state) throws(WriteAheadLogError) in
                guard state.writer != nil else { throw .closed(directory: directory.path) }
                if let failure = state.failure { throw .stopped(after: failure) }
                guard lsn > state.nextLSN else { return }
                guard state.segments.count == 1, state.writeOffset == UInt64(SegmentHeader.size) else {
                    throw .notEmpty(directory: directory.path, firstLSN: state.segments[0].firstLSN,
                                    lastLSN: state.nextLSN - 1)
                }
                let old = state.segments[0]
                let path = directory.segmentPath(firstLSN: lsn)
                let header = SegmentHeader(firstLSN: lsn, sequence: old.sequence)
                do throws(WriteAheadLogError) {
                    try directory.remove(old.path)
                    try directory.sync()
                    let file = try SegmentFile.create(path)
                    try file.writeHeader(header)
                    try file.syncData()
                    try directory.sync()
                    state.segments = [Segment(sequence: header.sequence, firstLSN: lsn, path: path,
                                              size: UInt64(SegmentHeader.size), file: file)]
                    state.writer = file
                } catch {
                    // The old segment may be gone and the new one incomplete: appends stop; reopening recovers.
                    state.failure = error
                    throw error
                }
                state.nextLSN = lsn
                state.syncedThrough = lsn - 1
                publish(state)
            }
        }
    }

    // MARK: Durability

    /// True when a record or a new segment is not yet flushed.
    var needsSync: Bool {
        state.withLock { state in
            state.writer != nil && state.failure == nil
                && (state.nextLSN - 1 > state.syncedThrough || state.directoryChanges > state.directorySynced)
        }
    }

    /// Flushes every record appended so far (rolled segments first, then the current one, then the directory when
    /// segments were created) and returns the LSN through which the log is now durable. A failure stops the log.
    @discardableResult
    func sync() throws(WriteAheadLogError) -> UInt64 {
        try syncing.withLock { (_: inout ()) throws(WriteAheadLogError) -> UInt64 in
            let pass = try state.withLock { (state) throws(WriteAheadLogError) -> SyncPass in
                guard let writer = state.writer else { throw .closed(directory: directory.path) }
                if let failure = state.failure { throw .stopped(after: failure) }
                return SyncPass(
                    files: state.unsynced + [writer], directoryChanges: state.directoryChanges,
                    syncDirectory: state.directoryChanges > state.directorySynced, throughLSN: state.nextLSN - 1)
            }
            do throws(WriteAheadLogError) {
                for file in pass.files { try file.syncData() }
                if pass.syncDirectory { try directory.sync() }
            } catch {
                // After a failed fdatasync the kernel may have marked the pages clean: a retry could "succeed"
                // without the data ever reaching the disk. So the log stops rather than pretend.
                state.withLock { state in
                    if state.failure == nil { state.failure = error }
                }
                throw error
            }
            return state.withLock { state in
                state.unsynced.removeAll { file in pass.files.contains { $0 === file } }
                state.directorySynced = max(state.directorySynced, pass.directoryChanges)
                state.syncedThrough = max(state.syncedThrough, pass.throughLSN)
                syncedThroughGauge.store(state.syncedThrough, ordering: .releasing)
                return state.syncedThrough
            }
        }
    }

    // MARK: Positions

    /// What the lock guards that callers read (`nextLSN` and `bytesOnDisk` have lock-free gauges).
    struct Positions {
        var firstLSN: UInt64
        var syncedThrough: UInt64
        var segmentCount: Int
    }

    /// Every record up to this LSN is durable (0: none is known to be), without taking the lock.
    var syncedThrough: UInt64 { syncedThroughGauge.load(ordering: .acquiring) }

    var positions: Positions {
        state.withLock { state in
            Positions(
                firstLSN: state.segments[0].firstLSN, syncedThrough: state.syncedThrough,
                segmentCount: state.segments.count)
        }
    }

    // MARK: Reading

    private enum Lookup: Sendable {
        case open(SegmentFile)
        case closed(path: String)
        case missing(firstLSN: UInt64)
    }

    /// The open file of the segment `descriptor` points into (opened, and kept among a few, when it is not open).
    func file(for descriptor: LogDescriptor) throws(WriteAheadLogError) -> SegmentFile {
        let lookup = try state.withLock { (state) throws(WriteAheadLogError) -> Lookup in
            guard state.writer != nil else { throw .closed(directory: directory.path) }
            guard let index = state.index(ofSequence: descriptor.segment) else {
                return .missing(firstLSN: state.segments[0].firstLSN)
            }
            if let file = state.segments[index].file { return .open(file) }
            return .closed(path: state.segments[index].path)
        }
        switch lookup {
        case .open(let file):
            return file
        case .missing(let firstLSN):
            throw .notAvailable(lsn: descriptor.lsn, firstLSN: firstLSN)
        case .closed(let path):
            // Opened outside the lock: open(2) is slow next to an append.
            let file: SegmentFile
            do throws(WriteAheadLogError) {
                file = try SegmentFile.openForReading(path)
            } catch {
                // Removed by retention between the look-up and the open.
                if case .systemCall(_, _, let code, _) = error, code == ENOENT {
                    throw .notAvailable(lsn: descriptor.lsn, firstLSN: positions.firstLSN)
                }
                throw error
            }
            state.withLock { state in
                if let index = state.index(ofSequence: descriptor.segment), state.segments[index].file == nil {
                    state.segments[index].file = file
                    state.evictReadFiles(keeping: index)
                }
            }
            return file
        }
    }

    // MARK: Retention

    /// Deletes every segment whose records all have LSNs below `lsn`; never the current segment. Returns how many.
    func removeSegments(before lsn: UInt64) throws(WriteAheadLogError) -> Int {
        let removed = try state.withLock { (state) throws(WriteAheadLogError) -> [Segment] in
            guard state.writer != nil else { throw .closed(directory: directory.path) }
            var count = 0
            while count + 1 < state.segments.count && state.segments[count + 1].firstLSN <= lsn { count += 1 }
            let removed = Array(state.segments.prefix(count))
            state.segments.removeFirst(count)
            state.olderSegmentBytes -= removed.reduce(0) { $0 + $1.size }
            publish(state)
            return removed
        }
        var firstError: WriteAheadLogError?
        for segment in removed {
            do throws(WriteAheadLogError) {
                try directory.remove(segment.path)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return removed.count
    }

    // MARK: Closing

    /// Flushes (unless the policy is `.never`, or the log has failed), closes every file and releases the lock.
    /// Safe to call twice.
    func close() throws(WriteAheadLogError) {
        let shouldSync = state.withLock { state in state.writer != nil && state.failure == nil }
        var syncError: WriteAheadLogError?
        if shouldSync && policy != .never {
            do throws(WriteAheadLogError) { try sync() } catch { syncError = error }
        }
        state.withLock { state in
            state.writer = nil
            state.unsynced = []
            for index in state.segments.indices { state.segments[index].file = nil }
            state.lock = nil
        }
        if let syncError { throw syncError }
    }
}
