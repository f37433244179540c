import ArgumentParser
import Processing

/// `wattline load`: a site's 15-minute load intervals and its demand peak.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Print a site's 15-minute load intervals from DATA/wattline.db and the demand peak.",
        discussion: """
            Intervals whose start lies in [--from, --to), oldest first; times are ISO-8601 or a UTC date. --level \
            site (the default; charger with --charger) sums the site's connectors, main meters excluded; charger, \
            connector and main_meter list each one. Average and peak power and demand in kW, energy in kWh. The \
            table ends with the demand peak (the interval utilities bill on); with csv and json, which carry every \
            column of load_intervals, that line goes to standard error.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "The site.")
    var site: String

    @Option(help: "Start of the range (inclusive).")
    var from: Instant

    @Option(help: "End of the range (exclusive).")
    var to: Instant

    @Option(help: "site, charger, connector or main_meter (default: site, or charger with --charger).")
    var level: LoadLevel?

    @Option(help: "Only this charger (levels charger, connector and main_meter).")
    var charger: String?

    @Option(help: "table, csv or json.")
    var format: ResultFormat = .table

    func validate() throws {
        guard from.milliseconds < to.milliseconds else { throw ValidationError("--from must be before --to") }
        if charger != nil, level == .site { throw ValidationError("--charger needs --level charger, connector or main_meter") }
    }

    func run() throws {
        let results = try archive.openResults(command: "load")
        let level = level ?? (charger == nil ? .site : .charger)
        let intervals: [LoadRow]
        do {
            intervals = try results.loadIntervals(LoadFilter(site: site, level: level, charger: charger,
                                                             from: from.milliseconds, to: to.milliseconds))
        } catch {
            throw archive.resultFailure(error, command: "load")
        }
        var out = StandardOutput()
        if format == .table {
            var columns: [TableText.Column] = [.init(title: "start")]
            if level != .site { columns.append(.init(title: "charger")) }
            if level == .connector || level == .mainMeter {
                columns += [.init(title: "evse", rightAligned: true), .init(title: "connector", rightAligned: true)]
            }
            columns += [.init(title: "avg kW", rightAligned: true), .init(title: "peak kW", rightAligned: true),
                        .init(title: "kWh", rightAligned: true), .init(title: "demand kW", rightAligned: true)]
            var table = TableText(columns)
            for interval in intervals {
                var cells = [ResultText.time(interval.start)]
                if level != .site { cells.append(interval.charger) }
                if level == .connector || level == .mainMeter { cells += [String(interval.evse), String(interval.connector)] }
                cells += [ResultText.kilowatts(interval.averageW), ResultText.kilowatts(interval.peakW),
                          ResultText.kilowattHours(interval.energyWh), ResultText.kilowatts(interval.demandW)]
                table.append(cells)
            }
            for line in table.lines { out.write(line) }
        } else {
            ResultText.write(intervals.map(\.row), columns: intervals.first?.row.columns ?? (try? results.columns(.loadIntervals)),
                             format: format, to: &out)
        }
        guard !intervals.isEmpty else {
            out.flush()
            printError("wattline load: no \(level.rawValue) intervals for site \(TableText.escaped(site)) in that range")
            return
        }
        let summary = Self.summary(intervals, level: level)
        if format == .table { out.write(summary) }
        out.flush()
        if format != .table { printError(summary) }
    }

    /// `demand peak 42.3 kW at 2026-11-21 08:15:00 (CP-1 EVSE 1 connector 1); 8 intervals, 60.50 kWh`.
    static func summary(_ intervals: [LoadRow], level: LoadLevel) -> String {
        let energy = intervals.compactMap(\.energyWh).reduce(0, +)
        let totals = "\(intervals.count) interval\(intervals.count == 1 ? "" : "s"), \(ResultText.kilowattHours(energy)) kWh"
        // The first of equal peaks: the earliest.
        var peak: LoadRow?
        for interval in intervals {
            guard let demand = interval.demandW else { continue }
            if demand > (peak?.demandW ?? -.infinity) { peak = interval }
        }
        guard let peak else { return "demand peak: none (no energy figures); " + totals }
        var at = ResultText.time(peak.start)
        switch level {
        case .site: break
        case .charger: at += " (\(TableText.escaped(peak.charger)))"
        case .connector, .mainMeter:
            at += " (\(TableText.escaped(peak.charger)) EVSE \(peak.evse) connector \(peak.connector))"
        }
        return "demand peak \(ResultText.kilowatts(peak.demandW)) kW at \(at); " + totals
    }
}

extension LoadLevel: ExpressibleByArgument {}
