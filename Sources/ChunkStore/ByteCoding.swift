/// Little-endian appends to a byte array.
extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// A length-prefixed (u16) UTF-8 string; longer strings are cut at 65,535 bytes (identifiers are far shorter).
    mutating func appendString(_ string: String) {
        let utf8 = Array(string.utf8.prefix(Int(UInt16.max)))
        appendLE(UInt16(utf8.count))
        append(contentsOf: utf8)
    }

    /// Overwrites `T` at `offset`, little-endian.
    mutating func storeLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        Swift.withUnsafeBytes(of: value.littleEndian) { bytes in
            for (index, byte) in bytes.enumerated() { self[offset + index] = byte }
        }
    }
}

/// A bounds-checked little-endian reader over untrusted bytes: every read that would run past the end throws.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    struct OutOfBounds: Error {
        let offset: Int
        let wanted: Int
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(OutOfBounds) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw OutOfBounds(offset: offset, wanted: size) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readString() throws(OutOfBounds) -> String {
        let count = Int(try read(UInt16.self))
        let slice = try readBytes(count)
        return String(decoding: slice, as: UTF8.self)
    }

    mutating func readBytes(_ count: Int) throws(OutOfBounds) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw OutOfBounds(offset: offset, wanted: count) }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }
}

/// `withUnsafeBytes` for a body that throws `ChunkStoreError` (the standard one is `rethrows`, which erases the type).
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ChunkStoreError) -> R) throws(ChunkStoreError) -> R {
    let result: Result<R, ChunkStoreError> = bytes.withUnsafeBytes { raw in
        Result { () throws(ChunkStoreError) -> R in try body(raw) }
    }
    return try result.get()
}
