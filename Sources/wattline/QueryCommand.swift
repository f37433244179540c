import ArgumentParser
import ChunkStore
import Telemetry

/// `wattline query`: one charger's measurand over a time range, raw or folded into steps.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print a charger's samples of one measurand from the archive, raw or aggregated per step.",
        discussion: """
            Reads DATA/chunks (sealed files, out-of-order files and the head file, so samples a running pipeline \
            accepted seconds ago are included). Without --phase every phase of the measurand is printed, each as \
            its own series. Times are ISO-8601 (2026-11-21T14:00:00Z) or a UTC date (2026-11-21); --to is exclusive.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "The charger's identity.")
    var charger: String

    @Option(help: "Only this connector (0: the charger's main meter).")
    var connector: Int?

    @Option(help: "The OCPP measurand, e.g. Energy.Active.Import.Register, Power.Active.Import, Voltage.")
    var measurand: String

    @Option(help: "Only this phase (L1, L2, L3, N, L1-N, L1-L2, ...).")
    var phase: String?

    @Option(help: "Start of the range (inclusive).")
    var from: Instant

    @Option(help: "End of the range (exclusive).")
    var to: Instant

    @Option(help: "Fold samples into clock-aligned steps of this length (e.g. 1m, 15m, 1h).")
    var step: Step?

    @Option(help: "How a step folds its samples: avg, min, max or last.")
    var agg: Aggregation = .avg

    @Option(help: "csv or json.")
    var format: SampleFormat = .csv

    @Flag(help: "Include conflicting values (same instant, another value), flagged.")
    var conflicts = false

    @Flag(help: "Read the one-minute rollups (storage.rollups) instead of raw samples; --step must be whole minutes.")
    var rollups = false

    func validate() throws {
        guard Measurand(rawValue: measurand) != nil else {
            let names = Measurand.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown measurand '\(measurand)'; one of: \(names)")
        }
        if let phase, Phase(rawValue: phase) == nil {
            throw ValidationError("unknown phase '\(phase)'; one of: \(Phase.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard from.milliseconds < to.milliseconds else { throw ValidationError("--from must be before --to") }
        if format == .jsonl { throw ValidationError("query writes csv or json (export writes jsonl)") }
        if rollups, let step, step.milliseconds % RollupPoint.step != 0 {
            throw ValidationError("with --rollups, --step must be a whole number of minutes")
        }
    }

    func run() throws {
        let archive = ChunkArchive(directory: try self.archive.chunkDirectory())
        let measurand = Measurand(rawValue: measurand)!
        let phase = phase.flatMap(Phase.init(rawValue:))
        if rollups {
            printRollups(archive.rollups, measurand: measurand, phase: phase)
            return
        }
        let found = archive.samples(from: from.milliseconds, to: to.milliseconds, includeConflicts: conflicts) { series in
            series.charger == charger && series.measurand == measurand
                && (connector == nil || series.connector == connector) && (phase == nil || series.phase == phase)
        }
        ArchiveOptions.reportProblems(archive)
        var out = StandardOutput()
        switch format {
        case .csv:
            out.write("time," + SampleText.csvSeriesHeader + (step == nil ? ",value,flags" : ",\(agg.rawValue),count"))
        case .json, .jsonl:
            out.write("[")
        }
        var first = true
        for item in found {
            let series = SampleText.csvSeries(item.series)
            let seriesJSON = SampleText.jsonSeriesFields(item.series)
            if let step {
                for point in agg.fold(item.samples, step: step.milliseconds) {
                    switch format {
                    case .csv:
                        out.write("\(Timestamp.format(point.start)),\(series),\(SampleText.csvValue(point.value)),\(point.count)")
                    case .json, .jsonl:
                        out.write((first ? "" : ",") + "{\"time\":\"\(Timestamp.format(point.start))\",\(seriesJSON)," +
                                  "\"\(agg.rawValue)\":\(SampleText.jsonValue(point.value)),\"count\":\(point.count)}")
                    }
                    first = false
                }
            } else {
                for sample in item.samples {
                    let flags = sample.attributes.flagNames
                    switch format {
                    case .csv:
                        out.write("\(Timestamp.format(sample.timestamp)),\(series),\(SampleText.csvValue(sample.value)),\(SampleText.csvField(flags))")
                    case .json, .jsonl:
                        out.write((first ? "" : ",") + "{\"time\":\"\(Timestamp.format(sample.timestamp))\",\(seriesJSON)," +
                                  "\"value\":\(SampleText.jsonValue(sample.value)),\"flags\":\(SampleText.jsonString(flags))}")
                    }
                    first = false
                }
            }
        }
        if format != .csv { out.write("]") }
        out.flush()
        if found.isEmpty { printError("wattline query: no samples for \(charger) \(measurand.rawValue) in that range") }
    }

    /// Rollup points (one per minute, or merged into --step), the chosen aggregate and the sample count.
    private func printRollups(_ archive: ChunkArchive, measurand: Measurand, phase: Phase?) {
        let found = archive.rollupPoints(from: from.milliseconds, to: to.milliseconds) { series in
            series.charger == charger && series.measurand == measurand
                && (connector == nil || series.connector == connector) && (phase == nil || series.phase == phase)
        }
        ArchiveOptions.reportProblems(archive)
        var out = StandardOutput()
        if format == .csv { out.write("time," + SampleText.csvSeriesHeader + ",\(agg.rawValue),count") } else { out.write("[") }
        var first = true
        for item in found {
            let points = RollupPoint.merge(item.points, step: step?.milliseconds ?? RollupPoint.step)
            for point in points {
                let value = point.value(agg)
                if format == .csv {
                    out.write("\(Timestamp.format(point.start)),\(SampleText.csvSeries(item.series)),\(SampleText.csvValue(value)),\(point.count)")
                } else {
                    out.write((first ? "" : ",") + "{\"time\":\"\(Timestamp.format(point.start))\",\(SampleText.jsonSeriesFields(item.series))," +
                              "\"\(agg.rawValue)\":\(SampleText.jsonValue(value)),\"count\":\(point.count)}")
                }
                first = false
            }
        }
        if format != .csv { out.write("]") }
        out.flush()
        if found.isEmpty { printError("wattline query: no rollups for \(charger) \(measurand.rawValue) in that range") }
    }
}
