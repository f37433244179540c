/// Where one record lives: enough to read it back with `WriteAheadLog.record(at:)`, so a ring buffer can carry this
/// 24-byte value instead of the payload. `BitwiseCopyable`, so lock-free rings can move it with plain memory copies.
public struct LogDescriptor: Sendable, Hashable, BitwiseCopyable, CustomStringConvertible {
    /// The record's log sequence number.
    public var lsn: UInt64
    /// Byte offset of the record in its segment file.
    public var offset: UInt64
    /// The segment's sequence number (0 for a log's first segment, +1 per segment; stored in the segment header).
    public var segment: UInt32
    /// The whole record in bytes, header included.
    public var length: UInt32

    public init(lsn: UInt64, segment: UInt32, offset: UInt64, length: UInt32) {
        self.lsn = lsn
        self.offset = offset
        self.segment = segment
        self.length = length
    }

    /// Whether `next` is the record written right after this one in the same segment: the next LSN, starting
    /// where this record ends (records one appending thread writes; a run of them is read with one call).
    @inlinable
    public func isFollowed(by next: LogDescriptor) -> Bool {
        next.lsn == lsn &+ 1 && next.segment == segment && next.offset == offset &+ UInt64(length)
    }

    public var description: String {
        "LSN \(lsn) (segment \(segment), offset \(offset), \(length) bytes)"
    }
}
