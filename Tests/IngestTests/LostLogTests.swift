import ChunkStore
import Foundation
import Ingest
import Logging
import MosquittoTestSupport
import Processing
import SQLite
import Synchronization
import Telemetry
import Testing
import WriteAheadLog

/// The write-ahead log lost (deleted, or replaced by an older copy) while `DATA/wattline.db` and `DATA/chunks` keep
/// their checkpoints: a new log must number its records after those checkpoints, or each stage would take the new
/// records for ones it had already and skip them.
@Suite struct LostLogTests {
    typealias Traffic = RedeliveryAfterRestartTests.Traffic
    static let charger = RedeliveryAfterRestartTests.charger

    /// The processors' checkpoint LSN in `DATA/wattline.db`.
    static func processorsCheckpoint(_ options: IngestOptions) throws -> UInt64? {
        let database = try Database(path: options.dataDirectory + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare("SELECT lsn FROM stage_checkpoints WHERE stage = 'processors'")
        guard try statement.step() else { return nil }
        return UInt64(statement.int64(at: 0))
    }

    /// The archive's checkpoint LSN in `DATA/chunks`.
    static func archiveCheckpoint(_ options: IngestOptions) throws -> UInt64? {
        try ChunkStore(directory: options.chunkDirectory, options: options.chunks).checkpoint
    }

    /// The archive's energy register timestamps, as offsets in meter numbers from the traffic's start.
    static func archivedMeters(_ options: IngestOptions, _ traffic: Traffic) -> [Int64] {
        let archive = ChunkArchive(directory: options.chunkDirectory)
        let energy = archive.samples(from: .min, to: .max) { $0.measurand == .energyActiveImportRegister }
        return energy.flatMap(\.samples).map { ($0.timestamp - traffic.start) / 10_000 }.sorted()
    }

    /// A data directory after a first run (the transaction and `meters` MeterValues, then a clean stop: both stages
    /// checkpointed). Remove `data` at the end.
    static func firstRun(meters: Int) throws -> (data: TemporaryDirectory, options: IngestOptions, traffic: Traffic) {
        let data = try TemporaryDirectory(prefix: "wattline-lostlog")
        let options = IngestOptions(dataDirectory: data.path)
        let traffic = RedeliveryAfterRestartTests.makeTraffic()
        _ = try RedeliveryAfterRestartTests.firstRun(options, traffic, meters: meters)
        return (data, options, traffic)
    }

    /// MeterValues `meters` of the traffic, received at `traffic.at(offset + k)`.
    static func feed(_ core: IngestCore, _ traffic: Traffic, meters: Range<Int>, offset: Int) {
        for k in meters {
            IngestCoreRestartTests.accept(core, "ocpp/\(charger)/in", traffic.meterValues(k),
                                          at: traffic.at(offset + k))
        }
    }

    /// One run on `options` that feeds MeterValues `meters` (see `feed`) and stops once all of them are decoded.
    static func runFeeding(_ options: IngestOptions, _ traffic: Traffic, meters: Range<Int>, offset: Int) throws {
        _ = try RedeliveryAfterRestartTests.run(options) { core in
            feed(core, traffic, meters: meters, offset: offset)
            #expect(IngestHarness.eventually(10) {
                core.counters.decoded.current == core.counters.recovered.current + meters.count
            }, "decoded \(core.counters.decoded.current), recovered \(core.counters.recovered.current)")
        }
    }

    /// A start (no tick, so nothing is appended) and a stop on `options`: what it logged, and the log's next LSN
    /// once started.
    static func startAndStop(_ options: IngestOptions) throws -> (lines: [LogLines.Line], nextLSN: UInt64) {
        let lines = LogLines()
        let core = try IngestCore(pipeline: try RedeliveryAfterRestartTests.pipeline(), options: options,
                                  logger: lines.logger)
        try core.start(wallClockTicks: false)
        let next = core.nextLSN
        core.stop()
        return (lines.all, next)
    }

    /// The log's segment file names.
    static func segments(_ options: IngestOptions) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: options.logDirectory)
            .filter { $0.hasSuffix(".wal") }.sorted()
    }

    static func segmentName(_ firstLSN: UInt64) -> String {
        let digits = String(firstLSN)
        return String(repeating: "0", count: 20 - digits.count) + digits + ".wal"
    }

    /// The main case: the log directory deleted between two runs. The second run's messages reach the processors
    /// (the session's energy moves on) and the archive (their readings are stored), and every LSN of the new log
    /// lies after both checkpoints. Before the fix the new log numbered from 1 and every record up to the old
    /// checkpoints was skipped: nothing of the second run was decoded.
    @Test func aDeletedLogStartsNumberingAfterTheCheckpoints() throws {
        let (data, options, traffic) = try Self.firstRun(meters: 10)
        defer { data.remove() }
        let processors = try #require(try Self.processorsCheckpoint(options))
        let archive = try #require(try Self.archiveCheckpoint(options))
        #expect(Self.archivedMeters(options, traffic) == Array(0..<9), "meter 9 still waits in the window")
        let before = try RedeliveryAfterRestartTests.session(options)
        #expect(before.count > 2 && before[2] == "160.0", "meters 0 ... 8")

        try FileManager.default.removeItem(atPath: options.logDirectory)

        let counters = try RedeliveryAfterRestartTests.run(options) { core in
            Self.feed(core, traffic, meters: 10..<16, offset: 20)
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 6 },
                    "decoded \(core.counters.decoded.current) of the 6 new messages")
        }
        #expect(try Self.segments(options) == [Self.segmentName(max(processors, archive) + 1)],
                "the new log numbers after the highest checkpoint")
        #expect(counters.recovered.current == 0)
        #expect(counters.decoded.current == 6)
        // Meter 9 went with the log; 10 ... 14 are released (15 waits in the window, unless a tick let it go).
        let stored = Self.archivedMeters(options, traffic)
        #expect(stored.prefix(9) == ArraySlice(0..<9) && Set(10..<15).isSubset(of: stored), "\(stored)")
        let after = try RedeliveryAfterRestartTests.session(options)
        #expect(after.count > 2 && (Double(after[2]) ?? 0) >= 280, "the session took meters 10 ... 14: \(after)")
        #expect(try Self.processorsCheckpoint(options).map { $0 > processors } == true)
        #expect(try Self.archiveCheckpoint(options).map { $0 > archive } == true)
    }

    /// A log restarted before its first record keeps the numbering it was moved to, and the move is logged once
    /// (what, from what to what, why).
    @Test func aRenumberedLogKeepsItsNumberingUntilItsFirstRecord() throws {
        let (data, options, traffic) = try Self.firstRun(meters: 4)
        defer { data.remove() }
        let highest = try #require(try [Self.processorsCheckpoint(options), Self.archiveCheckpoint(options)]
            .compactMap { $0 }.max())
        try FileManager.default.removeItem(atPath: options.logDirectory)

        let lines = LogLines()
        do {
            let core = try IngestCore(pipeline: try RedeliveryAfterRestartTests.pipeline(), options: options,
                                      logger: lines.logger)
            #expect(core.nextLSN == 1, "a new log")
            try core.start(wallClockTicks: false)  // no tick: nothing is appended
            #expect(core.nextLSN == highest + 1)
            core.stop()
        }
        let moved = lines.all.filter { $0.message.contains("numbering moved forward") }
        #expect(moved.count == 1)
        #expect(moved.first?.level == .warning)
        let line = moved.first?.message ?? ""
        #expect(line.contains(options.logDirectory) && line.contains("from LSN 1,")
                && line.contains("is at LSN \(highest)") && line.contains("forward to LSN \(highest + 1)"), "\(line)")
        #expect(try Self.segments(options) == [Self.segmentName(highest + 1)])

        let again = LogLines()
        let core = try IngestCore(pipeline: try RedeliveryAfterRestartTests.pipeline(), options: options,
                                  logger: again.logger)
        #expect(core.nextLSN == highest + 1, "kept on disk")
        try core.start()
        Self.feed(core, traffic, meters: 4..<8, offset: 10)
        #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 4 })
        core.stop()
        #expect(!again.all.contains { $0.message.contains("numbering moved forward") }, "nothing to move")
        IngestHarness.expectIdentities(core.counters)
        let stored = Self.archivedMeters(options, traffic)
        #expect(stored.prefix(3) == ArraySlice(0..<3) && Set(4..<7).isSubset(of: stored), "\(stored)")
    }

    /// A stage left out of a run while the log moved on: the archive ran alone (`stages: [archive]`) and, with small
    /// segments, the log deleted what the archive had checkpointed, records the processors never saw. When the
    /// processors are back, the start says so once: which stage, its checkpoint and where it is kept, and the
    /// records it misses. A start where every stage's next record is in the log says nothing.
    @Test func aStageBackAfterTheLogMovedOnIsToldWhatItMissed() throws {
        var (data, options, traffic) = try Self.firstRun(meters: 4)
        defer { data.remove() }
        let processors = try #require(try Self.processorsCheckpoint(options))
        options.segmentBytes = 4096
        var archiveOnly = options
        archiveOnly.stages = [.archive]
        try Self.runFeeding(archiveOnly, traffic, meters: 4..<40, offset: 10)
        let first = try {
            let log = try WriteAheadLog(directory: options.logDirectory)
            defer { try? log.close() }
            return log.firstLSN
        }()
        #expect(first > processors + 1, "the log deleted records the processors never saw")

        let told = try Self.startAndStop(options).lines.filter { $0.message.contains("no longer in the log") }
        #expect(told.count == 1)
        #expect(told.first?.level == .warning)
        let line = told.first?.message ?? ""
        for part in ["the processors stage's checkpoint", data.path + "/wattline.db", "at LSN \(processors),",
                     "begins at LSN \(first)", "records \(processors + 1) through \(first - 1)", "replay"] {
            #expect(line.contains(part), "'\(part)' in: \(line)")
        }

        #expect(!(try Self.startAndStop(options).lines.contains { $0.message.contains("no longer in the log") }),
                "the processors checkpointed past the gap when they stopped")
    }

    /// A stage this start does not run still counts when the log is numbered. The processors ran on alone and
    /// checkpointed past the archive. With the log then replaced by an older copy, the archive starts alone (its
    /// checkpoint is within that log), and the start says what the processors would skip if run on it. With the
    /// log then lost, the new log numbers past the processors' checkpoint too (found on disk, the database not
    /// opened), so the processors, run again, take no new record for one they have.
    @Test func aStageThatDoesNotRunStillCountsWhenTheLogIsNumbered() throws {
        let (data, options, traffic) = try Self.firstRun(meters: 4)
        defer { data.remove() }
        let olderLog = data.path + "/log-copy"
        try FileManager.default.copyItem(atPath: options.logDirectory, toPath: olderLog)
        var processorsOnly = options
        processorsOnly.stages = [.processors]
        try Self.runFeeding(processorsOnly, traffic, meters: 4..<12, offset: 10)
        let archive = try #require(try Self.archiveCheckpoint(options))
        let processors = try #require(try Self.processorsCheckpoint(options))
        #expect(processors > archive)
        #expect(ProcessorStage.checkpointOnDisk(databasePath: data.path + "/wattline.db") == processors)
        #expect(ChunkStore.checkpointOnDisk(directory: options.chunkDirectory) == archive)
        var archiveOnly = options
        archiveOnly.stages = [.archive]

        // The log replaced by the copy taken after the first run: the archive starts (its checkpoint is within that
        // log); the processors are warned of.
        try FileManager.default.removeItem(atPath: options.logDirectory)
        try FileManager.default.moveItem(atPath: olderLog, toPath: options.logDirectory)
        do {
            let (lines, next) = try Self.startAndStop(archiveOnly)
            #expect(next <= processors)
            let told = lines.filter { $0.message.contains("which this start does not run") }
            #expect(told.count == 1)
            let line = told.first?.message ?? ""
            for part in ["the processors stage", data.path + "/wattline.db", "at LSN \(processors),",
                         "next record is LSN \(next)", "skip them", "aside"] {
                #expect(line.contains(part), "'\(part)' in: \(line)")
            }
        }

        // Then the log lost: numbered past the processors' checkpoint, with one line saying whose it was.
        try FileManager.default.removeItem(atPath: options.logDirectory)
        let (lines, next) = try Self.startAndStop(archiveOnly)
        #expect(next == processors + 1)
        let moved = lines.filter { $0.message.contains("numbering moved forward") }
        #expect(moved.count == 1)
        #expect(moved.first?.message.contains("processors checkpoint in \(data.path)/wattline.db (a stage this start does not run) is at LSN \(processors)") == true,
                "\(moved.first?.message ?? "")")
        #expect(try Self.processorsCheckpoint(options) == processors, "the processors were not opened")
    }

    /// The log replaced by an older copy of itself: it holds records, but ends below both checkpoints. The start is
    /// refused with an error naming the log, the checkpoints and where they are kept, and what to do; nothing is
    /// accepted, the log is not renumbered.
    @Test func aLogReplacedByAnOlderCopyIsRefused() throws {
        let (data, options, traffic) = try Self.firstRun(meters: 3)
        defer { data.remove() }
        let copy = data.path + "/log-copy"
        try FileManager.default.copyItem(atPath: options.logDirectory, toPath: copy)
        try Self.runFeeding(options, traffic, meters: 3..<10, offset: 10)
        let processors = try #require(try Self.processorsCheckpoint(options))
        let archive = try #require(try Self.archiveCheckpoint(options))
        try FileManager.default.removeItem(atPath: options.logDirectory)
        try FileManager.default.moveItem(atPath: copy, toPath: options.logDirectory)
        let (first, last) = try {
            let log = try WriteAheadLog(directory: options.logDirectory)
            defer { try? log.close() }
            return (log.firstLSN, try #require(log.lastLSN))
        }()
        #expect(last < min(processors, archive))

        do {
            let core = try IngestCore(pipeline: try RedeliveryAfterRestartTests.pipeline(), options: options,
                                      logger: Logger(label: "test"))
            let error = try #require(throws: LogBehindCheckpointsError.self) { try core.start() }
            #expect(error.logDirectory == options.logDirectory && error.firstLSN == first && error.lastLSN == last)
            #expect(error.checkpoints.map(\.stage) == [.archive, .processors])
            #expect(error.checkpoints.map(\.lsn) == [archive, processors])
            #expect(error.checkpoints.map(\.path) == [options.chunkDirectory, data.path + "/wattline.db"])
            let text = error.description
            let expected = [
                options.logDirectory, options.chunkDirectory, data.path + "/wattline.db", "ends at LSN \(last)",
                "archive at LSN \(archive)", "processors at LSN \(processors)", "export-log --data \(data.path)",
                "aside", "numbered from \(max(archive, processors) + 1)",
            ]
            for part in expected {
                #expect(text.contains(part), "'\(part)' in: \(text)")
            }
            #expect(core.nextLSN == last + 1, "not renumbered")
            #expect(core.counters.accepted.current == 0)
        }
        #expect(try Self.processorsCheckpoint(options) == processors)
        #expect(try Self.archiveCheckpoint(options) == archive)
    }
}

/// Log lines kept in memory, for tests that check what was logged.
final class LogLines: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: LogLines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            sink.lines.withLock { $0.append(Line(level: event.level, message: event.message.description)) }
        }
    }
}
