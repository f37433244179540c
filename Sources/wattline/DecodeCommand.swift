import ArgumentParser
import Foundation
import Pipeline
import Recording
import Telemetry

/// `wattline decode FIXTURE|-`: the decoder as a debugging tool for integrators.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode recorded MQTT messages and print the normalized readings, events and rejections as JSON Lines.",
        discussion: """
            Reads a fixture (JSON Lines, optionally .zst; - for standard input), routes each message through the \
            pipeline's topic templates and fleet, and prints one JSON object per reading, event or rejection. \
            Values are in canonical units (Wh, W, A, V, %, °C, Hz). Tick lines (an exported log's clock) carry \
            nothing to decode: they are counted in the summary. A summary goes to standard error.
            """
    )

    @Argument(help: "A fixture file (.jsonl or .jsonl.zst), or - for standard input.")
    var fixture: String

    @Option(name: .shortAndLong, help: "The pipeline whose topic templates and fleet route the messages.")
    var pipeline: String = "Pipelines/default.yaml"

    @Flag(help: "Exit with status 1 when any message is rejected.")
    var strict = false

    func run() throws {
        let definition: PipelineDefinition
        do {
            definition = try PipelineDefinition.load(path: pipeline)
        } catch {
            printError("\(error.description)\n")
            throw ExitCode(1)
        }
        let reader: FixtureReader
        do {
            reader = try FixtureReader(path: fixture)
        } catch {
            printError("wattline decode: \(error)\n")
            throw ExitCode(1)
        }
        let decoder = TelemetryDecoder()
        var output = DecodeOutput()
        var summary = DecodeSummary()
        var out = StandardOutput()
        while true {
            let record: FixtureRecord?
            do {
                record = try reader.next()
            } catch {
                printError("wattline decode: \(error)\n")
                throw ExitCode(1)
            }
            guard let record else { break }
            output.removeAll()
            summary.messages += 1
            do throws(DecodeError) {
                let source = try definition.source(forTopic: record.message.topic)
                try decoder.decode(record.message, source: source, into: &output)
                summary.count(output)
                for line in DecodedJSON.lines(output, record: record) { out.write(line) }
            } catch {
                summary.rejected[error.reason, default: 0] += 1
                out.write(DecodedJSON.rejection(error, record: record))
            }
        }
        out.flush()
        summary.ticks = reader.ticksRead
        for problem in reader.problems {
            printError("\(fixture): \(problem)\n")
        }
        if reader.problemCount > reader.problems.count {
            printError("\(fixture): and \(reader.problemCount - reader.problems.count) more problems\n")
        }
        printError(summary.description)
        if strict && !summary.rejected.isEmpty { throw ExitCode(1) }
    }
}

/// What a decode run saw, for the summary on standard error.
struct DecodeSummary: CustomStringConvertible {
    var messages = 0
    var decoded = 0
    var readings = 0
    var events = 0
    var signedValues = 0
    /// Tick lines stepped over.
    var ticks = 0
    var rejected: [RejectReason: Int] = [:]

    mutating func count(_ output: DecodeOutput) {
        decoded += 1
        readings += output.readings.count
        events += output.events.count
        signedValues += output.signedValues.count
    }

    var description: String {
        let total = rejected.values.reduce(0, +)
        var text = "messages \(messages): decoded \(decoded), rejected \(total); readings \(readings), events \(events), signed values \(signedValues)"
        text += ticks > 0 ? "; tick lines \(ticks) (nothing to decode)\n" : "\n"
        for (reason, count) in rejected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            text += "  rejected \(reason.rawValue): \(count)\n"
        }
        return text
    }
}

/// Buffered standard output (one write per 64 KiB, not per line).
struct StandardOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
