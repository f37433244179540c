import ArgumentParser
import Foundation
import Pipeline
import Processing
import Reports
import Telemetry

/// What the report commands (`revenue`, `usage`, `chargers`, `cdrs`) share: the results database, the fleet
/// declaration from the pipeline (sites' time zones, EVSEs, ratings, OCPI locations) and `--tz`.
extension ArchiveOptions {
    /// The fleet of the pipeline; an empty fleet (every site in UTC) when the pipeline file does not exist.
    func fleet(command: String) throws -> Fleet {
        try definition(command: command)?.fleet ?? Fleet()
    }

    /// The pipeline, nil (after saying what that means) when its file does not exist; exits 1 on a broken one.
    func definition(command: String) throws -> PipelineDefinition? {
        guard FileManager.default.fileExists(atPath: pipeline) else {
            printError("wattline \(command): no pipeline at \(pipeline): sites count in UTC and no EVSE is declared (--pipeline FILE)")
            return nil
        }
        do {
            return try PipelineDefinition.load(path: pipeline)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

/// Runs a report step, printing a ``ReportError`` as `wattline COMMAND: ...` and exiting 1.
func reporting<R>(_ command: String, _ body: () throws(ReportError) -> R) throws -> R {
    do {
        return try body()
    } catch {
        printError("wattline \(command): \(error)")
        throw ExitCode(1)
    }
}

/// `--tz`: an IANA time zone name.
func timeZoneArgument(_ name: String?) throws -> TimeZone? {
    guard let name else { return nil }
    guard name.contains("/") || name == "UTC", let zone = TimeZone(identifier: name) else {
        throw ValidationError(ReportError.unknownTimeZone(name).description)
    }
    return zone
}

/// Figures as report tables and CSV print them.
enum ReportText {
    /// Seconds as hours with two decimals.
    static func hours(_ seconds: Double) -> String { ResultText.fixed(seconds / 3600, 2) }

    /// A share as a percentage with one decimal; `-` when nil.
    static func percent(_ share: Double?) -> String { ResultText.fixed(share.map { $0 * 100 }, 1) }

    /// Wh as kWh with three decimals.
    static func kilowattHours(_ wattHours: Double) -> String { ResultText.fixed(wattHours / 1000, 3) }

    /// The amount in the currency's minor unit.
    static func amount(_ value: Decimal, _ currency: String) -> String { AmountText.format(value, currency: currency) }

    /// `[from, to)` for a summary line.
    static func period(_ range: Range<Int64>) -> String {
        "\(ResultText.time(Timestamp.format(range.lowerBound))) to \(ResultText.time(Timestamp.format(range.upperBound))) UTC"
    }

    /// A share as a JSON number rounded to 4 decimals, or null.
    static func jsonShare(_ share: Double?) -> JSONValue {
        guard let share, share.isFinite else { return .null }
        return .number(ResultText.fixed(share, 4))
    }

    static func jsonNumber(_ value: Double, _ digits: Int) -> JSONValue { .number(ResultText.fixed(value, digits)) }
}

/// The selection the report commands share: one site or all, the period, and the output format.
struct ReportSelection: ParsableArguments {
    @Option(help: "Only this site.")
    var site: String?

    @Option(help: "Start of the period: sessions started at or after this time.")
    var from: Instant?

    @Option(help: "End of the period, exclusive: sessions started before this time.")
    var to: Instant?

    @Option(help: "table, csv or json.")
    var format: ResultFormat = .table

    func validate() throws {
        if let from, let to, from.milliseconds >= to.milliseconds { throw ValidationError("--from must be before --to") }
    }

    /// Writes a report to standard output in the selected format.
    func write(table: () -> [String], csv: () -> [String], json: () -> JSONValue) {
        var out = StandardOutput()
        switch format {
        case .table: for line in table() { out.write(line) }
        case .csv: for line in csv() { out.write(line) }
        case .json: out.write(json().text)
        }
        out.flush()
    }

    /// The sessions of the selection, the period (missing bounds from them, whole local days) and the scope in
    /// `timeZone`'s calendar; nil (after saying so) when no session matches and the period cannot be known.
    func load(_ command: String, archive: ArchiveOptions,
              timeZone: TimeZone?) throws -> (sessions: [ReportSession], period: Range<Int64>, scope: ReportScope)? {
        let fleet = try archive.fleet(command: command)
        let results = try archive.openResults(command: command)
        let sessions = try reporting(command) { () throws(ReportError) in
            try ReportSource.sessions(results, site: site, from: from?.milliseconds, to: to?.milliseconds)
        }
        let scope = ReportScope(fleet: fleet, sessions: sessions, site: site, timeZone: timeZone)
        guard let period = try reporting(command, { () throws(ReportError) in
            try ReportSource.period(from: from?.milliseconds, to: to?.milliseconds, sessions: sessions, scope: scope)
        }) else {
            printError("wattline \(command): no sessions match")
            return nil
        }
        return (sessions, period, scope)
    }
}
