/// The segment a reading thread read last, kept by that thread: the next read in the same segment skips looking it
/// up under the log's lock, which the appending thread holds through each write (a reader arriving meanwhile spun
/// on it, about a thousand instructions a message in a replay). An unlinked segment stays readable while held, and
/// so does a cached segment after the log is closed: a read through the cache does not see either.
///
/// Not thread-safe: one per reading thread.
public final class SegmentCache {
    fileprivate var sequence: UInt32 = 0
    fileprivate var file: SegmentFile?

    public init() {}
}

extension WriteAheadLog {
    /// The open file of `descriptor`'s segment: the cached one when it is that segment, else looked up (and cached).
    private func file(for descriptor: LogDescriptor, cache: SegmentCache?) throws(WriteAheadLogError) -> SegmentFile {
        if let cache, let file = cache.file, cache.sequence == descriptor.segment { return file }
        let file = try store.file(for: descriptor)
        cache?.sequence = descriptor.segment
        cache?.file = file
        return file
    }

    /// Reads the record `descriptor` points to into `buffer` (grown when too small, otherwise reused) and hands it
    /// to `body` without copying. The record's checksum, length and LSN are checked first. Any thread (a `cache`
    /// belongs to one).
    public func withRecord<Value>(
        at descriptor: LogDescriptor, buffer: inout [UInt8], cache: SegmentCache? = nil, _ body: (RecordView) -> Value
    ) throws(WriteAheadLogError) -> Value {
        let file = try file(for: descriptor, cache: cache)
        let length = Int(descriptor.length)
        if buffer.count < length { buffer = [UInt8](repeating: 0, count: max(length, 4096)) }
        let outcome = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(WriteAheadLogError) -> Value in
                let count = try file.read(into: raw.baseAddress!, count: length, at: descriptor.offset)
                let record = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                switch Self.check(record, against: descriptor) {
                case .success(let header): return body(RecordView(header: header, record: record))
                case .failure(let reason):
                    throw .corrupt(LogCorruption(path: file.path, offset: descriptor.offset, reason: reason))
                }
            }
        }
        return try outcome.get()
    }

    /// Reads a run of records that lie back to back in one segment (each descriptor `isFollowed(by:)` the next: what
    /// one appending thread writes) with one `pread`, and hands each to `body` in order, checked as `withRecord`
    /// checks one: a damaged record is a failure for that record alone. Returns false, having handed over nothing,
    /// when the descriptors are not such a run, the segment cannot be opened or the read comes up short: the caller
    /// reads the records one by one then, for their own errors. Any thread (a `cache` belongs to one).
    ///
    /// An `ArraySlice`, not any collection: a generic across the module boundary is not specialized, and iterating
    /// it through witness tables cost the worker more than the read itself.
    public func withContiguousRecords(
        _ run: ArraySlice<LogDescriptor>, buffer: inout [UInt8], cache: SegmentCache? = nil,
        _ body: (LogDescriptor, Result<RecordView, WriteAheadLogError>) -> Void
    ) -> Bool {
        guard let first = run.first, let last = run.last else { return true }
        var previous = first
        for descriptor in run.dropFirst() {
            guard previous.isFollowed(by: descriptor) else { return false }
            previous = descriptor
        }
        guard let file = try? file(for: first, cache: cache) else { return false }
        let total = Int(last.offset - first.offset) + Int(last.length)
        if buffer.count < total { buffer = [UInt8](repeating: 0, count: max(total, 4096)) }
        return buffer.withUnsafeMutableBytes { raw in
            guard let count = try? file.read(into: raw.baseAddress!, count: total, at: first.offset), count == total else {
                return false
            }
            for descriptor in run {
                let start = Int(descriptor.offset - first.offset)
                let record = UnsafeRawBufferPointer(rebasing: raw[start..<(start + Int(descriptor.length))])
                switch Self.check(record, against: descriptor) {
                case .success(let header): body(descriptor, .success(RecordView(header: header, record: record)))
                case .failure(let reason):
                    body(descriptor, .failure(.corrupt(LogCorruption(path: file.path, offset: descriptor.offset,
                                                                     reason: reason))))
                }
            }
            return true
        }
    }

    /// Reads the record `descriptor` points to. Any thread.
    public func record(at descriptor: LogDescriptor) throws(WriteAheadLogError) -> LogRecord {
        var buffer: [UInt8] = []
        return try withRecord(at: descriptor, buffer: &buffer) { $0.record }
    }

    /// A reader of this log's records from `lsn` on, in LSN order (see `LogReader`).
    public func makeReader(from lsn: UInt64) throws(WriteAheadLogError) -> LogReader {
        try LogReader(directory: directory, from: lsn)
    }

    /// Checks that `record` is the intact record `descriptor` describes.
    private static func check(
        _ record: UnsafeRawBufferPointer, against descriptor: LogDescriptor
    ) -> Result<RecordHeader, CorruptionReason> {
        let needed = Int(descriptor.length)
        guard needed >= RecordHeader.size, record.count == needed else {
            return .failure(.truncated(present: record.count, needed: max(needed, RecordHeader.size)))
        }
        let header: RecordHeader
        switch RecordHeader.decode(record) {
        case .success(let decoded): header = decoded
        case .failure(let reason): return .failure(reason)
        }
        guard header.length == descriptor.length else {
            return .failure(.badField("record length \(header.length), but the descriptor says \(descriptor.length)"))
        }
        if let reason = header.verifyChecksum(record: record) { return .failure(reason) }
        guard header.lsn == descriptor.lsn else {
            return .failure(.lsnOutOfSequence(expected: descriptor.lsn, found: header.lsn))
        }
        return .success(header)
    }
}
