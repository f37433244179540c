import Foundation

/// `make bench`: prints one table per benchmark. Every figure is measured beside its baseline in the same run.
func row(_ cells: [String], widths: [Int]) -> String {
    zip(cells, widths).map { cell, width in
        width < 0 ? cell.padding(toLength: -width, withPad: " ", startingAt: 0)
            : String(repeating: " ", count: max(0, width - cell.count)) + cell
    }.joined(separator: "  ")
}

func fmt(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

/// The default pipeline's text, found from this file's path (Benchmarks/wattline-bench/main.swift), so the benchmarks
/// work from any directory; empty (with a note) when the source tree is not there.
func defaultPipelineText() -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent("Pipelines/default.yaml").path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        print("(cannot read \(path): the replay and alert benchmarks need the source tree)")
        return ""
    }
    return text
}

// `wattline-bench codec [chargers] [hours] [block size]` runs only the chunk codec section.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "codec" {
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    CodecBenchmark.run(chargers: numbers.count > 0 ? numbers[0] : 10, hours: numbers.count > 1 ? numbers[1] : 6,
                       blockSize: numbers.count > 2 ? numbers[2] : 2048)
    exit(0)
}

// `wattline-bench chunks [chargers] [hours]` runs only the chunk files section.
if arguments.first == "chunks" {
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    ChunkStoreBenchmark.run(chargers: numbers.count > 0 ? numbers[0] : 20, hours: numbers.count > 1 ? numbers[1] : 6)
    exit(0)
}

// `wattline-bench processors [chain|stage]` runs only the processors section (or only one of its two paths: a
// profile of one path alone).
if arguments.first == "processors" {
    let only = arguments.dropFirst().first
    ProcessorBenchmark.run(chain: only != "stage", stage: only != "chain")
    exit(0)
}

// `wattline-bench live [rounds]` runs only the live ingest section (3 rounds unless told).
if arguments.first == "live" {
    let wattline = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wattline").path
    LiveIngestBenchmark.run(wattline: wattline, rounds: arguments.dropFirst().compactMap { Int($0) }.first ?? 3)
    exit(0)
}

// `wattline-bench replay [chargers]` runs only the replay section (180 chargers for a day: about a million messages).
if arguments.first == "replay" {
    let wattline = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wattline").path
    ReplayBenchmark.run(wattline: wattline, chargers: arguments.dropFirst().compactMap { Int($0) }.first ?? 180)
    exit(0)
}

// `wattline-bench hooks` runs only the alert hooks section.
if arguments.first == "hooks" {
    let wattline = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wattline").path
    AlertsBenchmark.run(wattline: wattline)
    exit(0)
}

// Anything else named: say what can be named rather than start the whole run (many minutes).
if let unknown = arguments.first {
    let asked = ["help", "--help", "-h"].contains(unknown)
    FileHandle.standardError.write(Data((asked ? "" : "wattline-bench: unknown section '\(unknown)'\n").utf8))
    FileHandle.standardError.write(Data("""
        usage: wattline-bench                      every section (what make bench runs)
               wattline-bench codec [chargers] [hours] [block size]
               wattline-bench chunks [chargers] [hours]
               wattline-bench processors [chain|stage]
               wattline-bench live [rounds]
               wattline-bench replay [chargers]
               wattline-bench hooks

        """.utf8))
    exit(asked ? 0 : 2)
}

print("Wattline benchmarks — \(ProcessInfo.processInfo.activeProcessorCount) cores, one thread per figure")
print()
print("## Decode throughput (one core): Wattline's decoder vs a bare JSONSerialization parse of the same payloads")
let widths = [-48, 7, 13, 9, 15, 9, 13]
print(row(["payload", "bytes", "wattline/s", "MB/s", "JSONSer./s", "MB/s", "ratio"], widths: widths))
for workload in DecodeBenchmark.workloads() {
    let ours = DecodeBenchmark.decode(workload)
    let baseline = DecodeBenchmark.jsonSerialization(workload)
    let bytes = workload.averageBytes
    print(row([workload.name, fmt(bytes), fmt(ours.messagesPerSecond), fmt(ours.messagesPerSecond * bytes / 1e6, 1),
               fmt(baseline), fmt(baseline * bytes / 1e6, 1), fmt(ours.messagesPerSecond / baseline, 2) + "x"],
              widths: widths))
}
print()
print("target: ≥ 300,000 OCPP 1.6 MeterValues/s on one core, and faster than the bare generic parse")
runRingBenchmark()
ProcessorBenchmark.run()
CodecBenchmark.run()
ChunkStoreBenchmark.run()
// The live benchmark runs the release `wattline` built beside this benchmark (make bench builds both).
let wattline = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wattline").path
if FileManager.default.isExecutableFile(atPath: wattline) {
    LiveIngestBenchmark.run(wattline: wattline)
    AlertsBenchmark.run(wattline: wattline)
    ReplayBenchmark.run(wattline: wattline)
} else {
    print("\n(live ingest skipped: no \(wattline); `make bench` builds it)")
}
