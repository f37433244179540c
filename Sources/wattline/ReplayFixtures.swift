import Foundation
import Recording
import Telemetry

/// The messages and recorded ticks of a replay's fixtures as one stream in receive order (`FixtureMerge`: memory
/// bounded by its reorder window, not by the fixtures' size), with the digest of the entries taken so far and a
/// bounded lookahead (what the resume matches the log's tail against).
///
/// Entries are taken one by one (`take()`); `peek(_:)` looks at those still to come without taking them, reading
/// at most `lookaheadLimit` ahead. `taken` counts entries (what the checkpoint's `fed` counts), `messagesTaken`
/// and `ticksTaken` each kind. Used by one thread.
final class ReplayFixtures {
    /// How far `peek(_:)` may look: the reach of `ReplayCheckpoint.resumeIndex`.
    static let lookaheadLimit = 65_536

    let paths: [String]
    private let merge: FixtureMerge
    /// Entries read from the merge and not taken: `ahead[aheadStart...]`.
    private var ahead: [FixtureEntry] = []
    private var aheadStart = 0
    /// The digest of the entries taken, in order.
    private(set) var digest = ReplayDigest()
    /// How many entries (messages and ticks) were taken.
    private(set) var taken = 0
    private(set) var messagesTaken = 0
    private(set) var ticksTaken = 0
    /// The newest receive time (or tick) taken; nil before the first entry.
    private(set) var newestTaken: Int64?

    /// Opens every fixture; a missing or unreadable file throws here, corrupt data when it is reached.
    init(paths: [String], window: Int64 = FixtureMerge.defaultWindow) throws(FixtureError) {
        self.paths = paths
        merge = try FixtureMerge(paths: paths, window: window)
        recordsTicks = merge.recordsTicks.contains(true)
    }

    /// The entry `offset` places after the last one taken (0: the next), nil past the last.
    func peek(_ offset: Int = 0) throws(FixtureError) -> FixtureEntry? {
        precondition(offset < Self.lookaheadLimit, "replay looks at most \(Self.lookaheadLimit) entries ahead")
        while ahead.count - aheadStart <= offset {
            guard let record = try merge.next() else { return nil }
            ahead.append(record.entry)
        }
        return ahead[aheadStart + offset]
    }

    /// Whether the feed takes its ticks from the fixtures: true when at least one of them records its ticks (starts
    /// with the tick header). Then only the fixtures' ticks are written, and none is synthesized.
    let recordsTicks: Bool

    /// The fixtures that record no ticks while others do: their silences get only the others' ticks.
    var fixturesWithoutTicks: [String] {
        guard recordsTicks else { return [] }
        return zip(paths, merge.recordsTicks).filter { !$0.1 }.map(\.0)
    }

    /// Takes the next entry (its content goes into `digest`); nil after the last.
    @discardableResult
    func take() throws(FixtureError) -> FixtureEntry? {
        guard let entry = try peek() else { return nil }
        aheadStart += 1
        if aheadStart == ahead.count {
            ahead.removeAll(keepingCapacity: ahead.count <= 1_024)
            aheadStart = 0
        } else if aheadStart >= 4_096 && aheadStart * 2 >= ahead.count {
            ahead.removeFirst(aheadStart)
            aheadStart = 0
        }
        digest.add(entry)
        taken += 1
        if entry.message == nil { ticksTaken += 1 } else { messagesTaken += 1 }
        newestTaken = max(newestTaken ?? .min, entry.receivedAt)
        return entry
    }

    /// Takes up to `count` entries; returns how many there were.
    func skip(_ count: Int) throws(FixtureError) -> Int {
        var skipped = 0
        while skipped < count, try take() != nil { skipped += 1 }
        return skipped
    }

    /// Where the first entry equal to `entry` is among the next `lookaheadLimit` (0: the next), nil when it is not.
    func offset(of entry: FixtureEntry) throws(FixtureError) -> Int? {
        var offset = 0
        while offset < Self.lookaheadLimit, let candidate = try peek(offset) {
            if candidate == entry { return offset }
            offset += 1
        }
        return nil
    }

    /// Entries held in memory: the lookahead and the merge's reorder buffers.
    var bufferedCount: Int { ahead.count - aheadStart + merge.bufferedCount }

    /// How far reading the fixture files has got, 0...1 (compressed bytes for zstd); nil when a file's size is
    /// unknown (standard input, a pipe).
    var fractionRead: Double? {
        guard let total = merge.totalBytes else { return nil }
        return total > 0 ? min(1, Double(merge.bytesRead) / Double(total)) : 1
    }

    /// One note per fixture whose reader stepped over lines that are not messages (malformed, a torn last line, a
    /// cut zstd frame): they were not fed, and the file still holds them. The first three are named.
    var problemNotes: [String] {
        zip(paths, zip(merge.problems, merge.problemCounts)).compactMap { path, found in
            let (problems, count) = found
            guard count > 0 else { return nil }
            var note = "note: \(path): \(count) line(s) not fed (not messages): "
                + problems.prefix(3).map(\.description).joined(separator: "; ")
            if count > 3 { note += "; and \(count - 3) more (`wattline decode \(path)` lists them)" }
            return note
        }
    }

    /// One line per fixture whose messages came out of receive order by more than the merge's window (a message
    /// is never dropped for it), with the line of the first and of the furthest one.
    var disorderNotes: [String] {
        zip(paths, merge.disorder).compactMap { path, disorder in
            guard let disorder else { return nil }
            let window = Self.seconds(merge.window)
            let kinds = disorder.ticks > 0 ? " (\(disorder.ticks) of them ticks)" : ""
            var note = "note: \(path): \(disorder.count) message(s)\(kinds) further back in receive time than the "
                + "\(window) reorder window were fed out of receive order: line \(disorder.firstLine) first, "
                + "\(Self.seconds(disorder.firstBehind)) behind the newest message before it"
            if disorder.count > 1 {
                note += "; line \(disorder.furthestLine) furthest, \(Self.seconds(disorder.furthestBehind)) behind"
            }
            return note
        }
    }

    /// Milliseconds as `60 s` or `75.25 s`.
    static func seconds(_ milliseconds: Int64) -> String {
        let text = String(format: "%.3f", Double(milliseconds) / 1000)
        let trimmed = text.contains(".") ? String(text.reversed().drop { $0 == "0" }.reversed()) : text
        return (trimmed.hasSuffix(".") ? String(trimmed.dropLast()) : trimmed) + " s"
    }
}
