/// Why bytes in a segment are not a valid record (or segment header). An `Error` only so it can be a `Result`'s
/// failure; it reaches callers inside `LogCorruption`.
public enum CorruptionReason: Error, Sendable, Equatable, CustomStringConvertible {
    /// The magic number is wrong (a record's two bytes, or a segment header's four).
    case badMagic(found: UInt32)
    /// The kind byte names no record kind.
    case unknownKind(UInt8)
    /// A header field is out of range or disagrees with another.
    case badField(String)
    /// The file ends inside the record (or header): `present` of `needed` bytes are there.
    case truncated(present: Int, needed: Int)
    /// The CRC-32C stored in the record (or header) is not the one its bytes give.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The record is intact but its LSN is not the one that must come next.
    case lsnOutOfSequence(expected: UInt64, found: UInt64)

    public var description: String {
        switch self {
        case .badMagic(let found): return "bad magic number 0x\(hex(found))"
        case .unknownKind(let kind): return "unknown record kind \(kind)"
        case .badField(let detail): return detail
        case .truncated(let present, let needed): return "cut short: \(present) of \(needed) bytes present"
        case .checksumMismatch(let stored, let computed):
            return "checksum mismatch: stored 0x\(hex(stored)), computed 0x\(hex(computed))"
        case .lsnOutOfSequence(let expected, let found): return "LSN \(found) where LSN \(expected) was expected"
        }
    }
}

/// Upper-case hexadecimal, for magic numbers and checksums in messages.
func hex<T: BinaryInteger>(_ value: T) -> String {
    String(value, radix: 16, uppercase: true)
}
