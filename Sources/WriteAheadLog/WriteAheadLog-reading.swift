extension WriteAheadLog {
    /// Reads the record `descriptor` points to into `buffer` (grown when too small, otherwise reused) and hands it
    /// to `body` without copying. The record's checksum, length and LSN are checked first. Any thread.
    public func withRecord<Value>(
        at descriptor: LogDescriptor, buffer: inout [UInt8], _ body: (RecordView) -> Value
    ) throws(WriteAheadLogError) -> Value {
        let file = try store.file(for: descriptor)
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
