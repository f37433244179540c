import ArgumentParser
import Processing

/// `wattline anomalies`: the anomalies the processors detected, newest first.
struct AnomaliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomalies",
        abstract: "List anomalies from DATA/wattline.db, newest first.",
        discussion: """
            --from/--to select on when the anomaly started (--to exclusive); times are ISO-8601 or a UTC date. \
            The table shows times in UTC, `open` for anomalies not resolved yet, and the worst value with its unit. \
            csv and json carry every column of the anomalies table. Kinds: docs/anomalies.md.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "Only open anomalies (not resolved).")
    var open = false

    @Option(help: "Only this kind (fault, meter_stuck, overpower, ...).")
    var kind: String?

    @Option(help: "Only this site.")
    var site: String?

    @Option(help: "Only this charger.")
    var charger: String?

    @Option(help: "Anomalies started at or after this time.")
    var from: Instant?

    @Option(help: "Anomalies started before this time.")
    var to: Instant?

    @Flag(help: "Oldest first.")
    var oldestFirst = false

    @Option(help: "table, csv or json.")
    var format: ResultFormat = .table

    func validate() throws {
        if let from, let to, from.milliseconds >= to.milliseconds { throw ValidationError("--from must be before --to") }
    }

    func run() throws {
        let results = try archive.openResults(command: "anomalies")
        let filter = AnomalyFilter(kind: kind, site: site, charger: charger, from: from?.milliseconds, to: to?.milliseconds,
                                   openOnly: open, order: oldestFirst ? .oldestFirst : .newestFirst)
        let anomalies: [AnomalyRow]
        do {
            anomalies = try results.anomalies(filter)
        } catch {
            throw archive.resultFailure(error, command: "anomalies")
        }
        var out = StandardOutput()
        if format == .table {
            var table = TableText([
                .init(title: "id"), .init(title: "kind"), .init(title: "severity"), .init(title: "site"),
                .init(title: "charger"), .init(title: "evse", rightAligned: true), .init(title: "started"),
                .init(title: "resolved"), .init(title: "value", rightAligned: true), .init(title: "count", rightAligned: true),
                .init(title: "message"),
            ])
            for anomaly in anomalies {
                let value = anomaly.value.map { SampleText.numberText(($0 * 100).rounded() / 100) } ?? "-"
                table.append([
                    anomaly.id, anomaly.kind, anomaly.severity, anomaly.site ?? "-", anomaly.charger ?? "-",
                    anomaly.evse.map(String.init) ?? "-", ResultText.time(anomaly.startedAt),
                    anomaly.resolvedAt.map { ResultText.time($0) } ?? "open",
                    anomaly.unit.isEmpty ? value : value + " " + anomaly.unit, String(anomaly.count), anomaly.message,
                ])
            }
            for line in table.lines { out.write(line) }
        } else {
            ResultText.write(anomalies.map(\.row), columns: anomalies.first?.row.columns ?? (try? results.columns(.anomalies)),
                             format: format, to: &out)
        }
        out.flush()
        if anomalies.isEmpty { printError("wattline anomalies: no anomalies match") }
    }
}
