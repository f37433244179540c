/// Reads one segment's records in order through a buffer refilled with `pread`, and finds the next intact record
/// after damage. Recovery and `LogReader` use it. Not thread-safe: one owner.
///
/// "Intact" means: a valid header (magic, kind, flags, QoS, lengths that add up), all its bytes present, the CRC-32C
/// right, and an LSN that may come next (exactly the next one, or, right after skipped damage, any later one).
final class SegmentCursor {
    enum Step {
        /// An intact record; `bytes` (the whole record) are valid until the next call on the cursor.
        case record(RecordHeader, offset: UInt64, bytes: UnsafeRawBufferPointer)
        /// The file ends right after the last intact record.
        case end
        /// The bytes at `offset` are not an intact record. `resumeAt` is the offset of the next intact record; nil
        /// when none follows (a torn tail, or, in a live segment, a write still under way). The cursor stays at
        /// `offset` until `skip(to:)`.
        case damaged(offset: UInt64, reason: CorruptionReason, resumeAt: UInt64?)
    }

    /// Bytes read per refill, unless a record needs more.
    static let bufferBytes = 256 * 1024

    let file: SegmentFile
    let header: SegmentHeader
    /// Offset of the next record to read.
    private(set) var position = UInt64(SegmentHeader.size)
    /// The LSN of the last intact record read, if any.
    private(set) var lastLSN: UInt64?
    /// False right after `skip(to:)`: records were lost, so the next LSN need only be greater than the last.
    private var contiguous = true

    private var buffer: UnsafeMutableRawBufferPointer
    /// The file offset of `buffer[0]`, and how many bytes from there the buffer holds.
    private var windowStart: UInt64 = 0
    private var windowCount = 0

    var path: String { file.path }

    /// The LSN the next record must have (at least, after skipped damage).
    var nextLSN: UInt64 { lastLSN.map { $0 + 1 } ?? header.firstLSN }

    init(file: SegmentFile, header: SegmentHeader) {
        self.file = file
        self.header = header
        buffer = .allocate(byteCount: Self.bufferBytes, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Opens the segment at `path` for reading and checks its header against `firstLSN` (its file name).
    static func open(path: String, firstLSN: UInt64) throws(WriteAheadLogError) -> SegmentCursor {
        let file = try SegmentFile.openForReading(path)
        switch try readHeader(of: file, firstLSN: firstLSN) {
        case .success(let header): return SegmentCursor(file: file, header: header)
        case .failure(let reason): throw .corrupt(LogCorruption(path: path, offset: 0, reason: reason))
        }
    }

    /// Reads and checks the header of `file`, whose name says it starts at `firstLSN`.
    static func readHeader(
        of file: SegmentFile, firstLSN: UInt64
    ) throws(WriteAheadLogError) -> Result<SegmentHeader, CorruptionReason> {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: SegmentHeader.size, alignment: 8)
        defer { bytes.deallocate() }
        let count = try file.read(into: bytes.baseAddress!, count: SegmentHeader.size, at: 0)
        guard count == SegmentHeader.size else {
            return .failure(.truncated(present: count, needed: SegmentHeader.size))
        }
        let decoded = SegmentHeader.decode(UnsafeRawBufferPointer(bytes))
        if case .success(let header) = decoded, header.firstLSN != firstLSN {
            return .failure(.badField("the header says first LSN \(header.firstLSN), the file name \(firstLSN)"))
        }
        return decoded
    }

    /// The next record, the end, or damage.
    func next() throws(WriteAheadLogError) -> Step {
        let offset = position
        let present = try load(at: offset, count: RecordHeader.size)
        if present == 0 { return .end }
        guard present == RecordHeader.size else {
            return try damaged(at: offset, .truncated(present: present, needed: RecordHeader.size))
        }
        let header: RecordHeader
        switch RecordHeader.decode(bytes(at: offset, count: RecordHeader.size)) {
        case .success(let decoded): header = decoded
        case .failure(let reason): return try damaged(at: offset, reason)
        }
        let length = Int(header.length)
        let available = try load(at: offset, count: length)
        guard available == length else { return try damaged(at: offset, .truncated(present: available, needed: length)) }
        let record = bytes(at: offset, count: length)
        if let reason = header.verifyChecksum(record: record) { return try damaged(at: offset, reason) }
        if contiguous ? header.lsn != nextLSN : header.lsn < nextLSN {
            return try damaged(at: offset, .lsnOutOfSequence(expected: nextLSN, found: header.lsn))
        }
        position = offset + UInt64(length)
        lastLSN = header.lsn
        contiguous = true
        return .record(header, offset: offset, bytes: record)
    }

    /// Moves to the first record whose LSN is at least `lsn`, reading only record headers: the records passed over
    /// are not returned, so their checksums are not computed (a reader positioned mid-segment used to verify every
    /// record before its start). Stops early, without moving past it, at anything that is not a plausible header,
    /// so `next()` then reports the damage as usual.
    func seek(toLSN lsn: UInt64) throws(WriteAheadLogError) {
        while true {
            let offset = position
            guard try load(at: offset, count: RecordHeader.size) == RecordHeader.size,
                  case .success(let header) = RecordHeader.decode(bytes(at: offset, count: RecordHeader.size)),
                  header.lsn < lsn, contiguous ? header.lsn == nextLSN : header.lsn >= nextLSN
            else { return }
            position = offset + UInt64(header.length)
            lastLSN = header.lsn
            contiguous = true
        }
    }

    /// Continues right after `descriptor`, a record of this segment that was read intact elsewhere (the ring's
    /// descriptor of a record the caller already processed): no bytes are read.
    func resume(after descriptor: LogDescriptor) {
        position = descriptor.offset + UInt64(descriptor.length)
        lastLSN = descriptor.lsn
        contiguous = true
    }

    /// Moves past damage to `offset`, a `resumeAt` that `next()` reported.
    func skip(to offset: UInt64) {
        position = offset
        contiguous = false
    }

    private func damaged(at offset: UInt64, _ reason: CorruptionReason) throws(WriteAheadLogError) -> Step {
        .damaged(offset: offset, reason: reason, resumeAt: try intactRecord(after: offset))
    }

    /// The offset of the first intact record that starts after `offset`, searching byte by byte for the magic.
    private func intactRecord(after offset: UInt64) throws(WriteAheadLogError) -> UInt64? {
        let first = UInt8(truncatingIfNeeded: RecordHeader.magic)
        let second = UInt8(truncatingIfNeeded: RecordHeader.magic >> 8)
        var candidate = offset + 1
        while true {
            guard try load(at: candidate, count: RecordHeader.size) == RecordHeader.size else { return nil }
            // Search the window from `candidate` up to the last position where a whole header fits in it.
            let last = windowStart + UInt64(windowCount - RecordHeader.size)
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var found: UInt64?
            var position = candidate
            while position <= last {
                let index = Int(position - windowStart)
                if base.load(fromByteOffset: index, as: UInt8.self) == first
                    && base.load(fromByteOffset: index + 1, as: UInt8.self) == second {
                    found = position
                    break
                }
                position += 1
            }
            guard let start = found else {
                candidate = last + 1
                continue
            }
            if try isIntactRecord(at: start) { return start }
            candidate = start + 1
        }
    }

    private func isIntactRecord(at offset: UInt64) throws(WriteAheadLogError) -> Bool {
        guard try load(at: offset, count: RecordHeader.size) == RecordHeader.size,
              case .success(let header) = RecordHeader.decode(bytes(at: offset, count: RecordHeader.size)),
              header.lsn >= nextLSN
        else { return false }
        let length = Int(header.length)
        guard try load(at: offset, count: length) == length else { return false }
        return header.verifyChecksum(record: bytes(at: offset, count: length)) == nil
    }

    /// Makes the buffer hold `count` bytes from `offset`, or as many as the file has; returns how many it holds.
    private func load(at offset: UInt64, count: Int) throws(WriteAheadLogError) -> Int {
        if offset >= windowStart && offset + UInt64(count) <= windowStart + UInt64(windowCount) { return count }
        if count > buffer.count {
            // Grow only for bytes the file really has: a damaged length field must not allocate gigabytes.
            let size = try file.size()
            let present = size > offset ? Int(min(UInt64(count), size - offset)) : 0
            if present > buffer.count {
                buffer.deallocate()
                var capacity = buffer.count
                while capacity < present { capacity *= 2 }
                buffer = .allocate(byteCount: capacity, alignment: 16)
                windowCount = 0
            }
        }
        windowStart = offset
        windowCount = try file.read(into: buffer.baseAddress!, count: buffer.count, at: offset)
        return min(windowCount, count)
    }

    private func bytes(at offset: UInt64, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.baseAddress! + Int(offset - windowStart), count: count)
    }
}
