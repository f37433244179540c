import ArgumentParser
import Dispatch
import Foundation
import Ingest
import Logging
import Pipeline
import PrometheusEndpoint

/// `wattline run`: live ingest from the pipeline's broker until SIGINT/SIGTERM.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Subscribe to the broker and run the pipeline until interrupted (SIGINT/SIGTERM).",
        discussion: """
            Every message is written to the write-ahead log in DATA/log before it is acknowledged, then decoded, \
            deduplicated, reordered per charger and stored in the compressed archive in DATA/chunks. Rejected messages go to \
            DATA/dead-letter with their reason. On a terminal a status line is printed every few seconds.
            """
    )

    @Option(name: .shortAndLong, help: "The pipeline file.")
    var pipeline: String = "Pipelines/default.yaml"

    @Option(help: "Override the pipeline's broker (mqtt://host:port or mqtts://host:port).")
    var broker: String?

    @Option(help: "Override the pipeline's data directory.")
    var data: String?

    @Option(help: "Where /metrics answers (host:port; port 0 picks a free port), or 'off'.")
    var metrics: String = "127.0.0.1:9464"

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "wattline.run")
        // First, before any thread starts: SIGINT and SIGTERM then reach only the thread that waits for them.
        let stop = DispatchSemaphore(value: 0)
        StopSignals.deliver(to: stop)
        let definition: PipelineDefinition
        let options: IngestOptions
        do {
            definition = try PipelineDefinition.load(path: pipeline)
            options = try IngestOptions.read(definition, dataDirectory: data)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        var brokerURL: BrokerURL?
        if let broker {
            switch BrokerURL.parse(broker) {
            case .success(let url): brokerURL = url
            case .failure(let error):
                printError("--broker: \(error)")
                throw ExitCode(2)
            }
        }
        let ingest: LiveIngest
        do {
            ingest = try LiveIngest(pipeline: definition, options: options, broker: brokerURL, logger: logger)
        } catch {
            printError("wattline run: \(error)")
            throw ExitCode(1)
        }
        let exposition = IngestMetrics(counters: ingest.core.counters, alerts: ingest.core.alerts?.counters,
                                        levels: { ingest.levels() })
        var endpoint: MetricsEndpoint?
        if metrics != "off" {
            let parts = metrics.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let port = Int(parts[1]), (0...65_535).contains(port) else {
                printError("--metrics: '\(metrics)' is not host:port or off")
                throw ExitCode(2)
            }
            do {
                endpoint = try MetricsEndpoint(host: String(parts[0]), port: port) { exposition.scrape() }
                logger.info("metrics on http://\(parts[0]):\(endpoint!.port)/metrics")
            } catch {
                printError("wattline run: \(error)")
                throw ExitCode(1)
            }
        }

        do {
            try ingest.start()
        } catch {
            printError("wattline run: \(error)")
            throw ExitCode(1)
        }
        logger.info("running \(pipeline): data in \(options.dataDirectory), broker \(brokerURL ?? definition.broker.url)")
        let status = StatusLine(ingest: ingest, enabled: isatty(STDERR_FILENO) == 1)
        while stop.wait(timeout: .now() + 5) == .timedOut {
            status.print()
        }
        logger.info("stopping: disconnecting, draining and checkpointing")
        ingest.stop()
        endpoint?.close()
        let counters = ingest.core.counters
        logger.info("stopped: received \(counters.received.current), accepted \(counters.accepted.current), decoded \(counters.decoded.current), rejected \(counters.rejected), readings stored \(counters.readingsStored.current), duplicates \(counters.readingsDuplicate.current)")
    }
}

/// The one-line status on a terminal: rate, backlog, readings, rejections.
final class StatusLine {
    let ingest: LiveIngest
    let enabled: Bool
    private var lastReceived = 0
    private var lastTime = Date()

    init(ingest: LiveIngest, enabled: Bool) {
        self.ingest = ingest
        self.enabled = enabled
    }

    func print() {
        guard enabled else { return }
        let counters = ingest.core.counters
        let now = Date()
        let received = counters.received.current
        let rate = Double(received - lastReceived) / max(0.001, now.timeIntervalSince(lastTime))
        lastReceived = received
        lastTime = now
        let levels = ingest.levels()
        printError(String(format: "%@ %.0f msg/s · received %d · backlog %d · readings %d · rejected %d · open sessions %d · anomalies %d",
                          levels.connected ? "●" : "○", rate, received, levels.stageLagRecords,
                          counters.readingsStored.current, counters.rejected, levels.openSessions, levels.openAnomalies))
    }
}

/// `--log-format text|json` and `--log-level`, shared by the commands that run for long.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .customLong("log-format"), help: "text (human-readable) or json (one object per line).")
    var format: Format = .text

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var level: String = "info"

    func bootstrap() {
        let level = Logger.Level(rawValue: level) ?? .info
        let format = self.format
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
