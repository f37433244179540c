/// Damage found in a segment file: which file, where, and what is wrong.
public struct LogCorruption: Sendable, Equatable, CustomStringConvertible {
    /// The segment file.
    public var path: String
    /// Byte offset of the damaged record (0 for the segment header).
    public var offset: UInt64
    public var reason: CorruptionReason

    public init(path: String, offset: UInt64, reason: CorruptionReason) {
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "\(path) at offset \(offset): \(reason)"
    }
}
