/// A torn record cut from the end of the last segment when the log was opened: the write that was under way when
/// the process or the machine stopped. The records before it are intact; the torn one was never accepted.
public struct TailTruncation: Sendable, Equatable, CustomStringConvertible {
    /// The segment file that was truncated.
    public var path: String
    /// The new length of the file: the end of its last intact record (or of its header).
    public var offset: UInt64
    /// How many bytes were removed.
    public var bytesRemoved: UInt64
    /// What was wrong with the bytes at `offset`.
    public var reason: CorruptionReason

    public init(path: String, offset: UInt64, bytesRemoved: UInt64, reason: CorruptionReason) {
        self.path = path
        self.offset = offset
        self.bytesRemoved = bytesRemoved
        self.reason = reason
    }

    public var description: String {
        "truncated \(path) to \(offset) bytes, removing \(bytesRemoved) bytes of a torn record (\(reason))"
    }
}
