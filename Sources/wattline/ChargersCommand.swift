import ArgumentParser
import Foundation
import Processing
import Reports
import Telemetry

/// `wattline chargers`: per charger and EVSE, NEVI uptime, sessions, utilisation, energy, power against rating,
/// anomalies and revenue, worst first.
struct ChargersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chargers",
        abstract: "Charger and EVSE performance from DATA/wattline.db: NEVI uptime, use, power, anomalies, revenue.",
        discussion: """
            Uptime per EVSE as 23 CFR 680.116 defines it: (period - (outage - excluded outage)) / period, flagged \
            below 97 %. Outage: `fault` anomalies of the EVSE or its charger, and `telemetry_gap` silences longer \
            than the charger's offline_after (default 540 s), start to resolution, overlaps once. Excluded outage \
            is 0 (no causes are recorded). The period is [--from, --to) (default: the 30 days before --to, which \
            defaults to now). Chargers come worst first (lowest uptime, then utilisation); flags: uptime<97%, \
            no-sessions, power<50% (average charging power under half the rating). Definitions: docs/reports.md.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @OptionGroup var selection: ReportSelection

    func run() throws {
        let end = selection.to?.milliseconds ?? Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let start = selection.from?.milliseconds ?? end - 30 * 86_400_000
        guard start < end else { throw ValidationError("--from must be before --to") }
        let period = start..<end
        let fleet = try archive.fleet(command: "chargers")
        let results = try archive.openResults(command: "chargers")
        let sessions = try reporting("chargers") { () throws(ReportError) in
            try ReportSource.sessions(results, site: selection.site, from: start, to: end)
        }
        let anomalies = try reporting("chargers") { () throws(ReportError) in
            try ReportSource.anomalies(results, site: selection.site, to: end)
        }
        let scope = ReportScope(fleet: fleet, sessions: sessions, site: selection.site)
        let report = ChargerReport(sessions: sessions, anomalies: anomalies, scope: scope, period: period)
        guard !report.rows.isEmpty else {
            printError("wattline chargers: no chargers declared or seen\(selection.site.map { " at site \($0)" } ?? "")")
            return
        }
        selection.write(table: { Self.table(report) }, csv: { Self.csv(report) }, json: { Self.json(report) })
        if selection.format == .table { printError("wattline chargers: \(ReportText.period(period))") }
    }

    static func revenueText(_ row: ChargerRow) -> String {
        let amounts = row.usage.revenue.amounts
        guard !amounts.isEmpty else { return "-" }
        return amounts.map { "\(ReportText.amount($0.inclVAT, $0.currency)) \($0.currency)" }.joined(separator: " + ")
    }

    static func cells(_ row: ChargerRow) -> [String] {
        [row.charger, row.evse.map(String.init) ?? "all", row.site, ReportText.percent(row.uptime.ratio),
         ReportText.hours(row.uptime.outageSeconds), String(row.usage.sessions), ReportText.percent(row.usage.utilisation),
         ReportText.kilowattHours(row.usage.energyWh), ResultText.fixed(row.averagePowerKW, 1), ResultText.fixed(row.ratedPowerKW, 1),
         ReportText.percent(row.powerRatio), String(row.anomalies), revenueText(row),
         row.flags.map(\.rawValue).joined(separator: " ")]
    }

    static let titles = ["charger", "evse", "site", "uptime %", "outage h", "sessions", "util %", "kWh", "avg kW", "rated kW",
                         "of rating %", "anomalies", "revenue incl VAT", "flags"]

    static func table(_ report: ChargerReport) -> [String] {
        var table = TableText(titles.enumerated().map { index, title in
            .init(title: title, rightAligned: ![0, 1, 2, 12, 13].contains(index))
        })
        for row in report.rows { table.append(cells(row)) }
        return table.lines
    }

    static func csv(_ report: ChargerReport) -> [String] {
        var lines = ["charger,evse,site,uptime_percent,outage_h,sessions,utilisation_percent,kwh,average_kw,rated_kw," +
                     "rating_percent,anomalies,revenue_incl_vat,flags"]
        for row in report.rows {
            lines.append(cells(row).map { $0 == "-" ? "" : SampleText.csvField($0) }.joined(separator: ","))
        }
        return lines
    }

    static func json(_ report: ChargerReport) -> JSONValue {
        .object([
            ("from", .string(Timestamp.format(report.period.lowerBound))),
            ("to", .string(Timestamp.format(report.period.upperBound))),
            ("rows", .array(report.rows.map { row in
                .object([
                    ("charger", .string(row.charger)), ("evse", row.evse.map { .number(String($0)) } ?? .null),
                    ("site", .string(row.site)), ("uptime", ReportText.jsonShare(row.uptime.ratio)),
                    ("meets_nevi", .bool(row.uptime.meetsBar)),
                    ("outage_h", ReportText.jsonNumber(row.uptime.outageSeconds / 3600, 4)),
                    ("sessions", .number(String(row.usage.sessions))), ("utilisation", ReportText.jsonShare(row.usage.utilisation)),
                    ("energy_kwh", ReportText.jsonNumber(row.usage.energyWh / 1000, 3)),
                    ("average_kw", row.averagePowerKW.map { ReportText.jsonNumber($0, 3) } ?? .null),
                    ("rated_kw", row.ratedPowerKW.map { ReportText.jsonNumber($0, 3) } ?? .null),
                    ("anomalies", .number(String(row.anomalies))),
                    ("revenue", .array(row.usage.revenue.amounts.map { amount in
                        .object([("currency", .string(amount.currency)),
                                 ("excl_vat", .string(ReportText.amount(amount.exclVAT, amount.currency))),
                                 ("incl_vat", .string(ReportText.amount(amount.inclVAT, amount.currency)))])
                    })),
                    ("flags", .array(row.flags.map { .string($0.rawValue) })),
                ])
            })),
        ])
    }
}
