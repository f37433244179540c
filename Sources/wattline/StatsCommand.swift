import ArgumentParser
import ChunkStore
import Telemetry

/// `wattline stats`: what the archive holds and what it costs on disk.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print the archive's files, series, samples, bytes on disk and bytes per sample.",
        discussion: "With --verify every block of every sealed file is decoded and checked; exit status 1 if any is corrupt."
    )

    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "Decode and check every block.")
    var verify = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let archive = ChunkArchive(directory: try self.archive.chunkDirectory())
        let s = archive.statistics(verify: verify)
        ArchiveOptions.reportProblems(archive)
        let range = s.oldest.map { Timestamp.format($0) + " … " + Timestamp.format(s.newest!) } ?? "empty"
        let perSample = s.sealedSamples == 0 ? "n/a" : String(format2(s.bytesPerSample))
        if json {
            print("{\"sealed_files\":\(s.sealedFiles),\"out_of_order_files\":\(s.outOfOrderFiles),\"partitions\":\(s.partitions)," +
                  "\"series\":\(s.series),\"sealed_samples\":\(s.sealedSamples),\"sealed_bytes\":\(s.sealedBytes)," +
                  "\"head_samples\":\(s.headSamples),\"head_bytes\":\(s.headBytes),\"corrupt_files\":\(s.corruptFiles)," +
                  "\"bytes_per_sample\":\(s.sealedSamples == 0 ? "null" : format2(s.bytesPerSample))}")
        } else {
            print("""
                files            \(s.sealedFiles) sealed, \(s.outOfOrderFiles) out-of-order, \(s.corruptFiles) corrupt
                partitions       \(s.partitions) (hours)
                series           \(s.series)
                samples          \(s.sealedSamples + s.headSamples) (\(s.sealedSamples) sealed, \(s.headSamples) in the head file)
                bytes on disk    \(s.sealedBytes + s.headBytes) (\(s.sealedBytes) sealed, \(s.headBytes) head file)
                bytes/sample     \(perSample) (sealed files, counted whole)
                time range       \(range)
                """)
        }
        if s.corruptFiles > 0 { throw ExitCode(1) }
    }

    private func format2(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
