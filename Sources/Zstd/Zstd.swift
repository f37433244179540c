import CZstd

/// One-shot zstd compression and decompression of whole buffers, plus the format constants.
///
/// For data that arrives over time, or that is too large to hold twice in memory, use `ZstdCompressor` and
/// `ZstdDecompressor` instead.
public enum Zstd {
    /// The four bytes every zstd frame starts with (`ZSTD_MAGICNUMBER` 0xFD2FB528, little-endian).
    public static let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// The level used when none is given: libzstd's default, a good speed/size balance.
    public static let defaultLevel: Int32 = 3

    /// Every level libzstd accepts. Negative levels are fast modes; 0 means `defaultLevel`.
    public static var levels: ClosedRange<Int32> { ZSTD_minCLevel()...ZSTD_maxCLevel() }

    /// True when `bytes` begin with a zstd frame or a skippable frame (magic 0x184D2A50...0x184D2A5F).
    public static func startsWithFrame(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        guard let b0 = iterator.next(), let b1 = iterator.next(), let b2 = iterator.next(), let b3 = iterator.next()
        else { return false }
        if [b0, b1, b2, b3] == frameMagic { return true }
        return b0 & 0xF0 == 0x50 && b1 == 0x2A && b2 == 0x4D && b3 == 0x18
    }

    /// Compresses `bytes` into a single frame that records its content size and a checksum.
    public static func compress(
        _ bytes: some Collection<UInt8>, level: Int32 = defaultLevel
    ) throws(ZstdError) -> [UInt8] {
        let compressor = try ZstdCompressor(level: level)
        return try compressor.compressWhole(bytes)
    }

    /// Decompresses every frame in `bytes` (frames may be concatenated, and need not record their content size).
    ///
    /// Throws with reason `.truncatedFrame` when the input ends inside a frame; use `ZstdDecompressor` to keep
    /// what a truncated input decodes to. The output is held in memory whole: do not use this on untrusted input
    /// of unbounded expansion (a few kilobytes of zstd can expand to gigabytes).
    public static func decompress(_ bytes: some Collection<UInt8>) throws(ZstdError) -> [UInt8] {
        let decompressor = try ZstdDecompressor()
        let output = try decompressor.decompress(bytes)
        switch try decompressor.finish() {
        case .complete:
            return output
        case .truncatedFrame(let bytesInFrame):
            throw ZstdError(
                operation: .decompress, reason: .truncatedFrame(bytesInFrame: bytesInFrame),
                message: "the input ends inside a frame, \(bytesInFrame) bytes after the frame began; the data is truncated")
        }
    }

    /// Runs `body` over the bytes of `collection`, copying them only when the collection is not contiguous.
    static func withContiguousBytes<R>(
        _ collection: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws(ZstdError) -> R
    ) throws(ZstdError) -> R {
        // `withContiguousStorageIfAvailable` is `rethrows`, which erases the typed error; carry it out in a Result.
        let direct: Result<R, ZstdError>? = collection.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ZstdError) -> R in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let direct { return try direct.get() }
        let copy = Array(collection)
        let viaCopy: Result<R, ZstdError> = copy.withUnsafeBytes { raw in
            Result { () throws(ZstdError) -> R in try body(raw) }
        }
        return try viaCopy.get()
    }
}
