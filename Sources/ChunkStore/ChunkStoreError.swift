/// What went wrong in the chunk store, located well enough to act on.
public enum ChunkStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file failed a check: wrong magic or version, a checksum mismatch, a length past the end, a frame that does
    /// not decompress. `offset` is the byte where the bad part starts.
    case corrupt(path: String, offset: Int, reason: String)
    /// A system call failed.
    case io(path: String, operation: String, reason: String)
    /// The codec refused to encode or decode a block.
    case codec(path: String, reason: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let offset, let reason):
            "chunk data \(path) is corrupt at byte \(offset): \(reason); the file is skipped"
        case .io(let path, let operation, let reason):
            "\(operation) \(path) failed: \(reason)"
        case .codec(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
