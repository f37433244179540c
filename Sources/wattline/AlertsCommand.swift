import Alerts
import ArgumentParser
import Foundation
import Logging
import Pipeline
import SQLite

/// `wattline alerts`: the alert outbox and the events hooks did not take.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Inspect alert delivery and send failed events again.",
        discussion: "The hook contract is in docs/alert-hooks.md.",
        subcommands: [AlertsStatusCommand.self, AlertsRetryCommand.self]
    )
}

/// Where the pipeline and data directory are, for the `alerts` subcommands.
struct AlertsLocation: ParsableArguments {
    @Option(name: .shortAndLong, help: "The pipeline whose hooks and data_dir apply.")
    var pipeline: String = "Pipelines/default.yaml"

    @Option(help: "The data directory (default: the pipeline's data_dir).")
    var data: String?

    func load() throws -> (PipelineDefinition, AlertConfiguration, String) {
        do {
            let definition = try PipelineDefinition.load(path: pipeline)
            return (definition, try AlertConfiguration.read(definition), data ?? definition.dataDirectory)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

/// `wattline alerts status`: events waiting per hook, and failed events.
struct AlertsStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Events waiting in the outbox per hook (with their attempts and last error), and the failed ones."
    )

    @OptionGroup var location: AlertsLocation

    func run() throws {
        let (_, configuration, data) = try location.load()
        var waiting: [OutboxRow] = []
        let databasePath = data + "/wattline.db"
        if FileManager.default.fileExists(atPath: databasePath) {
            do {
                let database = try Database(path: databasePath, configuration: .init(access: .readOnly))
                defer { database.close() }
                waiting = try Outbox.waiting(in: database)
            } catch {
                printError("wattline alerts status: \(databasePath): \(error)")
                throw ExitCode(1)
            }
        }
        let failed: (events: [FailedEvent], unreadable: [String])
        do {
            failed = try FailedEventsFile(dataDirectory: data).read()
        } catch {
            printError("wattline alerts status: \(error)")
            throw ExitCode(1)
        }
        var table = TableText([.init(title: "hook"), .init(title: "waiting", rightAligned: true),
                               .init(title: "retrying", rightAligned: true), .init(title: "failed", rightAligned: true),
                               .init(title: "last error")])
        let names = (configuration.hooks.map(\.name) + waiting.map(\.hook) + failed.events.map(\.hook))
        var seen = Set<String>()
        for name in names where seen.insert(name).inserted {
            let rows = waiting.filter { $0.hook == name }
            let lastError = rows.compactMap(\.lastError).last ?? failed.events.last { $0.hook == name }?.error ?? ""
            table.append([name, String(rows.count), String(rows.filter { $0.attempts > 0 }.count),
                          String(failed.events.filter { $0.hook == name }.count), lastError])
        }
        var out = StandardOutput()
        for line in table.lines { out.write(line) }
        if !failed.unreadable.isEmpty {
            out.write("\(failed.unreadable.count) line(s) of \(FailedEventsFile(dataDirectory: data).path) could not be read; they are kept as they are\n")
        }
        out.flush()
    }
}

/// `wattline alerts retry`: runs the hooks again for the events in `failed.jsonl`.
struct AlertsRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send the events in DATA/alerts/failed.jsonl to their hooks again; those that fail again stay there.",
        discussion: """
            Each event goes to the hook it failed for, under the hook's settings in the pipeline now (timeout, \
            retries with backoff, batch). Events of a hook no longer in the pipeline stay in the file. Exits 1 when \
            any event failed again.
            """
    )

    @OptionGroup var location: AlertsLocation

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "wattline.alerts")
        let (_, configuration, data) = try location.load()
        let file = FailedEventsFile(dataDirectory: data)
        let result: (retried: Int, failedAgain: Int)
        do {
            result = try file.retry { events in
                var again: [FailedEvent] = []
                var byHook: [String: [FailedEvent]] = [:]
                var order: [String] = []
                for event in events {
                    if byHook[event.hook] == nil { order.append(event.hook) }
                    byHook[event.hook, default: []].append(event)
                }
                for name in order {
                    let pending = byHook[name] ?? []
                    guard let hook = configuration.hook(named: name) else {
                        logger.error("hook \(name) is not in the pipeline; its \(pending.count) event(s) stay failed")
                        again += pending
                        continue
                    }
                    again += AlertDispatcher.deliverNow(pending, to: hook, logger: logger)
                }
                return again
            }
        } catch {
            printError("wattline alerts retry: \(error)")
            throw ExitCode(1)
        }
        print("retried \(result.retried) event(s): \(result.retried - result.failedAgain) delivered, \(result.failedAgain) failed again")
        if result.failedAgain > 0 { throw ExitCode(1) }
    }
}
