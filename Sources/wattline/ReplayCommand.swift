import ArgumentParser
import Dispatch
import Foundation
import Ingest
import Logging
import Pipeline
import Recording
import Telemetry

/// `wattline replay`: recorded MQTT traffic through the same runtime and stages as live ingest, with no broker.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Feed recorded MQTT traffic (fixtures) through the live pipeline's stages, with no broker.",
        discussion: """
            Every message goes through the write-ahead log, the reordering window, the archive and the processors \
            exactly as live, with the recording's receive times as the only clock. A fixture that records its ticks \
            (an exported log: export-log) is replayed with exactly those ticks; otherwise, between messages further \
            apart than a second, tick records are written as the live runtime would. Several fixtures are merged in \
            receive order; when any of them records its ticks, only recorded ticks are written. Nothing is \
            published unless --publish-outputs is given, and no alert hook runs unless --hooks is given (then \
            replay waits for the hooks before it exits). Replaying into a data directory \
            that already holds the same data changes nothing (every stage recognises what it already has).

            An interrupted replay (Ctrl-C, kill -9) resumes when the same command runs again: DATA/replay-checkpoint.json \
            holds how far the feed got and the content digest of what it fed. An unfinished replay of other \
            fixtures in the same directory is refused (--restart drops the checkpoint). The fixtures are read as \
            they are fed, in memory bounded by a 60 s reorder window of receive time, whatever their size. On a \
            terminal a progress bar shows the share of the files read, messages, rate and ETA; a summary always \
            ends the run.

            With --publish URL the fixtures' messages are republished to that broker as recorded (topic, QoS, retain, \
            payload) at the recording's pacing (--speed scales it), and nothing is processed; ticks are not messages \
            and are not published.

            """
    )

    @Argument(help: "Fixture files (.jsonl or .jsonl.zst).")
    var fixtures: [String]

    @Option(name: .shortAndLong, help: "The pipeline whose topic templates, fleet and processors apply.")
    var pipeline: String = "Pipelines/default.yaml"

    @Option(help: "The data directory to replay into (not with --publish).")
    var data: String?

    @Option(help: "Pacing: max (as fast as the stages go), realtime, or a factor such as 60 (sixty times real time). Default: max, or realtime with --publish.")
    var speed: ReplaySpeed?

    @Flag(help: "Run the pipeline's alert hooks for the events the replay produces (off by default: re-running last month pages nobody).")
    var hooks = false

    @Option(help: "Republish the fixtures to this broker (mqtt://host:port) as recorded, instead of processing them.")
    var publish: String?

    @Flag(help: "Publish what the pipeline publishes live (site load for dashboards) to the pipeline's broker.")
    var publishOutputs = false

    @Flag(help: "Drop the data directory's replay checkpoint and feed every message again (the stages still skip what they hold).")
    var restart = false

    @Option(help: "After the replay, compare the results with the golden CSV files in this directory (sessions.csv, anomalies.csv, optional costs.csv); exit 3 on a difference.")
    var expect: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if publish == nil && data == nil { throw ValidationError("name the data directory to replay into with --data") }
        if publish != nil && (publishOutputs || hooks || restart) {
            throw ValidationError("--publish only republishes the fixtures: it takes no --publish-outputs, --hooks or --restart")
        }
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "wattline.replay")
        // SIGINT/SIGTERM stop the feed cleanly; the checkpoint lets the same command resume.
        let stop = DispatchSemaphore(value: 0)
        StopSignals.deliver(to: stop)
        let loaded: ReplayFixtures
        do { loaded = try ReplayFixtures(paths: fixtures) } catch {
            printError("wattline replay: \(error)")
            throw ExitCode(1)
        }
        if let publish {
            try republish(loaded, to: publish, stop: stop)
            return
        }
        guard let data else { throw ExitCode(2) }  // validate() asked for it
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
        // Rows and archive flushes at most once a second of elapsed time: each commit rewrites every open session's
        // row (with its power curve), which at four a second was 4 % of a replay.
        options.minCommitSpacing = .seconds(1)
        let started = Date()
        let core = try IngestCore(pipeline: definition, options: options, logger: logger)
        let hasEntries: Bool
        let (newestTick, finishedEarlier): (Int64?, ReplayCheckpoint?)
        let outputs: BrokerPublisher?
        do {
            hasEntries = try loaded.peek() != nil
            (newestTick, finishedEarlier) = try resumePoint(loaded, dataDirectory: data, logDirectory: options.logDirectory)
            outputs = publishOutputs ? try connectOutputs(definition, to: core) : nil
        } catch {
            printError("wattline replay: \(error)")
            throw ExitCode(1)
        }
        do { try core.start(wallClockTicks: false) } catch {
            printError("wattline replay: \(error)")
            throw ExitCode(1)
        }
        let (resumedAt, ticksAtResume) = (loaded.messagesTaken, loaded.ticksTaken)
        var feed = ReplayFeed(core: core, fixtures: loaded, speed: speed ?? .max, dataDirectory: data, stop: stop)
        feed.checkpointing = hasEntries
        feed.ticksWrittenThrough = newestTick
        let result = Result { try feed.run() }
        core.stop(drainAlerts: .seconds(3_600))
        outputs?.finish()
        let outcome: ReplayFeed.Outcome
        do { outcome = try result.get() } catch {
            printError("wattline replay: \(error); stopped after \(loaded.messagesTaken) messages")
            throw ExitCode(1)
        }
        let fed = loaded.messagesTaken
        var summary = ReplaySummary(total: outcome == .finished ? fed : nil, fed: fed - resumedAt, resumedAt: resumedAt,
                                    interrupted: outcome == .interrupted)
        if loaded.recordsTicks {
            summary.ticks = "ticks: \(loaded.ticksTaken - ticksAtResume) recorded in the fixtures written, none synthesized"
        }
        summary.notes = loaded.problemNotes + loaded.disorderNotes
        summary.notes += loaded.fixturesWithoutTicks.map {
            "note: \($0) records no ticks: its silences have only the other fixtures' recorded ticks"
        }
        if outcome == .finished,
           let note = Self.finishedEarlierNote(finishedEarlier, digest: loaded.digest, dataDirectory: data) {
            summary.notes.append(note)
        }
        summary.gather(counters: core.counters, databasePath: options.dataDirectory + "/wattline.db")
        if let alerts = core.alerts?.counters {
            summary.alerts = "alert events delivered \(alerts.value(.delivered)), dead-lettered \(alerts.value(.deadLettered) + alerts.value(.overQuota))"
        }
        if let outputs { summary.alerts = (summary.alerts.map { $0 + "; " } ?? "") + "outputs published \(outputs.publishedCount)" }
        summary.seconds = Date().timeIntervalSince(started)
        for line in summary.lines { printError("wattline replay: " + line) }
        if outcome == .interrupted { throw ExitCode(130) }
        if let expect { try checkExpectation(expect, dataDirectory: options.dataDirectory) }
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
