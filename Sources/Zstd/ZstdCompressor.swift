import CZstd

/// Streaming zstd compression: feed chunks as they arrive, collect the compressed bytes produced so far.
///
/// Output is concatenated zstd frames. `endFrame()` closes the current frame, so everything compressed so far can be
/// decoded on its own even if nothing more is ever written (a recording cut short by a crash still reads); the next
/// chunk starts a new frame. Frames written this way do not record their content size; each carries a checksum
/// unless disabled.
///
/// Not thread-safe and not `Sendable`: it owns a mutable C context. Use one compressor from one task at a time.
public final class ZstdCompressor {
    /// The owned `ZSTD_CCtx`, freed in `deinit`. Never leaves this module.
    private let context: OpaquePointer
    /// Scratch output buffer of `ZSTD_CStreamOutSize()` bytes (one full block plus framing), freed in `deinit`.
    private let scratch: UnsafeMutableRawBufferPointer
    /// True after input was given since the last `endFrame()`: a frame is open and `endFrame()` has work to do.
    private var frameOpen = false

    /// The compression level in use.
    public let level: Int32

    /// Creates a compressor. `level` must be in `Zstd.levels`; `checksum` appends a 4-byte content checksum to every
    /// frame so that corruption is detected on decompression.
    public init(level: Int32 = Zstd.defaultLevel, checksum: Bool = true) throws(ZstdError) {
        guard Zstd.levels.contains(level) else {
            throw ZstdError(
                operation: .setParameter, reason: .invalidArgument,
                message: "compression level \(level) is outside \(Zstd.levels.lowerBound)...\(Zstd.levels.upperBound)")
        }
        guard let context = ZSTD_createCCtx() else {
            throw ZstdError(operation: .createContext, reason: .outOfMemory, message: "ZSTD_createCCtx returned NULL")
        }
        do throws(ZstdError) {
            try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), .setParameter)
            try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum ? 1 : 0), .setParameter)
        } catch {
            ZSTD_freeCCtx(context)
            throw error
        }
        self.context = context
        self.level = level
        self.scratch = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
    }

    deinit {
        ZSTD_freeCCtx(context)
        scratch.deallocate()
    }

    /// Appends `chunk` to the current frame (opening one if needed) and returns the compressed bytes produced.
    ///
    /// zstd buffers up to a block (128 KiB) internally, so small chunks usually return nothing; call `flush()` or
    /// `endFrame()` to force output.
    public func compress(_ chunk: some Collection<UInt8>) throws(ZstdError) -> [UInt8] {
        try Zstd.withContiguousBytes(chunk) { (input) throws(ZstdError) -> [UInt8] in
            guard input.count > 0 else { return [] }
            frameOpen = true
            return try drive(input, ZSTD_e_continue, .compress)
        }
    }

    /// Returns everything buffered so far as complete blocks, without closing the frame.
    ///
    /// A decoder can then decode all the input given so far, but still sees an unfinished frame. Returns nothing when
    /// no frame is open.
    public func flush() throws(ZstdError) -> [UInt8] {
        guard frameOpen else { return [] }
        return try drive(UnsafeRawBufferPointer(start: nil, count: 0), ZSTD_e_flush, .flush)
    }

    /// Closes the current frame and returns its remaining bytes; the next `compress(_:)` starts a new frame.
    ///
    /// Returns nothing when no input was given since the last `endFrame()`, so calling it on a timer while idle
    /// does not write empty frames.
    public func endFrame() throws(ZstdError) -> [UInt8] {
        guard frameOpen else { return [] }
        let output = try drive(UnsafeRawBufferPointer(start: nil, count: 0), ZSTD_e_end, .endFrame)
        frameOpen = false
        return output
    }

    /// Calls `ZSTD_compressStream2` until `input` is consumed and, for flush and end, until the library reports
    /// nothing left to write. On error the session is reset, dropping the open frame.
    private func drive(
        _ input: UnsafeRawBufferPointer, _ directive: ZSTD_EndDirective, _ operation: ZstdError.Operation
    ) throws(ZstdError) -> [UInt8] {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var result: [UInt8] = []
        while true {
            var outBuffer = ZSTD_outBuffer(dst: scratch.baseAddress, size: scratch.count, pos: 0)
            let remaining: Int
            do throws(ZstdError) {
                remaining = try ZstdError.check(ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive), operation)
            } catch {
                ZSTD_CCtx_reset(context, ZSTD_reset_session_only)
                frameOpen = false
                throw error
            }
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<outBuffer.pos]))
            // ZSTD_e_continue is done once the input is consumed; flush and end are done when the return value (bytes
            // still to write) reaches 0.
            let done = directive == ZSTD_e_continue ? inBuffer.pos == inBuffer.size : remaining == 0
            if done { return result }
        }
    }

    /// One-shot compression of `bytes` into a single frame with its content size, reusing this compressor's context
    /// (cheaper than `Zstd.compress` when many buffers are compressed in turn). Do not mix with a streaming frame.
    public func compressWhole(_ bytes: some Collection<UInt8>) throws(ZstdError) -> [UInt8] {
        try Zstd.withContiguousBytes(bytes) { (source) throws(ZstdError) -> [UInt8] in
            let bound = try ZstdError.check(ZSTD_compressBound(source.count), .compress)
            var failure: ZstdError?
            let result = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                let rc = ZSTD_compress2(context, buffer.baseAddress, buffer.count, source.baseAddress, source.count)
                do throws(ZstdError) {
                    initialized = try ZstdError.check(rc, .compress)
                } catch {
                    failure = error
                    initialized = 0
                }
            }
            if let failure { throw failure }
            return result
        }
    }
}

@available(*, unavailable, message: "ZstdCompressor owns a mutable C context; use it from one task at a time")
extension ZstdCompressor: Sendable {}
