import Foundation

/// End-to-end replay of a generated fixture (the simulator's default mix) beside `zstd -dc` reading the same file,
/// and the simulator writing it: issue targets ≥ 250,000 messages/s replayed and a simulator faster than replay.
/// The fixture is generated here, never committed.
enum ReplayBenchmark {
    struct Timed {
        var seconds: Double
        var status: Int32
        var standardError: String
    }

    static func run(wattline: String, chargers: Int = 180, duration: String = "1d") {
        let directory = NSTemporaryDirectory() + "wattline-bench-replay-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixture = directory + "/fleet.jsonl.zst"
        let simulated = time(wattline, ["simulate", "--chargers", "\(chargers)", "--duration", duration, "--seed", "5",
                                        "--start", "2026-11-20T00:00:00Z", "--out", fixture,
                                        "--fleet-out", directory + "/fleet.yaml"])
        guard simulated.status == 0 else {
            print("\n(replay skipped: the simulator failed: \(simulated.standardError.suffix(300)))")
            return
        }
        let bytes = Double((try? FileManager.default.attributesOfItem(atPath: fixture)[.size] as? Int) ?? 0)
        let zstd = time("/usr/bin/zstd", ["-dc", fixture])
        let uncompressed = Double(countBytes(fixture) ?? 0)

        var pipeline = defaultPipelineText()
        pipeline = pipeline.replacingOccurrences(of: "include: fleet/default-fleet.yaml",
                                                 with: "include: \(directory)/fleet.yaml")
        try? pipeline.write(toFile: directory + "/pipeline.yaml", atomically: true, encoding: .utf8)
        let replay = time(wattline, ["replay", fixture, "--pipeline", directory + "/pipeline.yaml",
                                     "--data", directory + "/data"])
        // "replayed N messages in S s: accepted A, decoded D, rejected R, readings stored K, duplicates U"
        let summary = replay.standardError.split(separator: "\n").first { $0.contains("replayed ") }.map(String.init) ?? ""
        let messages = Double(number(after: "replayed ", in: summary) ?? 0)
        let readings = Double(number(after: "readings stored ", in: summary) ?? 0)

        print()
        print("## Replay: a generated fixture (\(chargers) chargers, \(duration), \(Int(messages)) messages, "
              + "\(fmt(bytes / 1e6, 1)) MB zstd, \(fmt(uncompressed / 1e6, 1)) MB JSON lines)")
        let widths = [-44, 10, 12, 10, 12]
        print(row(["step", "seconds", "msg/s", "MB/s", "readings/s"], widths: widths))
        print(row(["zstd -dc FILE > /dev/null (baseline)", fmt(zstd.seconds, 2), fmt(messages / zstd.seconds),
                   fmt(uncompressed / 1e6 / zstd.seconds, 1), ""], widths: widths))
        print(row(["wattline simulate --out FILE", fmt(simulated.seconds, 2), fmt(messages / simulated.seconds),
                   fmt(uncompressed / 1e6 / simulated.seconds, 1), ""], widths: widths))
        guard replay.status == 0, messages > 0 else {
            print(row(["wattline replay FILE", "failed", "", "", ""], widths: widths))
            print(replay.standardError.suffix(500))
            return
        }
        print(row(["wattline replay FILE (decode, dedup, processors, SQLite, chunks)", fmt(replay.seconds, 2),
                   fmt(messages / replay.seconds), fmt(uncompressed / 1e6 / replay.seconds, 1),
                   fmt(readings / replay.seconds)], widths: widths))
        print("replay takes \(fmt(replay.seconds / zstd.seconds, 1))× zstd's time; the simulator is "
              + "\(fmt(replay.seconds / simulated.seconds, 2))× as fast as replaying its output")
        print("targets: replay ≥ 250,000 msg/s on two cores (goal 500,000); simulator faster than replay")
    }

    /// Runs a command to its end (standard output discarded); the wall time includes start-up (a replay's opening of its data directory too).
    static func time(_ executable: String, _ arguments: [String]) -> Timed {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let errors = directoryFile()
        process.standardError = errors.handle
        let start = Date()
        do { try process.run() } catch { return Timed(seconds: 0, status: -1, standardError: "\(error)") }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let text = (try? String(contentsOfFile: errors.path, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: errors.path)
        return Timed(seconds: seconds, status: process.terminationStatus, standardError: text)
    }

    private static func directoryFile() -> (path: String, handle: FileHandle) {
        let path = NSTemporaryDirectory() + "wattline-bench-stderr-\(UUID().uuidString)"
        // Not created: the child's standard error goes to ours instead (the run still counts, its summary is lost).
        guard FileManager.default.createFile(atPath: path, contents: nil) else { return (path, FileHandle.standardError) }
        return (path, FileHandle(forWritingAtPath: path) ?? FileHandle.standardError)
    }

    /// The uncompressed size, from `zstd -dc | wc -c`.
    private static func countBytes(_ path: String) -> Int? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "zstd -dc \"$1\" | wc -c", "sh", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
