import ArgumentParser
import ChunkStore
import Telemetry

/// `wattline export`: every sample in a time range, streamed one partition (hour) at a time.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Stream every sample in a time range as CSV or JSON Lines, for data scientists' tools.",
        discussion: """
            Output is ordered by hour, then series (site, charger, EVSE, connector, measurand, phase, location), \
            then time. Memory stays bounded by one hour of data whatever the range. Conflicting values are \
            included only with --conflicts, flagged.
            """
    )

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "Start of the range (inclusive).")
    var from: Instant

    @Option(help: "End of the range (exclusive).")
    var to: Instant

    @Option(help: "Only this site.")
    var site: String?

    @Option(help: "csv or jsonl.")
    var format: SampleFormat = .csv

    @Flag(help: "Include conflicting values (same instant, another value), flagged.")
    var conflicts = false

    func validate() throws {
        guard from.milliseconds < to.milliseconds else { throw ValidationError("--from must be before --to") }
        if format == .json { throw ValidationError("export writes csv or jsonl") }
    }

    func run() throws {
        let archive = ChunkArchive(directory: try self.archive.chunkDirectory())
        var out = StandardOutput()
        if format == .csv { out.write("time," + SampleText.csvSeriesHeader + ",value,flags") }
        var count = 0
        for partition in archive.partitions(from: from.milliseconds, to: to.milliseconds) {
            let items = archive.read(partition, from: from.milliseconds, to: to.milliseconds, includeConflicts: conflicts) {
                site == nil || $0.site == site
            }
            for item in items {
                let series = format == .csv ? SampleText.csvSeries(item.series) : SampleText.jsonSeriesFields(item.series)
                for sample in item.samples {
                    let flags = sample.attributes.flagNames
                    if format == .csv {
                        out.write("\(Timestamp.format(sample.timestamp)),\(series),\(SampleText.csvValue(sample.value)),\(SampleText.csvField(flags))")
                    } else {
                        out.write("{\"time\":\"\(Timestamp.format(sample.timestamp))\",\(series)," +
                                  "\"value\":\(SampleText.jsonValue(sample.value)),\"flags\":\(SampleText.jsonString(flags))}")
                    }
                    count += 1
                }
            }
        }
        out.flush()
        ArchiveOptions.reportProblems(archive)
        printError("wattline export: \(count) samples")
    }
}
