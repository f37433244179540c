/// Reads a log's records in strict LSN order from a given LSN, across segments: for the spill path and for export
/// to fixtures. Works on the directory alone (its own file descriptors; no open `WriteAheadLog` needed), and may
/// run while a writer appends: at the end of what is written it returns nil, and a later `next()` picks up records
/// appended since, following the writer into new segments.
///
/// Damage does not stop it for good: `next()` throws `.corrupt` (file and offset) or `.lsnGap`, and the following
/// call goes on with the next intact record (whose LSN then jumps past the lost ones).
///
/// Not thread-safe: one reader per thread or task.
public final class LogReader {
    public let directory: String
    /// The LSN `next()` returns next, or the first after it that is still there.
    public private(set) var nextLSN: UInt64

    private let folder: SegmentDirectory
    private var cursor: SegmentCursor
    /// Set once a later segment was seen: the writer has left the current one, so when the current one has no more
    /// intact records (after one more look), the reader moves on.
    private var followingSegment: UInt64?
    /// The first LSN of the latest segment the reader has entered or given up on (a damaged header); only segments
    /// after it are looked for.
    private var latestSegment: UInt64

    /// Positions the reader at `lsn`. Throws `.notAvailable` when `lsn` is older than the oldest segment (removed).
    /// An `lsn` past the end is allowed: the reader returns nil until that record is written.
    public init(directory: String, from lsn: UInt64) throws(WriteAheadLogError) {
        self.directory = directory
        folder = SegmentDirectory(path: directory)
        let names = try folder.segmentFirstLSNs()
        guard let first = names.first else { throw .notAvailable(lsn: lsn, firstLSN: 1) }
        guard lsn >= first else { throw .notAvailable(lsn: lsn, firstLSN: first) }
        let start = names.last { $0 <= lsn }!
        cursor = try SegmentCursor.open(path: folder.segmentPath(firstLSN: start), firstLSN: start)
        latestSegment = start
        nextLSN = lsn
        try cursor.seek(toLSN: lsn)
    }

    /// Moves the reader forward to the record after `descriptor` without reading what lies between, when
    /// `descriptor` is an intact record of the segment the reader is in, at or after its position (a record the
    /// caller got from the ring). Returns false, and leaves the reader as it was, otherwise.
    public func skip(past descriptor: LogDescriptor) -> Bool {
        guard descriptor.segment == cursor.header.sequence, descriptor.lsn >= nextLSN,
              descriptor.offset >= cursor.position
        else { return false }
        cursor.resume(after: descriptor)
        nextLSN = descriptor.lsn + 1
        return true
    }

    /// Positions the reader at the oldest record still held (older segments may have been removed).
    public convenience init(oldestIn directory: String) throws(WriteAheadLogError) {
        guard let first = try SegmentDirectory(path: directory).segmentFirstLSNs().first else {
            throw .notAvailable(lsn: 1, firstLSN: 1)
        }
        try self.init(directory: directory, from: first)
    }

    /// The next record; nil when there is none yet.
    public func next() throws(WriteAheadLogError) -> LogEntry? {
        guard let (header, offset, bytes) = try nextRecord() else { return nil }
        let descriptor = LogDescriptor(
            lsn: header.lsn, segment: cursor.header.sequence, offset: offset, length: header.length)
        return LogEntry(descriptor: descriptor, record: RecordView(header: header, record: bytes).record)
    }

    /// The next record lent to `body` as a view of the reader's buffer, valid only inside `body` (no copy of its
    /// topic and payload, as `next()` makes); nil, without calling `body`, when there is none yet. Throws as
    /// `next()` does.
    public func withNext<T>(_ body: (RecordView) -> T) throws(WriteAheadLogError) -> T? {
        guard let (header, _, bytes) = try nextRecord() else { return nil }
        return body(RecordView(header: header, record: bytes))
    }

    /// The next intact record's header, offset and bytes (in the cursor's buffer, until its next read).
    private func nextRecord() throws(WriteAheadLogError) -> (RecordHeader, UInt64, UnsafeRawBufferPointer)? {
        while true {
            let step = try cursor.next()
            switch step {
            case .record(let header, let offset, let bytes):
                if header.lsn < nextLSN { continue }
                nextLSN = header.lsn + 1
                return (header, offset, bytes)
            case .damaged(let offset, let reason, let resumeAt?):
                cursor.skip(to: resumeAt)
                throw .corrupt(LogCorruption(path: cursor.path, offset: offset, reason: reason))
            case .end, .damaged(_, _, nil):
                // Nothing intact follows in this segment, for now. While it is the last segment that is the end of
                // the log (a damaged tail may be a write under way). Once a later segment exists the writer has
                // left this one: look once more (it may have written here between our read and its roll), then go.
                guard let following = followingSegment else {
                    guard let following = try folder.segmentFirstLSNs().first(where: { $0 > latestSegment })
                    else { return nil }
                    followingSegment = following
                    continue
                }
                let expected = cursor.nextLSN
                let left = cursor.path
                followingSegment = nil
                latestSegment = following
                // A damaged header throws here; the next call then looks past that segment.
                cursor = try SegmentCursor.open(path: folder.segmentPath(firstLSN: following), firstLSN: following)
                if case .damaged(let offset, let reason, _) = step {
                    throw .corrupt(LogCorruption(path: left, offset: offset, reason: reason))
                }
                if following != expected {
                    if following > expected { nextLSN = max(nextLSN, following) }
                    throw .lsnGap(path: cursor.path, expected: expected, found: following)
                }
            }
        }
    }
}
