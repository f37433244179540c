import ArgumentParser
import Foundation
import Processing
import Reports
import Telemetry

/// `wattline usage`: sessions, energy and occupancy by local hour of day or weekday, to see peak hours.
struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Sessions, energy and occupancy from DATA/wattline.db by local hour of day or weekday.",
        discussion: """
            A session counts in the hour (weekday) of its start, in its site's local time (or --tz); its plugged-in \
            time, start to unplug, is spread over the hours it covers. Occupancy: plugged-in EVSE time over the EVSE \
            time the period holds of that hour (real hours: the skipped spring hour adds none). Sessions started in \
            [--from, --to); a missing bound is taken from the sessions, widened to whole local days. Definitions: \
            docs/reports.md.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @OptionGroup var selection: ReportSelection

    @Option(help: "hour or weekday.")
    var by: String = "hour"

    @Option(help: "Count hours and weekdays in this IANA time zone instead of each site's.")
    var tz: String?

    func validate() throws {
        do { _ = try UsageGrouping.named(by) } catch { throw ValidationError(error.description) }
        _ = try timeZoneArgument(tz)
    }

    func run() throws {
        let grouping = try reporting("usage") { () throws(ReportError) in try UsageGrouping.named(by) }
        guard let (sessions, period, scope) = try selection.load("usage", archive: archive, timeZone: try timeZoneArgument(tz))
        else { return }
        let report = UsageReport(sessions: sessions, scope: scope, grouping: grouping, period: period)
        let rows = report.rows.map { row in
            [row.key, String(row.sessions), ReportText.kilowattHours(row.energyWh), ReportText.hours(row.occupiedSeconds),
             ReportText.percent(row.occupancy)]
        }
        selection.write(table: {
            var table = TableText([.init(title: grouping.rawValue), .init(title: "sessions", rightAligned: true),
                                   .init(title: "kWh", rightAligned: true), .init(title: "occupied h", rightAligned: true),
                                   .init(title: "occupancy %", rightAligned: true)])
            for row in rows { table.append(row) }
            return table.lines
        }, csv: {
            ["\(grouping.rawValue),sessions,kwh,occupied_h,occupancy_percent"] + rows.map { row in
                row.map { $0 == "-" ? "" : $0 }.joined(separator: ",")
            }
        }, json: {
            .object([
                ("by", .string(grouping.rawValue)),
                ("from", .string(Timestamp.format(period.lowerBound))),
                ("to", .string(Timestamp.format(period.upperBound))),
                ("rows", .array(report.rows.map { row in
                    .object([("key", .string(row.key)), ("sessions", .number(String(row.sessions))),
                             ("energy_kwh", ReportText.jsonNumber(row.energyWh / 1000, 3)),
                             ("occupied_h", ReportText.jsonNumber(row.occupiedSeconds / 3600, 4)),
                             ("occupancy", ReportText.jsonShare(row.occupancy))])
                })),
            ])
        })
    }
}
