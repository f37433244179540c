import Telemetry

/// Reads several fixtures at once and gives back their messages and ticks merged in receive order, in memory
/// bounded by a reorder window of receive time rather than by the size of the files.
///
/// Ticks (the tick lines of a fixture that records them, `FixtureReader.recordsTicks`) are entries like messages:
/// they go through the same buffers and order, so a tick keeps its place among the messages of its file. Below,
/// "message" means either.
///
/// Each file has a reorder buffer (a min-heap by receive time, then position in the file). A message leaves it once
/// a message of the same file more than `window` milliseconds newer has been read: from then on nothing earlier
/// is expected. The files' released messages are then merged by (receive time, file index, position in the file).
///
/// **Equal to a global sort.** When no message of a file is more than `window` older than the newest message read
/// before it in that file, the output is exactly what a stable sort of every message by (receive time, file index,
/// position in the file) gives: recordings are in receive order, and hand-written fixtures are off by far less
/// (a CALL result written after the next CALL of the same second).
///
/// **Disorder beyond the window.** A message that comes after a later message of its file was already released is
/// still given back, never dropped: it comes out as soon as the merge reaches it, that is out of receive order.
/// Such messages are counted per file in `disorder` (with the line of the first and of the furthest one); that can
/// only happen to a message more than `window` behind the newest message read before it.
///
/// **Exported logs.** A file that records its ticks (`FixtureReader.recordsTicks`, written by `export-log`) is given
/// back in file order, the order the live run logged and processed it in, without a reorder buffer: a receive time
/// taken just before a tick's and logged just after it stays after the tick, as live.
///
/// **Memory.** Each file holds the messages of about one window of its receive time, plus the reader's blocks
/// (see `FixtureReader`); `bufferedCount` tells how many messages are held. A file is open only while the merge is
/// within its time: opening reads each file's first entry and closes it again, and a file is opened for good once
/// the merge reaches its first receive time less the window (nothing of it can come earlier within the window), and
/// closed at its end. So hourly recordings replayed together hold one or two files open, not all of them. Standard
/// input (and any file of no known size, which cannot be read twice) stays open from the start.
///
///     let merge = try FixtureMerge(paths: ["site-a.jsonl.zst", "site-b.jsonl.zst"])
///     while let record = try merge.next() { handle(record.entry) }
///
/// Not thread-safe and not `Sendable`; use it from one task at a time.
public final class FixtureMerge {
    /// 60 s of receive time: hand-written fixtures are out of order by milliseconds, a recorder not at all.
    public static let defaultWindow: Int64 = 60_000

    /// The fixtures, in the order that breaks ties of receive time (`-` reads standard input).
    public let paths: [String]
    /// The reorder window, in milliseconds of receive time.
    public let window: Int64
    /// The readers' longest line (`FixtureReader.maxLineBytes`).
    let maxLineBytes: Int

    /// Where a message or tick sits in the merge order: (receive time, file index, index), `index` counting the
    /// file's entries from 0 (the stable tie-break), and the slot of `Held` its entry waits in. The heaps order these
    /// small keys; the entries stay put (sifting whole entries copied, retained and released a topic and a payload
    /// per comparison).
    private struct Key: Comparable, Sendable {
        var receivedAt: Int64
        var file: Int
        var index: Int
        var slot: Int

        static func < (a: Key, b: Key) -> Bool {
            (a.receivedAt, a.file, a.index) < (b.receivedAt, b.file, b.index)
        }

        static func == (a: Key, b: Key) -> Bool {
            (a.receivedAt, a.file, a.index) == (b.receivedAt, b.file, b.index)
        }
    }

    /// The entries read and not given back yet, in slots that are reused once emptied: as many slots as entries
    /// were ever waiting at once, whatever order they leave in.
    private struct Held {
        private var slots: [FixtureEntryRecord?] = []
        private var free: [Int] = []

        /// Stores `record`; returns its slot.
        mutating func put(_ record: FixtureEntryRecord) -> Int {
            if let slot = free.popLast() {
                slots[slot] = record
                return slot
            }
            slots.append(record)
            return slots.count - 1
        }

        /// Takes the entry out of `slot`.
        mutating func take(_ slot: Int) -> FixtureEntryRecord {
            free.append(slot)
            return slots[slot].take()!
        }

        /// Slots made so far: the most entries that were waiting at once.
        var capacity: Int { slots.count }
    }

    /// One file being read.
    private struct Source {
        /// The open (or finished) reader; nil while the merge has not reached the file.
        var reader: FixtureReader?
        /// The receive time of the file's first entry, from the look at opening; nil when it has none.
        var firstTime: Int64?
        /// Whether the file starts with the tick header, and its size (from that look).
        var recordsTicks = false
        var fileSize: Int?
        /// Read and not yet released: their keys in a heap.
        var buffer = BinaryHeap<Key>()
        /// The newest receive time read so far.
        var newest = Int64.min
        /// The newest receive time released so far.
        var released = Int64.min
        /// Messages and ticks read so far (the next one's index).
        var read = 0
        var ended = false
        var disorder: FixtureDisorder?
    }

    private var sources: [Source]
    /// The next released message of every file that has one, by (receive time, file, index).
    private var heads = BinaryHeap<Key>()
    /// The entries of the reorder buffers and of `heads` (a key keeps its slot from one to the other).
    private var held = Held()
    /// How many files (from the first) have put their first message in `heads`. Counted one by one, so a read error
    /// on one of them leaves the next call to go on from that file, not to push the earlier heads again.
    private var startedFiles = 0
    /// The file whose head was given back last and whose next head is still to be released.
    private var refill: Int?
    /// Files not opened yet, by the time the merge must open them (first receive time less the window), then index.
    private var pending: [Int] = []
    private var nextPending = 0

    /// Looks at every fixture's first entry (`FixtureReader`: a missing file, or one that cannot be read up to its
    /// first entry, is refused here) and closes it again until the merge reaches it (see "Memory").
    public init(paths: [String], window: Int64 = FixtureMerge.defaultWindow,
                maxLineBytes: Int = FixtureReader.defaultMaxLineBytes) throws(FixtureError) {
        precondition(window >= 0, "the reorder window cannot be negative")
        self.paths = paths
        self.window = window
        self.maxLineBytes = maxLineBytes
        var sources: [Source] = []
        for path in paths {
            // A look at the first entry: its time says when the merge needs the file, the first line whether it
            // records ticks. A regular file is closed again (read anew when the merge reaches it).
            let reader = try FixtureReader(path: path, maxLineBytes: maxLineBytes)
            var source = Source(reader: nil)
            let first = try reader.nextEntry()
            source.recordsTicks = reader.recordsTicks
            source.fileSize = reader.fileSize
            if let first, reader.fileSize != nil {
                reader.close()
                source.firstTime = first.entry.receivedAt
            } else {
                // No entry (finished: its problems stay readable), or an input that cannot be read twice: kept, with
                // the entry read as if the merge had read it.
                source.reader = reader
                if let first {
                    source.firstTime = first.entry.receivedAt
                    source.newest = first.entry.receivedAt
                    source.buffer.push(Key(receivedAt: first.entry.receivedAt, file: sources.count, index: 0,
                                           slot: held.put(first)))
                    source.read = 1
                } else {
                    source.ended = true
                    reader.close()
                }
            }
            sources.append(source)
        }
        self.sources = sources
        pending = sources.indices.filter { sources[$0].reader == nil }
            .sorted { (Self.opensAt(sources[$0].firstTime!, window), $0) < (Self.opensAt(sources[$1].firstTime!, window), $1) }
    }

    /// The next message or tick in receive order, or nil once every file is read. A read error (I/O, corrupt zstd)
    /// is thrown before any entry after it is given back.
    public func next() throws(FixtureError) -> FixtureMergeRecord? {
        while startedFiles < sources.count {
            if sources[startedFiles].reader != nil { try releaseHead(startedFiles) }
            startedFiles += 1
        }
        if let file = refill {
            try releaseHead(file)
            refill = nil
        }
        // Open every file one of whose entries could come before the next head: each entry of a file is at or after
        // its first receive time less the window, and ties go by file index.
        while nextPending < pending.count {
            let file = pending[nextPending]
            if let head = heads.first,
               (head.receivedAt, head.file) < (Self.opensAt(sources[file].firstTime!, window), file) { break }
            // Opened once: after a read error the next call goes on with the same reader.
            if sources[file].reader == nil {
                sources[file].reader = try FixtureReader(path: paths[file], maxLineBytes: maxLineBytes)
            }
            try releaseHead(file)
            nextPending += 1
        }
        guard let head = heads.pop() else { return nil }
        refill = head.file
        let record = held.take(head.slot)
        return FixtureMergeRecord(file: head.file, line: record.line, entry: record.entry)
    }

    /// For each file (as in `paths`), whether it records its ticks (`FixtureReader.recordsTicks`: it starts with the
    /// tick header). Known from the start: opening looked at every file's first entry.
    public var recordsTicks: [Bool] { sources.map(\.recordsTicks) }

    /// Messages read from the files and not given back yet: the reorder buffers and the files' next messages.
    public var bufferedCount: Int { sources.reduce(heads.count) { $0 + $1.buffer.count } }

    /// Room for entries the merge has made so far: the most messages it held at once (the readers' blocks aside),
    /// one window's worth of each file whatever order they leave in.
    public var entryCapacity: Int { held.capacity }

    /// Bytes read from the files so far (compressed bytes for zstd).
    public var bytesRead: Int { sources.reduce(0) { $0 + ($1.reader?.bytesRead ?? 0) } }

    /// The files' total size in bytes, or nil when one of them has no known size (standard input, a pipe).
    public var totalBytes: Int? {
        sources.reduce(0 as Int?) { total, source in source.fileSize.flatMap { size in total.map { $0 + size } } }
    }

    /// For each file (as in `paths`), the messages given back out of receive order so far; nil for none.
    public var disorder: [FixtureDisorder?] { sources.map(\.disorder) }

    /// For each file (as in `paths`), the problems its reader stepped over (`FixtureReader.problems`).
    public var problems: [[FixtureProblem]] { sources.map { $0.reader?.problems ?? [] } }

    /// For each file (as in `paths`), how many problems its reader stepped over (`FixtureReader.problemCount`).
    public var problemCounts: [Int] { sources.map { $0.reader?.problemCount ?? 0 } }

    /// Files open now (being read): at most those whose time the merge is within, and standard input.
    public var openCount: Int { sources.filter { $0.reader != nil && !$0.ended }.count }

    /// Puts the next entry `file` releases (if any) among the heads.
    private func releaseHead(_ file: Int) throws(FixtureError) {
        if let key = try release(file) { heads.push(key) }
    }

    /// The next message `file` releases: reads until its buffer's first message is more than `window` behind the
    /// newest read, or the file ends. Nil once the file is read and its buffer empty.
    private func release(_ file: Int) throws(FixtureError) -> Key? {
        while true {
            // A file that records its ticks is an exported log: its order is the order the live run logged and
            // processed (a tick can precede a message stamped a millisecond earlier, taken before the tick but
            // logged after it), so it is given back in file order, not reordered.
            if let first = sources[file].buffer.first, sources[file].ended || sources[file].recordsTicks
                || Self.isBeyond(first.receivedAt, sources[file].newest, window) {
                let key = sources[file].buffer.pop()!
                sources[file].released = max(sources[file].released, key.receivedAt)
                return key
            }
            if sources[file].ended { return nil }
            guard let record = try sources[file].reader!.nextEntry() else {
                sources[file].ended = true
                sources[file].reader!.close()
                continue
            }
            let time = record.entry.receivedAt
            if time < sources[file].released {
                // A later message of this file already left the buffer: this one comes out of receive order.
                let behind = Self.distance(from: time, to: sources[file].newest)
                sources[file].disorder.note(line: record.line, behind: behind, isTick: record.entry.message == nil)
            }
            sources[file].newest = max(sources[file].newest, time)
            sources[file].buffer.push(Key(receivedAt: time, file: file, index: sources[file].read,
                                          slot: held.put(record)))
            sources[file].read += 1
        }
    }

    /// When the merge must have opened a file whose first entry is at `first`: `window` earlier (saturating).
    static func opensAt(_ first: Int64, _ window: Int64) -> Int64 {
        let (time, overflow) = first.subtractingReportingOverflow(window)
        return overflow ? .min : time
    }

    /// True when `newest` is more than `window` after `time`.
    static func isBeyond(_ time: Int64, _ newest: Int64, _ window: Int64) -> Bool {
        newest > time && distance(from: time, to: newest) > window
    }

    /// `later - earlier` in milliseconds, saturating at `Int64.max` (receive times may span all of Int64).
    static func distance(from earlier: Int64, to later: Int64) -> Int64 {
        let (difference, overflow) = later.subtractingReportingOverflow(earlier)
        return overflow ? .max : difference
    }
}

@available(*, unavailable, message: "FixtureMerge holds its readers' mutable state; use it from one task at a time")
extension FixtureMerge: Sendable {}

/// One message or tick given back by `FixtureMerge`: the entry, the index in `paths` of the fixture it came from,
/// and its 1-based line there.
public struct FixtureMergeRecord: Sendable, Equatable {
    public var file: Int
    public var line: Int
    public var entry: FixtureEntry

    /// The message; nil for a tick.
    public var message: InboundMessage? { entry.message }
}

/// The messages of one fixture that `FixtureMerge` gave back out of receive order: each was more than the reorder
/// window older than the newest message read before it in the file, and a later message had already been released.
public struct FixtureDisorder: Sendable, Equatable {
    /// Messages and ticks; `ticks` of them ticks.
    public var count: Int
    public var ticks = 0
    /// The first such message's line, and how far (milliseconds) it was behind the newest receive time read before it.
    public var firstLine: Int
    public var firstBehind: Int64
    /// The one furthest behind (the first of them on a tie).
    public var furthestLine: Int
    public var furthestBehind: Int64
}

extension FixtureDisorder? {
    /// Counts one more message out of order.
    mutating func note(line: Int, behind: Int64, isTick: Bool) {
        guard var disorder = self else {
            self = FixtureDisorder(count: 1, ticks: isTick ? 1 : 0, firstLine: line, firstBehind: behind, furthestLine: line,
                                   furthestBehind: behind)
            return
        }
        disorder.count += 1
        if isTick { disorder.ticks += 1 }
        if behind > disorder.furthestBehind { (disorder.furthestLine, disorder.furthestBehind) = (line, behind) }
        self = disorder
    }
}
