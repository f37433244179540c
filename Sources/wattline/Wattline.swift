import ArgumentParser

/// The `wattline` command: EV charger telemetry from MQTT to power levels, anomalies, billed sessions and an archive.
@main
struct Wattline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wattline",
        abstract: "EV charger telemetry from MQTT: decoding, sessions, anomalies, billing and a time-series archive.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, DecodeCommand.self, RunCommand.self, SimulateCommand.self, QueryCommand.self, ExportLogCommand.self,
                      ExportCommand.self, StatsCommand.self, ReplayCommand.self, RecordCommand.self, SessionsCommand.self, SessionCommand.self, AnomaliesCommand.self,
                      LoadCommand.self, AlertsCommand.self, RevenueCommand.self, UsageCommand.self, ChargersCommand.self,
                      CDRsCommand.self]
    )

    static func main() {
        StandardDescriptors.openMissing()
        main(nil)
    }
}
