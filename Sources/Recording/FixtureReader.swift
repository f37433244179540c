#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSONTape
import Telemetry
import Zstd

/// Reads a fixture file message by message (or entry by entry, ticks included), in bounded memory, stepping over
/// bad lines.
///
/// Opens plain JSON Lines or zstd-compressed JSON Lines, detected by the zstd magic bytes (28 B5 2F FD) rather than
/// the file name, or standard input when the path is `-`. The input is read in 64 KiB blocks; memory stays within
/// about `maxLineBytes` plus a few blocks whatever the file size or compression ratio.
///
/// Malformed lines, a torn last line and a truncated final zstd frame are collected in `problems` and reading goes
/// on. I/O errors and corrupt zstd data throw `FixtureError`.
///
/// `next()` gives back messages only and steps over tick lines silently (`ticksRead` counts them); `nextEntry()`
/// gives back ticks too. A file records its ticks (`recordsTicks`) when its first line, after comments and blank
/// lines, is the tick header `{"ticks":"recorded"}`; a tick line in any other file is a problem (`tickWithoutHeader`).
///
///     let reader = try FixtureReader(path: "recordings/site-a.jsonl.zst")
///     while let record = try reader.next() { handle(record.message) }
///     for problem in reader.problems { print("\(reader.path): \(problem)") }
///
/// Not thread-safe and not `Sendable`; use one reader from one task at a time.
public final class FixtureReader {
    /// Lines longer than this (64 MiB) are reported as `.lineTooLong` and skipped without being held in memory.
    public static let defaultMaxLineBytes = 64 << 20
    /// Bytes read from the file, and decoded from zstd, per step.
    static let blockBytes = 64 * 1024

    /// The path given, `-` for standard input.
    public let path: String
    /// How the input is stored, as detected from its first bytes.
    public let compression: FixtureCompression
    /// The longest line read; longer lines are skipped and reported.
    public let maxLineBytes: Int
    /// Problems stepped over so far, in the order they were met: the first `maxProblemsKept` (a file that is not a
    /// fixture at all would otherwise cost memory in proportion to its size); `problemCount` counts them all.
    public private(set) var problems: [FixtureProblem] = []
    /// Every problem stepped over, kept in `problems` or not.
    public private(set) var problemCount = 0
    /// How many problems `problems` keeps.
    public static let maxProblemsKept = 1_000
    /// Counts a problem, keeping the first `maxProblemsKept`.
    private func note(_ problem: FixtureProblem) {
        problemCount += 1
        if problems.count < Self.maxProblemsKept { problems.append(problem) }
    }

    /// The file's size in bytes when it was opened (compressed bytes for zstd); nil for standard input or a pipe.
    public let fileSize: Int?
    /// Bytes read from the file so far (compressed bytes for zstd). It runs ahead of the messages returned by at
    /// most a block or two; with `fileSize` it tells how far reading has got.
    public private(set) var bytesRead = 0
    /// True once the tick header was read as the file's first line (after comments and blank lines): the file holds
    /// every tick of the time it spans. Known once the first message or tick has been read (or the file has ended).
    public private(set) var recordsTicks = false
    /// Tick lines read so far (by `next()`, which steps over them, and `nextEntry()`).
    public private(set) var ticksRead = 0

    private let file: POSIXFile
    private let decompressor: ZstdDecompressor?

    /// Raw bytes read from the file and not yet consumed (by the decompressor, or as plain text).
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var inputEnded = false

    /// Decoded text not yet split into lines: `text[lineStart...]` is the start of the next line and no newline
    /// occurs in `text[lineStart..<scanFrom]`.
    private var text: [UInt8] = []
    private var lineStart = 0
    private var scanFrom = 0
    private var textEnded = false
    /// Number of the last line taken from `text` (1-based; 0 before the first).
    private var lineNumber = 0
    /// True while dropping the rest of a line already reported as too long.
    private var skippingLongLine = false
    /// The parser every line goes through; it keeps its node buffer from line to line.
    private let tape = JSONTape()
    /// True once a message or tick line was read: a tick header after that is misplaced (unless one came first).
    private var readEntry = false

    /// Opens `path` (`-` for standard input) and detects its compression from the first four bytes.
    public init(path: String, maxLineBytes: Int = FixtureReader.defaultMaxLineBytes) throws(FixtureError) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.path = path
        self.maxLineBytes = maxLineBytes
        file = try POSIXFile.openForReading(path)
        fileSize = file.regularFileSize()
        // Pipes can return fewer bytes than asked for: read until the magic can be checked or the input ends.
        while input.count < Zstd.frameMagic.count {
            let block = try file.read(maxBytes: Self.blockBytes)
            if block.isEmpty {
                inputEnded = true
                break
            }
            bytesRead += block.count
            input += block
        }
        // An input shorter than the magic that is a prefix of it is a zstd stream cut short, not a text line.
        let isCutMagic = !input.isEmpty && input.count < 4 && Zstd.frameMagic.starts(with: input)
        if Zstd.startsWithFrame(input) || isCutMagic {
            compression = .zstd
            do {
                decompressor = try ZstdDecompressor()
            } catch {
                throw .corruptCompressedData(path: path, afterLine: 0, error)
            }
        } else {
            compression = .none
            decompressor = nil
        }
    }

    /// Closes the file if `close()` was not called.
    deinit {
        try? file.close()
    }

    /// Closes the file (standard input is left open). Later calls to `next()` return nil.
    public func close() {
        try? file.close()
        input = []
        inputPosition = 0
        inputEnded = true
        text = []
        lineStart = 0
        scanFrom = 0
        textEnded = true
        skippingLongLine = false
    }

    /// The next message, or nil at the end of the input. Bad lines on the way are skipped and added to `problems`;
    /// tick lines are stepped over (counted in `ticksRead`).
    public func next() throws(FixtureError) -> FixtureRecord? {
        while let record = try nextEntry() {
            if case .message(let message) = record.entry { return FixtureRecord(line: record.line, message: message) }
        }
        return nil
    }

    /// The next message or tick, or nil at the end of the input. Bad lines on the way are skipped and added to
    /// `problems`.
    public func nextEntry() throws(FixtureError) -> FixtureEntryRecord? {
        while true {
            if let newline = nextNewline() {
                let line = text[lineStart..<newline]
                lineStart = newline + 1
                scanFrom = lineStart
                lineNumber += 1
                if skippingLongLine {
                    skippingLongLine = false
                    continue
                }
                if let record = parse(line, terminated: true) { return record }
                continue
            }
            scanFrom = text.count

            if textEnded {
                guard lineStart < text.count || skippingLongLine else { return nil }
                let line = text[lineStart...]
                text = []
                lineStart = 0
                scanFrom = 0
                lineNumber += 1
                if skippingLongLine {
                    skippingLongLine = false
                    return nil
                }
                return parse(line, terminated: false)
            }

            if text.count - lineStart > maxLineBytes {
                if !skippingLongLine {
                    note(.malformedLine(line: lineNumber + 1, reason: .lineTooLong(limit: maxLineBytes)))
                    skippingLongLine = true
                }
                text.removeAll(keepingCapacity: true)
                lineStart = 0
                scanFrom = 0
            } else if lineStart > 0 {
                text.removeSubrange(0..<lineStart)
                scanFrom -= lineStart
                lineStart = 0
            }
            if let more = try nextText() {
                text += more
            } else {
                textEnded = true
            }
        }
    }

    /// Reads every remaining message into an array. Convenient for small fixtures; holds them all in memory.
    public func readAll() throws(FixtureError) -> [FixtureRecord] {
        var records: [FixtureRecord] = []
        while let record = try next() { records.append(record) }
        return records
    }

    /// Reads every remaining message and tick into an array; holds them all in memory.
    public func readAllEntries() throws(FixtureError) -> [FixtureEntryRecord] {
        var records: [FixtureEntryRecord] = []
        while let record = try nextEntry() { records.append(record) }
        return records
    }

    /// The index in `text` of the next newline at or after `scanFrom`.
    private func nextNewline() -> Int? {
        guard scanFrom < text.count else { return nil }
        return text.withUnsafeBytes { raw -> Int? in
            guard let found = memchr(raw.baseAddress! + scanFrom, 0x0A, raw.count - scanFrom) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Parses one line (without its `\n`): comments, blank lines and the tick header give nil silently, bad lines
    /// give nil and a problem.
    private func parse(_ line: ArraySlice<UInt8>, terminated: Bool) -> FixtureEntryRecord? {
        var body = line
        if body.last == UInt8(ascii: "\r") { body.removeLast() }
        if body.first == UInt8(ascii: "#") || body.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        do throws(FixtureLineError) {
            guard body.count <= maxLineBytes else { throw .lineTooLong(limit: maxLineBytes) }
            let entry: FixtureEntry
            switch try FixtureLine.decodeLine(body, using: tape) {
            case .tickHeader:
                // First, or again in a file that began with it (fixtures concatenated): nothing to give back.
                guard recordsTicks || !readEntry else { throw .misplacedTickHeader }
                recordsTicks = true
                readEntry = true
                return nil
            case .tick(let time):
                guard recordsTicks else { throw .tickWithoutHeader }
                ticksRead += 1
                entry = .tick(at: time)
            case .message(let message):
                entry = .message(message)
            }
            readEntry = true
            return FixtureEntryRecord(line: lineNumber, entry: entry)
        } catch {
            if terminated {
                note(.malformedLine(line: lineNumber, reason: error))
            } else {
                note(.tornLastLine(line: lineNumber, byteCount: line.count, reason: error))
            }
            return nil
        }
    }

    /// The next piece of decoded text (at most a block), or nil when the input is exhausted.
    private func nextText() throws(FixtureError) -> [UInt8]? {
        guard let decompressor else {
            if inputPosition < input.count {
                defer {
                    input = []
                    inputPosition = 0
                }
                return Array(input[inputPosition...])
            }
            if inputEnded { return nil }
            let block = try file.read(maxBytes: Self.blockBytes)
            bytesRead += block.count
            if block.isEmpty { inputEnded = true }
            return block.isEmpty ? nil : block
        }
        while true {
            // With input left, decode from it; with none left, drain what the context still holds.
            let step: (output: [UInt8], consumed: Int)
            do {
                step = try decompressor.decompress(input[inputPosition...], maxOutput: Self.blockBytes)
            } catch {
                throw .corruptCompressedData(path: path, afterLine: lineNumber, error)
            }
            inputPosition += step.consumed
            if !step.output.isEmpty { return step.output }
            if inputPosition < input.count && step.consumed > 0 { continue }
            if inputEnded {
                let end: ZstdDecompressor.EndState
                do {
                    end = try decompressor.finish()
                } catch {
                    throw .corruptCompressedData(path: path, afterLine: lineNumber, error)
                }
                if case .truncatedFrame(let bytesInFrame) = end {
                    note(.truncatedCompressedFrame(bytesInFrame: bytesInFrame))
                }
                input = []
                inputPosition = 0
                return nil
            }
            // Keep any unconsumed bytes (libzstd returns none unconsumed while it has output space; this is defensive).
            let block = try file.read(maxBytes: Self.blockBytes)
            bytesRead += block.count
            input = Array(input[inputPosition...]) + block
            inputPosition = 0
            if input.isEmpty { inputEnded = true }
        }
    }
}

@available(*, unavailable, message: "FixtureReader holds mutable read state; use it from one task at a time")
extension FixtureReader: Sendable {}
