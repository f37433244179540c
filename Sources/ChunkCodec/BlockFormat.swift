/// The block format's constants and the small public types the encoder and decoder share.
///
/// A block holds up to `BlockFormat.maximumSampleCount` samples of one series as three columns: timestamps (ms since
/// the epoch, any `Int64`), values (any `Double` bit pattern) and a 32-bit opaque attribute per sample. It is
/// self-describing: a small header names the count and every column carries its own encoding tag and byte length,
/// so a store can concatenate blocks behind a length prefix. The byte-by-byte layout is in `docs/chunk-codec.md`.
public enum BlockFormat {
    /// The first byte of every block; bumped on any incompatible change.
    public static let version: UInt8 = 1

    /// The most samples one block holds (the count is a 16-bit field).
    public static let maximumSampleCount = Int(UInt16.max)

    /// Column encodings of the timestamp column.
    enum TimestampEncoding: UInt8 {
        /// Deltas minus the block's smallest delta, bit-packed (frame of reference over the deltas).
        case deltaFrame = 0
        /// Delta-of-delta, zigzagged and bit-packed (Gorilla's transform, fixed width instead of buckets).
        case deltaOfDelta = 1
        /// Residuals from the line `first + i × step`, minus their minimum, bit-packed: the smallest for readings
        /// taken on a fixed schedule with independent millisecond jitter.
        case linear = 2
    }

    /// Column encodings of the value column.
    enum ValueEncoding: UInt8 {
        /// Every value has the same bit pattern: 8 bytes.
        case constant = 0
        /// ALP-style decimals: integers `d` with `value == Double(d) / 10^e`, transformed and bit-packed, plus
        /// exceptions stored verbatim.
        case decimal = 1
        /// Chimp XOR coding (Liakos et al., VLDB 2022), the fallback for data that is not decimal.
        case xor = 2
        /// 8 bytes per value, when nothing else is smaller (random bit patterns).
        case raw = 3
    }

    /// How the decimal integers of a `.decimal` value column are transformed before packing.
    enum IntegerTransform: UInt8 {
        /// Frame of reference: `d - min(d)`.
        case frame = 0
        /// Deltas minus their minimum (monotonic registers).
        case delta = 1
        /// Delta-of-delta, zigzagged.
        case deltaOfDelta = 2
    }

    /// The decimal exponents a `.decimal` column may name: 10^|e| is exact in a `Double` up to 10^22.
    static let exponentRange = -22...22

    /// 10^0 ... 10^22, every one exact in a `Double`.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}

/// What a block's header says, read without decoding its columns (`BlockDecoder.summary(_:)`).
public struct BlockSummary: Sendable, Equatable {
    /// Samples in the block (0 ... 65,535).
    public var count: Int
    /// The smallest and largest timestamp in the block; both 0 for an empty block.
    public var minTimestamp: Int64
    public var maxTimestamp: Int64

    public init(count: Int, minTimestamp: Int64, maxTimestamp: Int64) {
        self.count = count
        self.minTimestamp = minTimestamp
        self.maxTimestamp = maxTimestamp
    }
}

/// Why a block could not be decoded. The decoder validates every count, width, length and position before use, so
/// corrupt, truncated or hostile input ends here rather than in a crash or a large allocation.
public struct BlockDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The input ends before a field it announces.
        case truncated
        /// The first byte is not a version this decoder reads.
        case unsupportedVersion(UInt8)
        /// A column names an encoding this decoder does not know.
        case unknownEncoding
        /// A field is out of its range (a bit width over 64, an exponent outside ±22, a varint over 64 bits,
        /// a count larger than the block, an exception position out of order or past the end, ...).
        case invalidField
        /// A column's stated length disagrees with what its encoding consumed, or bytes follow the last column.
        case lengthMismatch
        /// The decoded timestamps do not match the header's minimum and maximum.
        case summaryMismatch
    }

    public var reason: Reason
    /// The byte offset in the block where the problem was found.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "block decoding failed at byte \(offset): \(reason)" }
}
