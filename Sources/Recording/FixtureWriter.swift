import Telemetry
import Zstd

/// Writes recorded MQTT messages to a fixture file: JSON Lines (`.jsonl`), optionally as zstd frames (`.jsonl.zst`).
///
/// Lines are buffered (64 KiB) before they are written or compressed. `flushFrame()` makes everything written so
/// far readable from the file: it hands buffered bytes to the OS and, when compressing, ends the current zstd frame.
/// Call it periodically (the recorder does, every second) so a recording cut short by a crash loses at most that
/// interval. `flushFrame()` does not fsync: it survives the process dying, not the machine.
///
/// A writer made with `recordsTicks: true` starts the file with the tick header and takes ticks (`writeTick(at:)`)
/// between the messages: `wattline export-log` writes the write-ahead log's ticks so.
///
/// Not thread-safe and not `Sendable`; use one writer from one task at a time.
public final class FixtureWriter {
    /// Buffered line bytes that trigger a write (or a compression call).
    public static let bufferBytes = 64 * 1024

    public let path: String
    public let compression: FixtureCompression
    /// True when the file starts with the tick header and takes ticks.
    public let recordsTicks: Bool

    private let file: POSIXFile
    private let compressor: ZstdCompressor?
    /// Encoded lines not yet compressed or written.
    private var pending: [UInt8] = []
    /// True once any byte reached the file (decides whether `close()` must write an empty zstd frame).
    private var wroteAnything = false
    private var isClosed = false

    /// Creates the fixture file at `path`.
    ///
    /// - Parameters:
    ///   - compression: `nil` infers it from the name (`.zst` means zstd).
    ///   - level: zstd level, used only when compressing; must be in `Zstd.levels`.
    ///   - overwrite: replace an existing file instead of failing with `FixtureError.alreadyExists`.
    ///   - recordsTicks: start the file with the tick header (`FixtureLine.tickHeader`): it records every tick of
    ///     the time it spans, written with `writeTick(at:)`, and replay writes those and synthesizes none.
    public init(
        path: String, compression: FixtureCompression? = nil, level: Int32 = Zstd.defaultLevel, overwrite: Bool = false,
        recordsTicks: Bool = false
    ) throws(FixtureError) {
        let compression = compression ?? FixtureCompression.inferred(fromPath: path)
        if compression == .zstd {
            do {
                compressor = try ZstdCompressor(level: level)
            } catch {
                throw .compressionFailed(path: path, error)
            }
        } else {
            compressor = nil
        }
        self.path = path
        self.compression = compression
        self.recordsTicks = recordsTicks
        self.file = try POSIXFile.create(path, overwrite: overwrite)
        pending.reserveCapacity(Self.bufferBytes)
        if recordsTicks {
            pending.append(contentsOf: FixtureLine.tickHeader.utf8)
            pending.append(0x0A)
        }
    }

    /// Closes the file if `close()` was not called, dropping any error; call `close()` to see errors.
    deinit {
        if !isClosed { try? close() }
    }

    /// Appends one message as one line.
    public func write(_ message: InboundMessage) throws(FixtureError) {
        guard !isClosed else { throw .closed(path: path) }
        FixtureLine.append(message, to: &pending)
        if pending.count >= Self.bufferBytes { try drain(endingFrame: false) }
    }

    /// Appends a tick at `time` as one tick line. Only a writer made with `recordsTicks: true` takes ticks.
    public func writeTick(at time: Int64) throws(FixtureError) {
        precondition(recordsTicks, "a fixture writer takes ticks only when made with recordsTicks: true")
        guard !isClosed else { throw .closed(path: path) }
        FixtureLine.appendTick(at: time, to: &pending)
        if pending.count >= Self.bufferBytes { try drain(endingFrame: false) }
    }

    /// Makes every message written so far readable from the file: writes the buffer out and, when compressing, ends
    /// the current zstd frame (nothing is written when there is nothing new, so calling it on a timer is cheap).
    public func flushFrame() throws(FixtureError) {
        guard !isClosed else { throw .closed(path: path) }
        try drain(endingFrame: true)
    }

    /// Flushes, ends the last frame and closes the file. Safe to call twice; later writes throw `.closed`.
    ///
    /// A compressed fixture with no messages still gets one empty zstd frame, so that it is valid zstd.
    public func close() throws(FixtureError) {
        guard !isClosed else { return }
        isClosed = true
        do throws(FixtureError) {
            try drain(endingFrame: true)
            if compression == .zstd && !wroteAnything { try file.write(try emptyFrame()) }
        } catch {
            try? file.close()
            throw error
        }
        try file.close()
    }

    /// A zstd frame holding no data.
    private func emptyFrame() throws(FixtureError) -> [UInt8] {
        do {
            return try Zstd.compress([UInt8]())
        } catch {
            throw .compressionFailed(path: path, error)
        }
    }

    /// Writes out the pending lines (compressed when compressing), ending the zstd frame if asked.
    private func drain(endingFrame: Bool) throws(FixtureError) {
        var output: [UInt8]
        if let compressor {
            do {
                output = try compressor.compress(pending)
                if endingFrame { output += try compressor.endFrame() }
            } catch {
                throw .compressionFailed(path: path, error)
            }
        } else {
            output = pending
        }
        pending.removeAll(keepingCapacity: true)
        guard !output.isEmpty else { return }
        try file.write(output)
        wroteAnything = true
    }
}

@available(*, unavailable, message: "FixtureWriter buffers mutable state; use it from one task at a time")
extension FixtureWriter: Sendable {}
