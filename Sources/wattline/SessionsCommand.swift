import ArgumentParser
import Processing

/// `wattline sessions`: the charging sessions the processors recorded, newest first.
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List charging sessions from DATA/wattline.db, newest first.",
        discussion: """
            --from/--to select on the session start (--to exclusive); times are ISO-8601 or a UTC date. The table \
            shows times in UTC, energy in kWh, peak power in kW and the stop reason (the charger's, else why \
            Wattline closed the session). csv and json carry every column of the sessions table except the record \
            (see `wattline session ID`). The cost column is the total incl. VAT (`no tariff` when none applies). With \
            --open the table shows each session's progress: energy so far, power now, state of charge, the \
            estimated time to full (when the vehicle reports SoC) and the cost so far.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "Only this site.")
    var site: String?

    @Option(help: "Only this charger.")
    var charger: String?

    @Option(help: "Sessions started at or after this time.")
    var from: Instant?

    @Option(help: "Sessions started before this time.")
    var to: Instant?

    @Flag(help: "Only open sessions (still in progress).")
    var open = false

    @Flag(help: "Only sessions amended by data that arrived after they closed.")
    var amended = false

    @Flag(help: "Oldest first.")
    var oldestFirst = false

    @Option(help: "table, csv or json.")
    var format: ResultFormat = .table

    func validate() throws {
        if let from, let to, from.milliseconds >= to.milliseconds { throw ValidationError("--from must be before --to") }
    }

    func run() throws {
        let results = try archive.openResults(command: "sessions")
        let filter = SessionFilter(site: site, charger: charger, from: from?.milliseconds, to: to?.milliseconds,
                                   openOnly: open, amendedOnly: amended, order: oldestFirst ? .oldestFirst : .newestFirst)
        let sessions: [SessionRow]
        do {
            sessions = try results.sessions(filter)
        } catch {
            throw archive.resultFailure(error, command: "sessions")
        }
        var out = StandardOutput()
        if format == .table && open {
            for line in Self.progressTable(sessions).lines { out.write(line) }
        } else if format == .table {
            var table = TableText([
                .init(title: "id"), .init(title: "site"), .init(title: "charger"), .init(title: "evse", rightAligned: true),
                .init(title: "started"), .init(title: "ended"), .init(title: "kWh", rightAligned: true),
                .init(title: "charging", rightAligned: true), .init(title: "idle", rightAligned: true),
                .init(title: "peak kW", rightAligned: true), .init(title: "cost", rightAligned: true),
                .init(title: "stop reason"), .init(title: "state"),
            ])
            for session in sessions {
                table.append([
                    session.id, session.site, session.charger, String(session.evse), ResultText.time(session.startedAt),
                    ResultText.time(session.endedAt), ResultText.kilowattHours(session.energyWh),
                    ResultText.duration(session.chargingSeconds), ResultText.duration(session.idleSeconds),
                    ResultText.kilowatts(session.peakPowerW), session.costText, session.stopReason ?? session.endReason ?? "-",
                    session.state + (session.amended > 0 ? " (amended \(session.amended))" : ""),
                ])
            }
            for line in table.lines { out.write(line) }
        } else {
            ResultText.write(sessions.map(\.row), columns: sessions.first?.row.columns ?? (try? results.columns(.sessions)),
                             format: format, to: &out)
        }
        out.flush()
        if sessions.isEmpty { printError("wattline sessions: no sessions match") }
    }

    /// Open sessions as they progress: energy so far, power, SoC, time to full, cost so far.
    static func progressTable(_ sessions: [SessionRow]) -> TableText {
        var table = TableText([
            .init(title: "id"), .init(title: "site"), .init(title: "charger"), .init(title: "evse", rightAligned: true),
            .init(title: "started"), .init(title: "phase"), .init(title: "kWh", rightAligned: true),
            .init(title: "kW", rightAligned: true), .init(title: "SoC", rightAligned: true),
            .init(title: "to full", rightAligned: true), .init(title: "cost so far", rightAligned: true),
        ])
        for session in sessions {
            table.append([
                session.id, session.site, session.charger, String(session.evse), ResultText.time(session.startedAt),
                session.row.text("phase") ?? "-", ResultText.kilowattHours(session.energyWh),
                ResultText.kilowatts(session.powerW), session.socEnd.map { ResultText.fixed($0, 0) + " %" } ?? "-",
                session.timeToFullSeconds.map { ResultText.duration($0) } ?? "-", session.costText,
            ])
        }
        return table
    }
}
