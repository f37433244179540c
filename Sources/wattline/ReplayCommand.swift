import ArgumentParser
import Foundation
import Ingest
import Logging
import Pipeline
import Recording
import SQLite
import Telemetry

/// `wattline replay`: recorded MQTT traffic through the same runtime and stages as live ingest, with no broker.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Feed recorded MQTT traffic (fixtures) through the live pipeline's stages, with no broker.",
        discussion: """
            Every message goes through the write-ahead log, the reordering window, the archive and the processors \
            exactly as live, with the recording's receive times as the only clock: between messages further apart \
            than a second, tick records are written as the live runtime would. Several fixtures are merged in \
            receive order. Nothing is published, and no alert hook runs unless --hooks is given (then every event \
            goes through the pipeline's hooks, and replay waits for them before it exits). Replaying into a data directory that already \
            holds the same data changes nothing (every stage recognises what it already has).
            """
    )

    @Argument(help: "Fixture files (.jsonl or .jsonl.zst).")
    var fixtures: [String]

    @Option(name: .shortAndLong, help: "The pipeline whose topic templates, fleet and processors apply.")
    var pipeline: String = "Pipelines/default.yaml"

    @Option(help: "The data directory to replay into.")
    var data: String

    @Option(help: "Pacing: max (as fast as the stages go), realtime, or a factor such as 60 (sixty times real time).")
    var speed: ReplaySpeed = .max

    @Flag(help: "Run the pipeline's alert hooks for the events the replay produces (off by default: re-running last month pages nobody).")
    var hooks = false

    @Option(help: "After the replay, compare the results with the golden CSV files in this directory (sessions.csv, anomalies.csv, optional costs.csv); exit 3 on a difference.")
    var expect: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "wattline.replay")
        let definition: PipelineDefinition
        var options: IngestOptions
        do {
            definition = try PipelineDefinition.load(path: pipeline)
            options = try IngestOptions.read(definition, dataDirectory: data)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        options.shutdownTimeout = .seconds(3_600)
        options.runHooks = hooks
        let records: [InboundMessage]
        do {
            records = try Self.merged(fixtures)
        } catch {
            printError("wattline replay: \(error)")
            throw ExitCode(1)
        }
        let started = Date()
        let core = try IngestCore(pipeline: definition, options: options, logger: logger)
        try core.start(wallClockTicks: false)
        var lastTime: Int64?
        let wallStart = Date()
        let firstTime = records.first?.receivedAt ?? 0
        for message in records {
            if let factor = speed.factor {
                // The recording's own pacing, scaled: wait until this message's time has come.
                let due = Double(message.receivedAt - firstTime) / 1000 / factor
                let wait = due - Date().timeIntervalSince(wallStart)
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            }
            if let last = lastTime { tick(core, after: last, before: message.receivedAt, every: options.tickInterval) }
            lastTime = max(lastTime ?? .min, message.receivedAt)
            // Backpressure instead of loss: wait while the log is over its quota (the worker frees segments).
            while core.logBytes >= options.logQuotaBytes { Thread.sleep(forTimeInterval: 0.01) }
            let accepted = message.topic.utf8.withContiguousStorageIfAvailable { topic in
                message.payload.withUnsafeBytes { payload in
                    core.acceptor.accept(receivedAt: message.receivedAt, topic: UnsafeRawBufferPointer(topic), payload: payload,
                                         qos: message.qos, retained: message.retained)
                }
            }
            if accepted == nil { printError("wattline replay: a topic could not be read: \(message.topic)") }
        }
        // Let the last reordering windows close, as they would when the chargers fell silent.
        if let last = lastTime {
            tick(core, after: last, before: last + options.lateness + options.tickInterval + 1, every: options.tickInterval)
        }
        core.stop(drainAlerts: .seconds(3_600))
        let counters = core.counters
        let seconds = Date().timeIntervalSince(started)
        var summary = "replayed \(records.count) messages in \(String(format: "%.1f", seconds)) s: accepted \(counters.accepted.current), "
            + "decoded \(counters.decoded.current), rejected \(counters.rejected), readings stored \(counters.readingsStored.current), "
            + "duplicates \(counters.readingsDuplicate.current)"
        let reasons = counters.rejectedByReason.withLock { $0 }
        if !reasons.isEmpty {
            summary += " (" + reasons.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
                .joined(separator: ", ") + ")"
        }
        if let database = try? Database(path: options.dataDirectory + "/wattline.db") {
            defer { database.close() }
            func count(_ table: String) -> Int64 {
                guard case .integer(let n)? = (try? database.scalar("SELECT count(*) FROM \(table)")) ?? nil else { return 0 }
                return n
            }
            summary += "; sessions \(count("sessions")), anomalies \(count("anomalies"))"
        }
        if let alerts = core.alerts?.counters {
            summary += "; alert events delivered \(alerts.value(.delivered)), dead-lettered \(alerts.value(.deadLettered) + alerts.value(.overQuota))"
        }
        printError("wattline replay: " + summary)
        if let expect { try checkExpectation(expect, dataDirectory: options.dataDirectory) }
    }

    /// Tick records every `interval` after `last` and before `end`, as the live runtime writes them across a silence.
    private func tick(_ core: IngestCore, after last: Int64, before end: Int64, every interval: Int64) {
        var time = last + interval
        while time < end {
            core.tick(at: time)
            time += interval
        }
    }

    /// Every record of every fixture, merged in receive order (stable: a file's own order is kept at equal times).
    static func merged(_ paths: [String]) throws -> [InboundMessage] {
        var all: [(Int64, Int, Int, InboundMessage)] = []
        for (fileIndex, path) in paths.enumerated() {
            let reader = try FixtureReader(path: path)
            var index = 0
            while let record = try reader.next() {
                all.append((record.message.receivedAt, fileIndex, index, record.message))
                index += 1
            }
        }
        all.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        return all.map(\.3)
    }
}

/// How fast `replay` feeds the recording: as fast as possible, or at the recording's pace scaled by a factor.
enum ReplaySpeed: ExpressibleByArgument, Equatable {
    case max
    case factor(Double)

    init?(argument: String) {
        switch argument {
        case "max": self = .max
        case "realtime": self = .factor(1)
        default:
            guard let value = Double(argument), value > 0, value.isFinite else { return nil }
            self = .factor(value)
        }
    }

    /// Real seconds per recorded second, inverted; nil for `max`.
    var factor: Double? {
        if case .factor(let value) = self { return value }
        return nil
    }
}
