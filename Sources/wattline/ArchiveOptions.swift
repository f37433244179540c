import ArgumentParser
import ChunkStore
import Foundation
import JSONTape
import Pipeline
import Telemetry

/// Options the archive commands (`query`, `export`, `stats`) share: where the data is.
struct ArchiveOptions: ParsableArguments {
    @Option(help: "The data directory (default: the pipeline's data_dir).")
    var data: String?

    @Option(name: .shortAndLong, help: "The pipeline whose data_dir holds the archive, when --data is not given.")
    var pipeline: String = "Pipelines/default.yaml"

    /// The chunk directory, `DATA/chunks`.
    func chunkDirectory() throws -> String {
        if let data { return data + "/chunks" }
        if FileManager.default.fileExists(atPath: pipeline) {
            do {
                return try PipelineDefinition.load(path: pipeline).dataDirectory + "/chunks"
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }
        return "data/chunks"
    }

    /// Reports the files the archive skipped, once each, on standard error.
    static func reportProblems(_ archive: ChunkArchive) {
        var seen = Set<String>()
        for problem in archive.problems where seen.insert(problem.description).inserted {
            printError("wattline: \(problem)")
        }
    }
}

/// An instant on the command line: ISO-8601 (`2026-11-21T14:00:00Z`, `2026-11-21T15:00:00+01:00`) or a UTC date
/// (`2026-11-21`, midnight).
struct Instant: ExpressibleByArgument {
    let milliseconds: Int64

    init?(argument: String) {
        let text = argument.count == 10 ? argument + "T00:00:00Z" : argument
        guard let value = try? Timestamp.parse(text) else { return nil }
        milliseconds = value
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A step for `query --step`: a duration such as `1m`, `15m`, `1h`.
struct Step: ExpressibleByArgument {
    let milliseconds: Int64

    init?(argument: String) {
        guard let duration = DurationText.parse(argument) else { return nil }
        let ms = DurationText.milliseconds(duration)
        guard ms > 0 else { return nil }
        milliseconds = ms
    }
}

extension Aggregation: ExpressibleByArgument {}

/// How samples are written out: CSV (a header, then one line per sample) or JSON.
enum SampleFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, jsonl
}

/// Text for sample values: the shortest decimal that reads back as the same double; NaN and infinities spelled
/// out in CSV, null in JSON (which cannot express them).
enum SampleText {
    static func csvValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return numberText(value)
    }

    static func jsonValue(_ value: Double) -> String { JSONObjectWriter.number(value) }

    /// "230.1", "12345", "-0.0".
    static func numberText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15, value != 0 || value.sign == .plus {
            return String(Int64(value))
        }
        return "\(value)"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonString(_ text: String) -> String {
        var out = ""
        JSONObjectWriter.appendString(text, to: &out)
        return out
    }

    static let csvSeriesHeader = "site,charger,evse,connector,measurand,phase,location"

    static func csvSeries(_ series: Series) -> String {
        [csvField(series.site), csvField(series.charger), String(series.evse), String(series.connector),
         series.measurand.rawValue, series.phase?.rawValue ?? "", series.location.rawValue].joined(separator: ",")
    }

    static func jsonSeriesFields(_ series: Series) -> String {
        "\"site\":\(jsonString(series.site)),\"charger\":\(jsonString(series.charger)),\"evse\":\(series.evse)," +
            "\"connector\":\(series.connector),\"measurand\":\"\(series.measurand.rawValue)\"," +
            "\"phase\":\(series.phase.map { "\"\($0.rawValue)\"" } ?? "null"),\"location\":\"\(series.location.rawValue)\""
    }
}
