import Foundation
import Recording
import Telemetry
import Testing

/// `FixtureMerge` against the algorithm it replaces (every message of every file in memory, then one stable sort by
/// receive time, file and position), on real files, plain and zstd.
@Suite("Fixture merge")
struct FixtureMergeTests {
    /// A small seeded generator (xorshift64*), so a failure can be replayed from its seed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
    }

    /// A message or tick given back, as the test compares it.
    struct Placed: Equatable {
        var file: Int
        var line: Int
        var entry: FixtureEntry
        /// The message (the entry must be one).
        var message: InboundMessage { entry.message! }
    }

    /// The replaced algorithm: every record read (ticks included), then sorted by (receive time, file, position);
    /// stable.
    static func globalSort(_ paths: [String]) throws -> [Placed] {
        var all: [(Int64, Int, Int, Placed)] = []
        for (file, path) in paths.enumerated() {
            for (index, record) in try FixtureReader(path: path).readAllEntries().enumerated() {
                all.append((record.entry.receivedAt, file, index, Placed(file: file, line: record.line, entry: record.entry)))
            }
        }
        all.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        return all.map(\.3)
    }

    /// Everything `merge` gives back, with the most messages it held at once.
    static func drain(_ merge: FixtureMerge) throws -> (records: [Placed], mostBuffered: Int) {
        var records: [Placed] = []
        var mostBuffered = 0
        while let record = try merge.next() {
            records.append(Placed(file: record.file, line: record.line, entry: record.entry))
            mostBuffered = max(mostBuffered, merge.bufferedCount)
        }
        return (records, mostBuffered)
    }

    /// Writes `messages` as a fixture: zstd through `FixtureWriter`, or plain text with comment and blank lines
    /// between them (so line numbers and positions differ).
    static func write(_ messages: [InboundMessage], to path: String, using random: inout Seeded) throws {
        try write(messages.map { .message($0) }, to: path, recordsTicks: false, using: &random)
    }

    /// Writes `entries` as a fixture that starts with the tick header when `recordsTicks` (it must, to hold ticks).
    static func write(_ entries: [FixtureEntry], to path: String, recordsTicks: Bool, using random: inout Seeded) throws {
        if path.hasSuffix(".zst") {
            let writer = try FixtureWriter(path: path, recordsTicks: recordsTicks)
            for (index, entry) in entries.enumerated() {
                switch entry {
                case .message(let message): try writer.write(message)
                case .tick(let time): try writer.writeTick(at: time)
                }
                if index % 97 == 96 { try writer.flushFrame() }
            }
            try writer.close()
            return
        }
        var text: [UInt8] = []
        if recordsTicks {
            if Bool.random(using: &random) { text += Array("# recorded by a test\n\n".utf8) }
            text += Array((FixtureLine.tickHeader + "\n").utf8)
        }
        for entry in entries {
            if Int.random(in: 0..<8, using: &random) == 0 { text += Array("# a comment\n\n".utf8) }
            switch entry {
            case .message(let message): text += FixtureLine.encode(message)
            case .tick(let time): text += FixtureLine.encodeTick(at: time)
            }
            text.append(0x0A)
        }
        try Data(text).write(to: URL(fileURLWithPath: path))
    }

    /// Receive times in order, each moved back by up to `window`: no message is more than `window` behind one read
    /// before it. Times on a 10 ms grid with steps that are often 0, so many are equal, within and across files.
    static func disorderedTimes(count: Int, window: Int64, using random: inout Seeded) -> [Int64] {
        var time: Int64 = 1_795_262_400_000 + Int64.random(in: 0...200, using: &random) * 10
        return (0..<count).map { _ in
            time += [0, 0, 0, 10, 10, 20, 50][Int.random(in: 0..<7, using: &random)]
            let back = Bool.random(using: &random) ? Int64.random(in: 0...window / 10, using: &random) * 10 : 0
            return time - back
        }
    }

    @Test(arguments: 0..<12 as Range<UInt64>)
    func withinTheWindowTheMergeEqualsTheGlobalSort(seed: UInt64) throws {
        var random = Seeded(seed: seed)
        let directory = try TemporaryDirectory()
        let window: Int64 = [0, 10, 60, 200][Int(seed % 4)]
        let fileCount = Int.random(in: 1...5, using: &random)
        var paths: [String] = []
        for file in 0..<fileCount {
            let count = [0, 1, 7, 300, 1_500][Int.random(in: 0..<5, using: &random)]
            let times = Self.disorderedTimes(count: count, window: window, using: &random)
            let messages = times.enumerated().map { index, time in
                InboundMessage(receivedAt: time, topic: "f\(file)/m\(index)", qos: UInt8(index % 3), retained: index % 5 == 0,
                               text: "\(seed)-\(file)-\(index)")
            }
            let path = directory.path("f\(file)" + (Bool.random(using: &random) ? ".jsonl.zst" : ".jsonl"))
            try Self.write(messages, to: path, using: &random)
            paths.append(path)
        }
        let merge = try FixtureMerge(paths: paths, window: window)
        let merged = try Self.drain(merge).records
        let expected = try Self.globalSort(paths)
        #expect(merged.count == expected.count)
        #expect(merged == expected, "seed \(seed), window \(window) ms, \(fileCount) files")
        #expect(merge.disorder.allSatisfy { $0 == nil })
        #expect(merge.bufferedCount == 0)
    }

    /// A window that holds thousands of a file's messages at once, given back far from the order they were read
    /// in: the held entries slide and compact as they leave, and the merge still equals the global sort.
    @Test func aWideWindowHoldsThousandsAndStillSorts() throws {
        var random = Seeded(seed: 99)
        let directory = try TemporaryDirectory()
        let window: Int64 = 60_000
        var paths: [String] = []
        for file in 0..<2 {
            let times = Self.disorderedTimes(count: 6_000, window: window, using: &random)
            let messages = times.enumerated().map { index, time in
                InboundMessage(receivedAt: 1_795_262_400_000 + time, topic: "f\(file)/m\(index)", text: "\(file)-\(index)")
            }
            let path = directory.path("wide\(file).jsonl")
            try Self.write(messages, to: path, using: &random)
            paths.append(path)
        }
        let merge = try FixtureMerge(paths: paths, window: window)
        let (records, mostBuffered) = try Self.drain(merge)
        #expect(mostBuffered > 2_048, "the window held \(mostBuffered) messages at most")
        #expect(records == (try Self.globalSort(paths)))
        #expect(merge.disorder.allSatisfy { $0 == nil })
        #expect(merge.bufferedCount == 0)
    }

    /// A message far ahead of the rest waits in the buffer until the file ends, while everything after it leaves
    /// at once: the merge keeps room for about one window of messages, not for all those that passed it.
    @Test func aMessageThatWaitsLongDoesNotHoldOnToTheOnesThatLeft() throws {
        let directory = try TemporaryDirectory()
        var random = Seeded(seed: 5)
        let base: Int64 = 1_795_262_400_000
        let ahead = InboundMessage(receivedAt: base + 86_400_000, topic: "ahead", text: "a day ahead")
        let rest = (0..<20_000).map { InboundMessage(receivedAt: base + Int64($0) * 10, topic: "t", text: "\($0)") }
        let path = directory.path("ahead.jsonl")
        try Self.write([ahead] + rest, to: path, using: &random)
        let merge = try FixtureMerge(paths: [path], window: 1_000)
        var records: [Placed] = []
        var mostBuffered = 0, mostRoom = 0
        while let record = try merge.next() {
            records.append(Placed(file: record.file, line: record.line, entry: record.entry))
            mostBuffered = max(mostBuffered, merge.bufferedCount)
            mostRoom = max(mostRoom, merge.entryCapacity)
        }
        #expect(records.count == 20_001)
        #expect(records.last?.message.topic == "ahead")
        #expect(mostBuffered <= 103)
        #expect(mostRoom <= 103, "room for \(mostRoom) entries at most")
    }

    /// A message exactly `window` behind is still in order; one further behind, after later messages left the
    /// buffer, comes out of order, is counted with its line, and is not lost.
    @Test func beyondTheWindowAMessageIsFedOutOfOrderAndCounted() throws {
        let directory = try TemporaryDirectory()
        let base: Int64 = 1_795_262_400_000
        func message(_ offset: Int64, _ name: String) -> InboundMessage {
            InboundMessage(receivedAt: base + offset, topic: name, text: name)
        }
        // Window 100 ms. Line 3 (c, 0) is exactly 100 ms behind line 2 (b, 100): in order. Line 6 (late, 40)
        // comes after e (200) released a, c and d (50): 160 ms behind, out of order, yet still before b. Line 8
        // (an hour back) comes after b left: out of order too.
        let lines = [message(0, "a"), message(100, "b"), message(0, "c"), message(50, "d"), message(200, "e"),
                     message(40, "late"), message(300, "f"), message(-3_600_000, "hour"), message(400, "g")]
        var random = Seeded(seed: 1)
        let path = directory.path("steps.jsonl.zst")
        try Self.write(lines, to: path, using: &random)
        let other = directory.path("other.jsonl")
        try Self.write([message(45, "other"), message(250, "other2")], to: other, using: &random)

        let merge = try FixtureMerge(paths: [path, other], window: 100)
        let merged = try Self.drain(merge).records
        #expect(merged.map(\.message.topic) == ["a", "c", "other", "d", "late", "b", "hour", "e", "other2", "f", "g"])
        #expect(Set(merged.map(\.message.topic)) == Set((lines + [message(45, "other"), message(250, "other2")]).map(\.topic)))
        #expect(merged.count == 11, "nothing lost")
        let disorder = try #require(merge.disorder[0])
        #expect(merge.disorder.count == 2 && merge.disorder[1] == nil)
        #expect(disorder.count == 2)
        #expect((disorder.firstLine, disorder.firstBehind) == (6, 160))
        #expect((disorder.furthestLine, disorder.furthestBehind) == (8, 3_600_300))
    }

    /// The merge holds about one window of each file's messages, however long the files are.
    @Test func memoryIsBoundedByTheWindowNotTheFile() throws {
        let directory = try TemporaryDirectory()
        var random = Seeded(seed: 42)
        var paths: [String] = []
        // Three files of 20,000 messages, 10 ms apart (200 s each), with a 1 s window: about 100 messages each.
        for file in 0..<3 {
            let messages = (0..<20_000).map { index in
                InboundMessage(receivedAt: 1_795_262_400_000 + Int64(index) * 10 + Int64(file) * 3, topic: "t/\(file)",
                               text: "\(index)")
            }
            let path = directory.path("long\(file).jsonl" + (file == 0 ? ".zst" : ""))
            try Self.write(messages, to: path, using: &random)
            paths.append(path)
        }
        let merge = try FixtureMerge(paths: paths, window: 1_000)
        #expect(merge.bytesRead < merge.totalBytes!)
        let (records, mostBuffered) = try Self.drain(merge)
        #expect(records.count == 60_000)
        #expect(records == (try Self.globalSort(paths)))
        #expect(mostBuffered <= 3 * 103, "held \(mostBuffered) messages at once")
        #expect(merge.bytesRead == merge.totalBytes)
        let sizes = try paths.map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int }
        #expect(merge.totalBytes == sizes.reduce(0, +))
    }

    /// Ticks are entries like messages: with some files recording ticks and others not, the merge still equals the
    /// global sort (a tick keeps its place among its file's messages of the same time), and it tells which files
    /// record their ticks once it has started.
    @Test(arguments: 0..<8 as Range<UInt64>)
    func ticksKeepTheirPlaceAmongTheMessages(seed: UInt64) throws {
        var random = Seeded(seed: 1_000 + seed)
        let directory = try TemporaryDirectory()
        let window: Int64 = [0, 10, 60, 1_000][Int(seed % 4)]
        let fileCount = Int.random(in: 1...4, using: &random)
        var paths: [String] = []
        var recording: [Bool] = []
        for file in 0..<fileCount {
            let recordsTicks = file == 0 || Bool.random(using: &random)
            let count = [0, 1, 7, 300, 1_200][Int.random(in: 0..<5, using: &random)]
            // A file that records its ticks (an exported log) is given back in file order: in receive order here, so
            // that the merge still equals the global sort (`anExportedLogKeepsItsOrder` covers the disorder).
            let disordered = Self.disorderedTimes(count: count, window: window, using: &random)
            let times = recordsTicks ? disordered.sorted() : disordered
            let entries: [FixtureEntry] = times.enumerated().map { index, time in
                recordsTicks && Int.random(in: 0..<3, using: &random) == 0
                    ? .tick(at: time)
                    : .message(InboundMessage(receivedAt: time, topic: "f\(file)/m\(index)", text: "\(seed)-\(file)-\(index)"))
            }
            let path = directory.path("f\(file)" + (Bool.random(using: &random) ? ".jsonl.zst" : ".jsonl"))
            try Self.write(entries, to: path, recordsTicks: recordsTicks, using: &random)
            paths.append(path)
            recording.append(recordsTicks)
        }
        let merge = try FixtureMerge(paths: paths, window: window)
        let merged = try Self.drain(merge).records
        let expected = try Self.globalSort(paths)
        #expect(merged == expected, "seed \(seed), window \(window) ms, \(fileCount) files")
        #expect(merge.recordsTicks == recording)
        #expect(merge.problems.allSatisfy { $0.isEmpty })
        let ticks = merged.filter { $0.entry.message == nil }
        #expect(ticks.allSatisfy { recording[$0.file] })
    }

    /// Files of consecutive time ranges (hourly recordings) are opened only when the merge reaches them and closed at
    /// their end: at most two are open at once however many there are, and the order is still the global sort's.
    @Test func filesAreOpenOnlyWhileTheMergeIsWithinTheirTime() throws {
        let directory = try TemporaryDirectory()
        var random = Seeded(seed: 21)
        var paths: [String] = []
        for hour in 0..<40 {
            let start = 1_795_248_000_000 + Int64(hour) * 3_600_000
            let times = (0..<25).map { start + Int64($0) * 140_000 + Int64.random(in: 0..<5_000, using: &random) }
            let messages = times.enumerated().map { index, time in
                InboundMessage(receivedAt: time, topic: "h\(hour)/m\(index)", text: "\(hour)-\(index)")
            }
            let path = directory.path("hour-\(hour)" + (hour % 2 == 0 ? ".jsonl.zst" : ".jsonl"))
            try Self.write(messages.map { .message($0) }, to: path, recordsTicks: false, using: &random)
            paths.append(path)
        }
        // Given in reverse: the order of the paths decides ties only, not when files are opened.
        paths.reverse()
        let merge = try FixtureMerge(paths: paths)
        var records: [Placed] = []
        var mostOpen = 0
        while let record = try merge.next() {
            records.append(Placed(file: record.file, line: record.line, entry: record.entry))
            mostOpen = max(mostOpen, merge.openCount)
        }
        #expect(records == (try Self.globalSort(paths)))
        #expect(records.count == 40 * 25)
        #expect(mostOpen <= 2, "\(mostOpen) files open at once")
        #expect(merge.openCount == 0)
    }

    /// An exported log (a file that records its ticks) keeps its own order, the order the live run logged it in: a
    /// message stamped just before a tick but logged after it stays after it. Without the header the same messages
    /// are put in receive order.
    @Test func anExportedLogKeepsItsOrder() throws {
        let directory = try TemporaryDirectory()
        var random = Seeded(seed: 11)
        let logged: [FixtureEntry] = [
            .message(InboundMessage(receivedAt: 1_000, topic: "a", text: "1")), .tick(at: 2_001),
            .message(InboundMessage(receivedAt: 2_000, topic: "b", text: "2")),
            .message(InboundMessage(receivedAt: 3_000, topic: "c", text: "3")),
        ]
        let exported = directory.path("exported.jsonl")
        try Self.write(logged, to: exported, recordsTicks: true, using: &random)
        let fromLog = try Self.drain(try FixtureMerge(paths: [exported])).records.map(\.entry)
        #expect(fromLog == logged)
        let recorded = directory.path("recorded.jsonl")
        let messages = logged.filter { $0.message != nil }
        try Self.write([messages[1], messages[0], messages[2]], to: recorded, recordsTicks: false, using: &random)
        let fromRecording = try Self.drain(try FixtureMerge(paths: [recorded])).records.map(\.entry)
        #expect(fromRecording == messages)
    }

    /// A tick exactly at a message's time of the same file stays on its side of it; across files the file order
    /// decides, as for messages.
    @Test func aTickAtAMessagesTimeKeepsItsSide() throws {
        let directory = try TemporaryDirectory()
        var random = Seeded(seed: 7)
        let t: Int64 = 1_795_262_400_000
        let a = directory.path("a.jsonl")
        try Self.write([.message(InboundMessage(receivedAt: t, topic: "a1", text: "")), .tick(at: t + 1_000),
                        .message(InboundMessage(receivedAt: t + 1_000, topic: "a2", text: "")), .tick(at: t + 2_000)],
                       to: a, recordsTicks: true, using: &random)
        let b = directory.path("b.jsonl")
        try Self.write([.message(InboundMessage(receivedAt: t + 1_000, topic: "b1", text: ""))], to: b, recordsTicks: false,
                       using: &random)
        let merge = try FixtureMerge(paths: [b, a], window: 60_000)
        let merged = try Self.drain(merge).records.map { placed -> String in
            placed.entry.message?.topic ?? "tick+\(placed.entry.receivedAt - t)"
        }
        #expect(merged == ["a1", "b1", "tick+1000", "a2", "tick+2000"])
        #expect(merge.recordsTicks == [false, true])
    }

    @Test func aMissingFixtureIsRefusedWhenTheMergeOpens() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: FixtureError.self) { try FixtureMerge(paths: [directory.path("absent.jsonl")]) }
    }
}
