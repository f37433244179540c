import ChunkStore
import Foundation
import MosquittoTestSupport
import Telemetry
import Testing

/// `wattline query`, `export` and `stats` over an archive written by the chunk store: what comes out equals what
/// went in.
@Suite struct ArchiveCommandTests {
    static let day: Int64 = 1_795_219_200_000  // 2026-11-21T00:00:00Z
    static let attributes = StoredAttributes(flags: 0, context: .samplePeriodic, decimals: 1)

    /// Two hours of voltage on L1 and L2 for CP-1 (site depot) every 10 s, and an energy register for CP-2 (site
    /// highway); the first hour sealed, the rest in the head file.
    static func archive(in directory: TemporaryDirectory) throws -> (data: String, voltage: [Series: [(Int64, Double)]]) {
        let data = directory.path + "/data"
        let store = try ChunkStore(directory: data + "/chunks", options: ChunkStoreOptions(sealDelay: 60_000))
        var voltage: [Series: [(Int64, Double)]] = [:]
        for phase in [Phase.l1, .l2] {
            let series = Series(site: "depot", charger: "CP-1", evse: 1, connector: 1, measurand: .voltage, phase: phase)
            for i in 0..<720 {
                let t = day + Int64(i) * 10_000
                let v = Double(2290 + (i * 7 + (phase == .l1 ? 0 : 3)) % 23) / 10
                _ = store.append(series, timestamp: t, value: v, attributes: attributes)
                voltage[series, default: []].append((t, v))
            }
        }
        let energy = Series(site: "highway", charger: "CP-2", evse: 1, connector: 1, measurand: .energyActiveImportRegister)
        for i in 0..<100 { _ = store.append(energy, timestamp: day + Int64(i) * 60_000, value: Double(5000 + i * 3), attributes: attributes) }
        try store.flush(checkpoint: 1, receivedAt: day + 7_200_000)
        return (data, voltage)
    }

    @Test func queryPrintsExactlyTheStoredSamples() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-archive")
        defer { directory.remove() }
        let (data, voltage) = try Self.archive(in: directory)
        let result = try WattlineProcess.run(["query", "--data", data, "--charger", "CP-1", "--measurand", "Voltage",
                                              "--phase", "L2", "--from", "2026-11-21T00:30:00Z", "--to", "2026-11-21T01:30:00Z"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "time,site,charger,evse,connector,measurand,phase,location,value,flags")
        let expected = voltage.first { $0.key.phase == .l2 }!.value
            .filter { $0.0 >= Self.day + 1_800_000 && $0.0 < Self.day + 5_400_000 }
        #expect(lines.count - 1 == expected.count)
        for (line, sample) in zip(lines.dropFirst(), expected) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[0] == Timestamp.format(sample.0))
            #expect(fields[6] == "L2")
            #expect(Double(String(fields[8]))?.bitPattern == sample.1.bitPattern, "\(line)")
        }
    }

    @Test func queryFoldsClockAlignedSteps() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-archive")
        defer { directory.remove() }
        let (data, voltage) = try Self.archive(in: directory)
        let result = try WattlineProcess.run(["query", "--data", data, "--charger", "CP-1", "--measurand", "Voltage",
                                              "--phase", "L1", "--from", "2026-11-21", "--to", "2026-11-22",
                                              "--step", "15m", "--agg", "max", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let points = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let samples = voltage.first { $0.key.phase == .l1 }!.value
        #expect(points.count == 8)  // two hours in 15-minute steps
        for (index, point) in points.enumerated() {
            let start = Self.day + Int64(index) * 900_000
            let inStep = samples.filter { $0.0 >= start && $0.0 < start + 900_000 }
            #expect(point["time"] as? String == Timestamp.format(start))
            #expect(point["max"] as? Double == inStep.map(\.1).max())
            #expect(point["count"] as? Int == inStep.count)
        }
    }

    @Test func exportStreamsEverySampleOfASite() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-archive")
        defer { directory.remove() }
        let (data, voltage) = try Self.archive(in: directory)
        let jsonl = try WattlineProcess.run(["export", "--data", data, "--from", "2026-11-20", "--to", "2026-11-22",
                                             "--site", "depot", "--format", "jsonl"])
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let objects = try jsonl.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == voltage.values.reduce(0) { $0 + $1.count })
        #expect(objects.allSatisfy { $0["site"] as? String == "depot" && $0["measurand"] as? String == "Voltage" })
        let csv = try WattlineProcess.run(["export", "--data", data, "--from", "2026-11-20", "--to", "2026-11-22"])
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 1 + 1440 + 100)
        #expect(csv.stderr.contains("1540 samples"))
    }

    @Test func statsCountsAndVerifies() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-archive")
        defer { directory.remove() }
        let (data, _) = try Self.archive(in: directory)
        let result = try WattlineProcess.run(["stats", "--data", data, "--json", "--verify"])
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((stats["sealed_samples"] as? Int ?? 0) + (stats["head_samples"] as? Int ?? 0) == 1540)
        #expect(stats["series"] as? Int == 3)
        #expect(stats["sealed_files"] as? Int == 1)
        #expect(stats["corrupt_files"] as? Int == 0)

        // Damage the sealed file: stats --verify names it and fails.
        let layout = ChunkLayout(directory: data + "/chunks")
        let victim = try #require(layout.sealedFiles().first).path
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: victim)))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: victim))
        let damaged = try WattlineProcess.run(["stats", "--data", data, "--verify"])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains(victim) && damaged.stderr.contains("corrupt"), "\(damaged.stderr)")
    }
}
