import ArgumentParser
import Foundation
import Recording
import Telemetry
import WriteAheadLog

/// `wattline export-log`: the write-ahead log of a run as a fixture, so an incident replays exactly as received.
struct ExportLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-log",
        abstract: "Export a data directory's write-ahead log (messages and ticks) as a fixture.",
        discussion: """
            Reads DATA/log without taking its lock, so it works while `wattline run` holds the directory: it exports \
            what is written when it reaches the end and stops there. The log keeps only what the stages have not \
            checkpointed, unless the pipeline sets ingest.log_retention (docs/pipeline.md): set it where incidents \
            should be exportable. Messages keep their receive time, topic, QoS, retain flag and payload; the log's \
            tick records become tick lines after the tick header, so a replay writes its ticks at the instants the \
            live run did and decides silences, timeouts and windows as it did (docs/fixture-format.md, "Ticks"). \
            --no-ticks leaves them out (for readers that predate tick lines); replay then writes its own.
            """
    )

    @Option(help: "The data directory whose log to export.")
    var data: String

    @Option(help: "The fixture to write (.jsonl, or .jsonl.zst for zstd).")
    var out: String

    @Option(help: "The first record: an LSN (e.g. 4187) or a receive time (2026-11-21T12:00:00Z, or a date).")
    var from: LogPosition?

    @Option(help: "Where to stop (not included): an LSN or a receive time.")
    var to: LogPosition?

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    @Flag(help: "Leave the tick records out (no tick header, no tick lines): replay then writes its own ticks.")
    var noTicks = false

    func run() throws {
        let directory = data + "/log"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            printError("wattline export-log: \(directory) does not exist: is \(data) a Wattline data directory?")
            throw ExitCode(1)
        }
        let writer: FixtureWriter
        do { writer = try FixtureWriter(path: out, overwrite: overwrite, recordsTicks: !noTicks) } catch {
            printError("wattline export-log: \(error)")
            throw ExitCode(1)
        }
        let result: LogExport.Summary
        do {
            result = try LogExport(directory: directory, from: from, to: to).write(to: writer) { problem in
                printError("wattline export-log: \(problem); going on after it")
            }
            try writer.close()
        } catch {
            try? writer.close()
            printError("wattline export-log: \(error)")
            throw ExitCode(1)
        }
        printError("wattline export-log: \(result)")
    }
}

/// Where an export starts or stops: a log sequence number, or a receive time (milliseconds since the epoch).
enum LogPosition: ExpressibleByArgument, Equatable {
    case lsn(UInt64)
    case time(Int64)

    init?(argument: String) {
        if let lsn = UInt64(argument) {
            self = .lsn(lsn)
        } else if let instant = Instant(argument: argument) {
            self = .time(instant.milliseconds)
        } else {
            return nil
        }
    }
}

/// Copies a log's message records, and its tick records when the writer records ticks, into a fixture writer, in
/// LSN order, between two positions.
struct LogExport {
    let directory: String
    let from: LogPosition?
    let to: LogPosition?

    /// What was exported.
    struct Summary: CustomStringConvertible {
        var messages = 0
        var ticks = 0
        var ticksLeftOut = 0
        /// The first and last record exported (message or tick).
        var firstLSN: UInt64?
        var lastLSN: UInt64?
        var firstTime: Int64?
        var lastTime: Int64?

        var description: String {
            let leftOut = "\(ticksLeftOut) tick records left out (--no-ticks: replay writes its own)"
            guard let firstLSN, let lastLSN, let firstTime, let lastTime else {
                return "nothing in the range; nothing exported" + (ticksLeftOut > 0 ? " (\(leftOut))" : "")
            }
            var text = "exported \(messages) messages"
            if ticksLeftOut == 0 { text += " and \(ticks) ticks" }
            text += " (LSN \(firstLSN)...\(lastLSN), received \(Timestamp.format(firstTime)) to \(Timestamp.format(lastTime)))"
            return text + (ticksLeftOut > 0 ? "; " + leftOut : "")
        }

        mutating func note(lsn: UInt64, time: Int64) {
            firstLSN = firstLSN ?? lsn
            firstTime = firstTime ?? time
            lastLSN = lsn
            lastTime = time
        }
    }

    /// Writes the records; `problem` hears of damage stepped over (a corrupt record, an LSN gap).
    func write(to writer: FixtureWriter, problem: (WriteAheadLogError) -> Void) throws -> Summary {
        let reader = try openReader()
        var result = Summary()
        while true {
            let step = Result { () throws(WriteAheadLogError) in try reader.next() }
            let entry: LogEntry
            switch step {
            case .success(let next?): entry = next
            case .success(nil): return result
            case .failure(let error):
                guard error.isSteppedOver else { throw error }
                problem(error)
                continue
            }
            if case .lsn(let end)? = to, entry.lsn >= end { break }
            switch entry.record {
            case .tick(let time):
                if case .time(let end)? = to, time >= end { return result }
                if isBeforeStart(time: time) { continue }
                guard writer.recordsTicks else {
                    result.ticksLeftOut += 1
                    continue
                }
                try writer.writeTick(at: time)
                result.ticks += 1
                result.note(lsn: entry.lsn, time: time)
            case .message(let message):
                // Receive times only grow along the log, so the first message at or past `--to` ends the export.
                if case .time(let end)? = to, message.receivedAt >= end { return result }
                if isBeforeStart(time: message.receivedAt) { continue }
                try writer.write(message)
                result.messages += 1
                result.note(lsn: entry.lsn, time: message.receivedAt)
            }
        }
        return result
    }

    private func isBeforeStart(time: Int64) -> Bool {
        if case .time(let start)? = from { return time < start }
        return false
    }

    /// A reader at `--from` (an LSN) or at the oldest record still held. A live run may delete its oldest segment
    /// between the listing and the opening: then the listing is read again.
    private func openReader() throws -> LogReader {
        var attempts = 0
        while true {
            attempts += 1
            do {
                if case .lsn(let lsn)? = from { return try LogReader(directory: directory, from: lsn) }
                return try LogReader(oldestIn: directory)
            } catch {
                if case .notAvailable(let lsn, let first) = error {
                    guard case .lsn? = from else {
                        if attempts >= 3 { throw LogExportError.empty(directory: directory) }
                        continue
                    }
                    throw LogExportError.removed(lsn: lsn, oldest: first, directory: directory)
                }
                if attempts >= 3 { throw error }
            }
        }
    }
}

/// Why an export could not start.
enum LogExportError: Error, CustomStringConvertible {
    case removed(lsn: UInt64, oldest: UInt64, directory: String)
    case empty(directory: String)

    var description: String {
        switch self {
        case .removed(let lsn, let oldest, let directory):
            "LSN \(lsn) is no longer in \(directory): the oldest record held is LSN \(oldest) (checkpointed segments "
                + "are deleted; keep them longer with ingest.log_retention)"
        case .empty(let directory):
            "\(directory) holds no log segment (no run has written to this data directory)"
        }
    }
}

extension WriteAheadLogError {
    /// Damage a reader steps over: the next `next()` goes on after it.
    var isSteppedOver: Bool {
        switch self {
        case .corrupt, .lsnGap: true
        default: false
        }
    }
}
