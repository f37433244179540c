import ArgumentParser
import Foundation
import Processing
import Reports
import Telemetry

/// `wattline revenue`: sessions, energy, revenue per currency, charging and idle hours and utilisation, grouped.
struct RevenueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revenue",
        abstract: "Revenue, energy and utilisation from DATA/wattline.db, grouped by site, charger, EVSE, day, month or tariff.",
        discussion: """
            Sessions that ended (closed or finalized) and started in [--from, --to) count; times are ISO-8601 or a UTC \
            date, and a missing bound is taken from the sessions, widened to whole local days. Days and months are the \
            local calendar of the session's site at its start (the fleet's time zone), or --tz. Revenue is per currency, excluding and \
            including VAT, summed exactly; sessions without a price count with no revenue (`unpriced`). \
            Utilisation: charging hours over the EVSE hours in the period (one car per EVSE, a 23-hour day has 23). \
            The totals row is the exact sum of the sessions. Definitions: docs/reports.md.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @OptionGroup var selection: ReportSelection

    @Option(help: "site, charger, evse, day, month or tariff.")
    var by: String = "site"

    @Option(help: "Count days and months in this IANA time zone instead of each site's.")
    var tz: String?

    func validate() throws {
        do { _ = try RevenueGrouping.named(by) } catch { throw ValidationError(error.description) }
        _ = try timeZoneArgument(tz)
    }

    func run() throws {
        let grouping = try reporting("revenue") { () throws(ReportError) in try RevenueGrouping.named(by) }
        guard let (sessions, period, scope) = try selection.load("revenue", archive: archive, timeZone: try timeZoneArgument(tz))
        else { return }
        let report = RevenueReport(sessions: sessions, scope: scope, grouping: grouping, period: period)
        selection.write(table: { Self.table(report) }, csv: { Self.csv(report) }, json: { Self.json(report) })
        if selection.format == .table { printError("wattline revenue: \(report.total.sessions) sessions, \(ReportText.period(period))") }
    }

    /// The currencies of the report, in code order: one pair of columns each.
    static func currencies(_ report: RevenueReport) -> [String] {
        report.total.revenue.amounts.map(\.currency)
    }

    static func cells(_ row: RevenueRow, currencies: [String]) -> [String] {
        var cells = [row.key, String(row.sessions), String(row.unpriced), ReportText.kilowattHours(row.energyWh)]
        let amounts = row.revenue.amounts
        for currency in currencies {
            let amount = amounts.first { $0.currency == currency }
            cells += [ReportText.amount(amount?.exclVAT ?? 0, currency), ReportText.amount(amount?.inclVAT ?? 0, currency)]
        }
        cells += [ReportText.hours(row.chargingSeconds), ReportText.hours(row.idleSeconds), ReportText.percent(row.utilisation)]
        return cells
    }

    static func table(_ report: RevenueReport) -> [String] {
        let currencies = currencies(report)
        var columns: [TableText.Column] = [.init(title: report.grouping.rawValue), .init(title: "sessions", rightAligned: true),
                                           .init(title: "unpriced", rightAligned: true), .init(title: "kWh", rightAligned: true)]
        for currency in currencies {
            columns += [.init(title: "\(currency) excl VAT", rightAligned: true), .init(title: "\(currency) incl VAT", rightAligned: true)]
        }
        columns += [.init(title: "charging h", rightAligned: true), .init(title: "idle h", rightAligned: true),
                    .init(title: "util %", rightAligned: true)]
        var table = TableText(columns)
        for row in report.rows { table.append(cells(row, currencies: currencies)) }
        table.append(cells(report.total, currencies: currencies))
        return table.lines
    }

    static func csv(_ report: RevenueReport) -> [String] {
        let currencies = currencies(report)
        var header = [report.grouping.rawValue, "sessions", "unpriced", "kwh"]
        for currency in currencies { header += ["excl_vat_\(currency)", "incl_vat_\(currency)"] }
        header += ["charging_h", "idle_h", "utilisation_percent"]
        return [header.joined(separator: ",")] + (report.rows + [report.total]).map {
            cells($0, currencies: currencies).map { $0 == "-" ? "" : SampleText.csvField($0) }.joined(separator: ",")
        }
    }

    static func json(_ report: RevenueReport) -> JSONValue {
        func object(_ row: RevenueRow) -> JSONValue {
            .object([
                ("key", .string(row.key)),
                ("sessions", .number(String(row.sessions))),
                ("unpriced", .number(String(row.unpriced))),
                ("energy_kwh", ReportText.jsonNumber(row.energyWh / 1000, 3)),
                ("revenue", .array(row.revenue.amounts.map { amount in
                    .object([("currency", .string(amount.currency)),
                             ("excl_vat", .string(ReportText.amount(amount.exclVAT, amount.currency))),
                             ("incl_vat", .string(ReportText.amount(amount.inclVAT, amount.currency)))])
                })),
                ("charging_h", ReportText.jsonNumber(row.chargingSeconds / 3600, 4)),
                ("idle_h", ReportText.jsonNumber(row.idleSeconds / 3600, 4)),
                ("utilisation", ReportText.jsonShare(row.utilisation)),
            ])
        }
        return .object([
            ("by", .string(report.grouping.rawValue)),
            ("from", .string(Timestamp.format(report.period.lowerBound))),
            ("to", .string(Timestamp.format(report.period.upperBound))),
            ("rows", .array(report.rows.map(object))),
            ("total", object(report.total)),
        ])
    }
}
