import ArgumentParser
import Processing
import Telemetry

/// `wattline session ID`: one session's figures and its power curve, or its record as JSON.
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Print one session: its figures and its power curve drawn as text, or its record as JSON.",
        discussion: """
            The id is the 16 hex digits `wattline sessions` prints. The curve has one line per point (one minute \
            by default): the start of the step (UTC), a bar scaled to the session's highest average, the average \
            and highest power in kW and the last state of charge reported. --format json prints the stored record \
            verbatim. The cost section explains every cent: per charging period the lines (volume × price), per \
            dimension the amount rounded once, VAT per rate, the min/max price bound and the totals. Exit status 1 when there is no such session.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @Argument(help: "The session id.")
    var id: String

    @Option(help: "text or json.")
    var format: DetailFormat = .text

    enum DetailFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() throws {
        let results = try archive.openResults(command: "session")
        let found: SessionDetail?
        do {
            found = try results.session(id: id)
        } catch {
            throw archive.resultFailure(error, command: "session")
        }
        guard let detail = found else {
            printError("wattline session: no session \(TableText.escaped(id)) in \(results.path)")
            throw ExitCode(1)
        }
        var out = StandardOutput()
        switch format {
        case .json:
            out.write(detail.record)
        case .text:
            for line in Self.figures(detail.session) { out.write(line) }
            out.write("")
            for line in Self.cost(detail.session) { out.write(line) }
            out.write("")
            for line in Self.curve(detail.curve) { out.write(line) }
        }
        out.flush()
    }

    /// The session's columns as labelled lines (absent figures left out).
    static func figures(_ session: SessionRow) -> [String] {
        let row = session.row
        func text(_ column: String) -> String? { row.text(column).map(TableText.escaped) }
        var lines: [(String, String)] = []
        func add(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append((label, value)) }
        }
        func join(_ parts: String?...) -> String? {
            let present = parts.compactMap { $0 }.filter { !$0.isEmpty }
            return present.isEmpty ? nil : present.joined(separator: ", ")
        }
        func time(_ column: String) -> String? { text(column) }
        func kWh(_ column: String) -> String? { row.double(column).map { ResultText.kilowattHours($0) + " kWh" } }
        func kW(_ column: String) -> String? { row.double(column).map { ResultText.fixed($0 / 1000, 2) + " kW" } }
        func soc(_ column: String) -> String? { row.double(column).map { ResultText.fixed($0, 0) + " %" } }

        add("site", text("site"))
        add("charger", join(text("charger"), "EVSE \(session.evse)", "connector \(session.connector)"))
        add("state", join(text("state"), text("phase").map { "phase " + $0 }))
        add("start", join(text("start_kind"), text("transaction_id").map { "transaction " + $0 }))
        add("id tag", join(text("id_tag"), text("id_tag_status")))
        add("plugged in", time("plugged_at"))
        add("started", time("started_at"))
        add("charging ended", time("charging_ended_at"))
        add("ended", join(time("ended_at"), text("end_reason"), text("stop_reason").map { "stop reason " + $0 }))
        add("unplugged", time("unplugged_at"))
        add("energy", join(kWh("energy_wh").map { $0 + (text("energy_source").map { " (\($0))" } ?? "") },
                           kWh("integrated_energy_wh").map { "integrated " + $0 }))
        if row.double("meter_start_wh") != nil || row.double("meter_stop_wh") != nil {
            add("meter", "\(row.double("meter_start_wh").map(SampleText.numberText) ?? "?") → "
                + "\(row.double("meter_stop_wh").map(SampleText.numberText) ?? "?") Wh")
        }
        add("charging", ResultText.duration(row.double("charging_s")))
        add("suspended", "by EV \(ResultText.duration(row.double("suspended_ev_s"))), "
            + "by charger \(ResultText.duration(row.double("suspended_evse_s")))")
        add("idle", ResultText.duration(row.double("idle_s")))
        let interruptions = row.integer("interruptions") ?? 0
        if interruptions > 0 || (row.double("interrupted_s") ?? 0) > 0 {
            add("interrupted", "\(ResultText.duration(row.double("interrupted_s"))) (\(interruptions) interruptions)")
        }
        add("power", join(kW("peak_power_w").map { "peak " + $0 }, kW("average_power_w").map { "average " + $0 },
                          kW("offered_power_w").map { "offered " + $0 }))
        add("limited by", text("limited_by"))
        add("power now", kW("power_w"))
        add("time to full", row.double("time_to_full_s").map { ResultText.duration($0) })
        if row.double("soc_start") != nil || row.double("soc_end") != nil {
            add("state of charge", "\(soc("soc_start") ?? "?") → \(soc("soc_end") ?? "?")"
                + (soc("taper_soc").map { ", taper at " + $0 } ?? ""))
        }
        add("complete", (row.integer("complete") ?? 0) != 0 ? "yes" : "no")
        add("quality", text("quality_flags"))
        add("anomalies", text("anomalies"))
        let amended = row.integer("amended") ?? 0, late = row.integer("late_readings") ?? 0
        if amended > 0 || late > 0 { add("late data", "amended \(amended), late readings \(late)") }
        add("signed values", join(row.text("signed_begin").map { _ in "begin" }, row.text("signed_end").map { _ in "end" }))

        let width = lines.map(\.0.count).max() ?? 0
        return ["session \(TableText.escaped(session.id))"]
            + lines.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
    }

    /// The power curve, one line per point; a gap without samples gets a line of its own.
    static func curve(_ curve: SessionCurve?) -> [String] {
        guard let curve, !curve.points.isEmpty else { return ["power curve: no points"] }
        let width = 40
        let scale = curve.points.map(\.averageW).max() ?? 0
        let wholeMinutes = curve.stepMs % 60_000 == 0
        let step = wholeMinutes ? "\(curve.stepMs / 60_000) min" : SampleText.numberText(Double(curve.stepMs) / 1000) + " s"
        var lines = ["power curve, \(curve.points.count) points of \(step) (UTC): average kW, max kW, SoC"]
        var previous: Int64?
        for point in curve.points {
            if let previous, point.t - previous > curve.stepMs {
                lines.append("  " + String(repeating: " ", count: wholeMinutes ? 5 : 8)
                             + "  ⋮ no samples for \(ResultText.duration(Double(point.t - previous - curve.stepMs) / 1000))")
            }
            previous = point.t
            let iso = Timestamp.format(point.t)
            let clock = String(iso.dropFirst(11).prefix(wholeMinutes ? 5 : 8))
            var line = "  \(clock)  \(bar(point.averageW, scale: scale, width: width))  "
                + pad(ResultText.fixed(point.averageW / 1000, 2), 7) + "  " + pad(ResultText.fixed(point.maxW / 1000, 2), 7)
            if let soc = point.soc { line += "  " + pad(ResultText.fixed(soc, 0), 3) + " %" }
            lines.append(line)
        }
        return lines
    }

    /// A horizontal bar of `width` cells, in eighths of a cell.
    static func bar(_ value: Double, scale: Double, width: Int) -> String {
        guard scale > 0, value > 0, value.isFinite else { return String(repeating: " ", count: width) }
        let eighths = min(Int((value / scale * Double(width * 8)).rounded()), width * 8)
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let cells = eighths / 8 + (partial.isEmpty ? 0 : 1)
        return String(repeating: "█", count: eighths / 8) + partial + String(repeating: " ", count: width - cells)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
