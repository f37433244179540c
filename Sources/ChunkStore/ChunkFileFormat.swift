/// The named, sized constants of the chunk file and head file formats (docs/chunk-files.md draws both).
///
/// Every integer is little-endian. Checksums are CRC-32C.
enum ChunkFileFormat {
    /// "WLCK" at the start of every sealed chunk file.
    static let fileMagic: UInt32 = 0x4B43_4C57
    /// "WLCE" as the very last four bytes of a complete chunk file: a file cut short never ends with it.
    static let endMagic: UInt32 = 0x4543_4C57
    /// "WLHD" at the start of every head file.
    static let headMagic: UInt32 = 0x4448_4C57
    static let version: UInt16 = 1

    /// `magic u32 | version u16 | kind u16 | partition start i64 | partition end i64 | generation u64 | crc u32`.
    static let headerSize = 36
    /// `footer offset u64 | footer length u32 | footer crc u32 | end magic u32`.
    static let trailerSize = 20
    /// Before each frame: `stored length u32 | raw length u32 | crc u32` (the checksum covers the stored bytes).
    static let frameHeaderSize = 12
    /// Blocks are gathered into frames of about this many raw bytes before zstd compresses them.
    static let frameTargetBytes = 64 * 1024
    /// A frame never expands to more than this: a reader refuses larger claims before allocating.
    static let maxFrameRawBytes = 16 * 1024 * 1024
    /// A footer larger than this is refused as corrupt.
    static let maxFooterBytes = 256 * 1024 * 1024
    /// Samples per block in sealed files: a series' hour is split into blocks of at most this many.
    static let maxBlockSamples = 4096
    static let zstdLevel: Int32 = 9

    /// `magic u32 | version u16 | reserved u16 | generation u64 | crc u32` at the start of a head file.
    static let headHeaderSize = 20
    /// Before each head record: `length u32 | crc u32 | checkpoint LSN u64 | raw length u32`; the checksum covers
    /// the LSN, the raw length and the stored (zstd) bytes.
    static let headRecordHeaderSize = 20
}

/// What a sealed chunk file holds.
public enum ChunkFileKind: UInt16, Sendable {
    /// The partition's samples as they stood when it was first sealed.
    case sealed = 0
    /// Samples that arrived after the partition was sealed (late data), one file per compaction.
    case outOfOrder = 1
}
