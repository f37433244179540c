import Alerts
import ArgumentParser
import Billing
import Foundation
import Ingest
import Processing
import Pipeline

/// `wattline check PIPELINE`: validates a pipeline definition and everything it includes.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a pipeline file; print every problem with file and line, exit non-zero on errors."
    )

    @Argument(help: "The pipeline file, e.g. Pipelines/default.yaml.")
    var pipeline: String

    func run() throws {
        let definition: PipelineDefinition
        let alerts: AlertConfiguration
        let tariffs: TariffCatalog
        let sessionOutputs: SessionOutputConfiguration
        do {
            definition = try PipelineDefinition.load(path: pipeline)
            _ = try IngestOptions.read(definition)
            _ = try ProcessorChain(pipeline: definition)
            _ = try LoadPublishing.read(definition)
            tariffs = try TariffCatalog.read(definition)
            sessionOutputs = try SessionOutputConfiguration.read(definition)
            alerts = try AlertConfiguration.read(definition)
        } catch {
            printError("\(error.description)\n")
            let count = error.issues.count
            printError("\(pipeline): \(count) problem\(count == 1 ? "" : "s")\n")
            throw ExitCode(1)
        }
        let fleet = definition.fleet
        print("\(pipeline): OK")
        print("  broker   \(definition.broker.url)  client id \(definition.broker.clientID)")
        for subscription in definition.topicRouter.subscriptions {
            print("  subscribe \(subscription.filter)  (QoS \(subscription.qos))")
        }
        print("  fleet    \(fleet.sites.count) sites, \(fleet.chargers.count) chargers; undeclared chargers: \(definition.undeclaredChargers.rawValue)")
        print("  data     \(definition.dataDirectory)")
        if !tariffs.tariffs.isEmpty {
            print("  tariffs  \(Set(tariffs.tariffs.map(\.id)).count) tariffs (\(tariffs.tariffs.count) versions), "
                + "\(tariffs.assignments.count) assignments, default \(tariffs.defaultTariff ?? "none")")
        }
        if let publishing = sessionOutputs.publishing {
            print("  publish  session progress on \(publishing.topicPrefix)/{site}/{charger}/{evse}/session (QoS 1)")
        }
        for hook in alerts.hooks {
            print("  hook     \(hook.name): \(hook.command.joined(separator: " ")) on \(hook.events.map { $0.type.hasSuffix(".") ? $0.type + "*" : $0.type }.joined(separator: ", "))")
        }
    }
}
