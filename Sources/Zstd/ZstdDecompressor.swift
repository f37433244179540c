import CZstd

/// Streaming zstd decompression over any number of concatenated frames, fed in chunks of any size.
///
/// Frames need not record their content size. When the input is over, `finish()` says whether it ended cleanly
/// between frames or inside one: a truncated final frame (a recording cut short) is reported, not thrown, and the
/// data decoded before the cut has already been returned. Corrupt input throws a `ZstdError`; when a chunk holds good
/// data followed by corrupt data, the good data's output is returned first and the next call throws. As in every
/// streaming decoder, a frame's checksum is checked at the frame's end, so some output of a corrupt frame may have
/// been returned before its error is thrown.
///
/// Not thread-safe and not `Sendable`: it owns a mutable C context. Use one decompressor from one task at a time.
public final class ZstdDecompressor {
    /// How the input ended, as reported by `finish()`.
    public enum EndState: Sendable, Equatable {
        /// The input ended between frames (or was empty).
        case complete
        /// The input ended inside a frame, `bytesInFrame` bytes after the frame began. What the frame's complete
        /// blocks decoded to has been returned; the rest of the frame is lost.
        case truncatedFrame(bytesInFrame: Int)
    }

    /// The owned `ZSTD_DCtx`, freed in `deinit`. Never leaves this module.
    private let context: OpaquePointer
    /// Scratch output buffer of `ZSTD_DStreamOutSize()` bytes (one full block), freed in `deinit`.
    private let scratch: UnsafeMutableRawBufferPointer
    /// Input bytes consumed since the last frame ended; non-zero means the input so far stops inside a frame.
    private var bytesInFrame = 0
    /// An error met after some output of the same call was produced: that output is returned first, and the next
    /// call (to `decompress` or `finish`) throws this.
    private var deferredError: ZstdError?

    public init() throws(ZstdError) {
        guard let context = ZSTD_createDCtx() else {
            throw ZstdError(operation: .createContext, reason: .outOfMemory, message: "ZSTD_createDCtx returned NULL")
        }
        self.context = context
        self.scratch = .allocate(byteCount: ZSTD_DStreamOutSize(), alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(context)
        scratch.deallocate()
    }

    /// Consumes all of `chunk` and returns all the output it produces.
    ///
    /// The output is unbounded: a small chunk of highly compressed data can expand enormously. Readers that must
    /// bound memory use `decompress(_:maxOutput:)`.
    public func decompress(_ chunk: some Collection<UInt8>) throws(ZstdError) -> [UInt8] {
        try Zstd.withContiguousBytes(chunk) { (input) throws(ZstdError) -> [UInt8] in
            try throwDeferredError()
            var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
            var result: [UInt8] = []
            while true {
                var outBuffer = ZSTD_outBuffer(dst: scratch.baseAddress, size: scratch.count, pos: 0)
                do throws(ZstdError) {
                    try step(&inBuffer, &outBuffer)
                } catch {
                    guard result.isEmpty else {
                        deferredError = error
                        return result
                    }
                    throw error
                }
                result.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<outBuffer.pos]))
                // A full output buffer may mean more is waiting inside the context, even with all input consumed.
                if inBuffer.pos == inBuffer.size && outBuffer.pos < outBuffer.size { return result }
            }
        }
    }

    /// Decodes from the start of `input` until `maxOutput` bytes are produced or the input is used up.
    ///
    /// Returns the output and how many bytes of `input` were consumed; pass the unconsumed rest again. When `input`
    /// is used up, call again with an empty collection until the output is empty: the context may still hold decoded
    /// bytes. This keeps memory bounded by `maxOutput` whatever the compression ratio.
    public func decompress(
        _ input: some Collection<UInt8>, maxOutput: Int
    ) throws(ZstdError) -> (output: [UInt8], consumed: Int) {
        precondition(maxOutput > 0, "maxOutput must be positive")
        return try Zstd.withContiguousBytes(input) { (input) throws(ZstdError) -> ([UInt8], Int) in
            try throwDeferredError()
            var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
            var failure: ZstdError?
            let output = [UInt8](unsafeUninitializedCapacity: maxOutput) { buffer, initialized in
                var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                repeat {
                    let before = (inBuffer.pos, outBuffer.pos)
                    do throws(ZstdError) {
                        try step(&inBuffer, &outBuffer)
                    } catch {
                        failure = error
                        break
                    }
                    if (inBuffer.pos, outBuffer.pos) == before { break }  // nothing more to do without more input
                } while inBuffer.pos < inBuffer.size && outBuffer.pos < outBuffer.size
                initialized = outBuffer.pos
            }
            if let failure {
                guard !output.isEmpty else { throw failure }
                deferredError = failure
            }
            return (output, inBuffer.pos)
        }
    }

    /// Reports how the input ended and resets the decompressor for a new stream.
    ///
    /// Call after the last chunk has been passed and, with `decompress(_:maxOutput:)`, drained. Throws the error of
    /// corrupt data found by the last `decompress` call after it had already produced output.
    public func finish() throws(ZstdError) -> EndState {
        try throwDeferredError()
        let state: EndState = bytesInFrame == 0 ? .complete : .truncatedFrame(bytesInFrame: bytesInFrame)
        ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        bytesInFrame = 0
        return state
    }

    private func throwDeferredError() throws(ZstdError) {
        guard let error = deferredError else { return }
        deferredError = nil
        throw error
    }

    /// One `ZSTD_decompressStream` call, keeping track of frame boundaries. On error the session is reset.
    private func step(_ inBuffer: inout ZSTD_inBuffer, _ outBuffer: inout ZSTD_outBuffer) throws(ZstdError) {
        let start = inBuffer.pos
        let rc = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        do throws(ZstdError) {
            try ZstdError.check(rc, .decompress)
        } catch {
            ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
            bytesInFrame = 0
            throw error
        }
        // The call stops at the end of a frame and returns 0 once the frame is decoded and flushed, so the bytes it
        // consumed belong to the frame it was in. While output is still held back, libzstd keeps the frame's last input
        // byte unconsumed ("hostage"), so a frame is never counted as finished before its output has been returned.
        if rc == 0 {
            bytesInFrame = 0
        } else {
            bytesInFrame += inBuffer.pos - start
        }
    }
}

@available(*, unavailable, message: "ZstdDecompressor owns a mutable C context; use it from one task at a time")
extension ZstdDecompressor: Sendable {}
