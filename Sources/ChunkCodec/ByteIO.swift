/// Zigzag mapping of signed to unsigned integers: small magnitudes of either sign become small numbers.
@inline(__always)
func zigzag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
}

@inline(__always)
func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
}

extension Array where Element == UInt8 {
    /// LEB128: 7 bits a byte, low group first, high bit set on every byte but the last (at most 10 bytes).
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        append(UInt8(truncatingIfNeeded: rest))
    }

    @inline(__always)
    mutating func appendSignedVarint(_ value: Int64) {
        appendVarint(zigzag(value))
    }

    mutating func appendLittleEndian(_ value: UInt64) {
        var rest = value
        for _ in 0..<8 {
            append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }
}

/// The number of bytes `appendVarint` writes for `value`.
@inline(__always)
func varintSize(_ value: UInt64) -> Int {
    let bits = 64 - value.leadingZeroBitCount
    return bits == 0 ? 1 : (bits + 6) / 7
}

/// A bounds-checked reader over untrusted bytes. Every read that would run past the end throws `.truncated`;
/// offsets reported in errors are relative to `origin` (the block's first byte).
struct BlockReader {
    let base: UnsafeRawPointer?
    let end: Int
    let origin: Int
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, origin: Int = 0) {
        base = bytes.baseAddress.map { UnsafeRawPointer($0) }
        end = bytes.count
        self.origin = origin
        offset = 0
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset == end }

    func error(_ reason: BlockDecodingError.Reason) -> BlockDecodingError {
        BlockDecodingError(reason, at: origin + offset)
    }

    mutating func byte() throws(BlockDecodingError) -> UInt8 {
        guard offset < end, let base else { throw error(.truncated) }
        let value = base.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        return value
    }

    mutating func uint16() throws(BlockDecodingError) -> UInt16 {
        guard remaining >= 2, let base else { throw error(.truncated) }
        let value = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        offset += 2
        return value
    }

    mutating func uint64() throws(BlockDecodingError) -> UInt64 {
        guard remaining >= 8, let base else { throw error(.truncated) }
        let value = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
        return value
    }

    /// A LEB128 varint of at most 64 bits: an eleventh byte, or a tenth byte above 1, is invalid.
    mutating func varint() throws(BlockDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let start = offset
            let byte = try byte()
            if shift == 63 && byte > 1 { throw BlockDecodingError(.invalidField, at: origin + start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func signedVarint() throws(BlockDecodingError) -> Int64 {
        unzigzag(try varint())
    }

    /// A varint that must not exceed `limit`, returned as an `Int`.
    mutating func count(atMost limit: Int) throws(BlockDecodingError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(limit) else { throw BlockDecodingError(.invalidField, at: origin + start) }
        return Int(value)
    }

    /// The next `count` bytes, as a reader of their own whose errors report offsets within the block.
    mutating func section(_ count: Int) throws(BlockDecodingError) -> BlockReader {
        guard count >= 0, remaining >= count else { throw error(.truncated) }
        let slice = UnsafeRawBufferPointer(start: base.map { $0 + offset }, count: count)
        let reader = BlockReader(slice, origin: origin + offset)
        offset += count
        return reader
    }

    /// The next `count` bytes as a raw pointer (nil only when `count` is 0 and the input is empty).
    mutating func bytes(_ count: Int) throws(BlockDecodingError) -> UnsafeRawPointer? {
        guard count >= 0, remaining >= count else { throw error(.truncated) }
        let pointer = base.map { $0 + offset }
        offset += count
        return pointer
    }

    func expectEnd() throws(BlockDecodingError) {
        guard isAtEnd else { throw error(.lengthMismatch) }
    }
}
