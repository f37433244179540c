import Checksum

/// The 24-byte header that starts every segment file; pure encoding and decoding, no I/O.
///
/// Layout (little-endian): `0 magic u32 | 4 version u8 | 5 reserved (3 zero bytes) | 8 first LSN u64 |
/// 16 sequence u32 | 20 crc32c u32` (the checksum covers bytes 0..<20). Records follow from byte 24.
struct SegmentHeader: Equatable, Sendable {
    /// `57 57 41 4C` on disk: ASCII "WWAL" (Wattline write-ahead log).
    static let magic: UInt32 = 0x4C41_5757
    static let version: UInt8 = 1
    static let size = 24

    /// The LSN of the segment's first record (the LSN the next record gets when the segment is empty); the file name
    /// says the same.
    var firstLSN: UInt64
    /// The segment's number: 0 for the first segment of a log, one more for each segment after. `LogDescriptor.segment`.
    var sequence: UInt32

    func encode(into destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count >= Self.size)
        destination.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        destination.storeBytes(of: Self.version, toByteOffset: 4, as: UInt8.self)
        for offset in 5..<8 { destination.storeBytes(of: UInt8(0), toByteOffset: offset, as: UInt8.self) }
        destination.storeBytes(of: firstLSN.littleEndian, toByteOffset: 8, as: UInt64.self)
        destination.storeBytes(of: sequence.littleEndian, toByteOffset: 16, as: UInt32.self)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: destination[0..<20]))
        destination.storeBytes(of: crc.littleEndian, toByteOffset: 20, as: UInt32.self)
    }

    /// Decodes and checks the header at the start of `bytes` (at least `size` bytes).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<SegmentHeader, CorruptionReason> {
        precondition(bytes.count >= size)
        let magic = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        guard magic == Self.magic else { return .failure(.badMagic(found: magic)) }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<20]))
        guard stored == computed else { return .failure(.checksumMismatch(stored: stored, computed: computed)) }
        guard bytes[4] == version else { return .failure(.badField("segment format version \(bytes[4]) is not \(version)")) }
        guard bytes[5] == 0, bytes[6] == 0, bytes[7] == 0 else { return .failure(.badField("reserved header bytes 5..<8 are not zero")) }
        return .success(SegmentHeader(
            firstLSN: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            sequence: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))))
    }
}
