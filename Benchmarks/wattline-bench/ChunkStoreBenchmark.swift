import ChunkStore
import Foundation
import Simulator
import Telemetry
import Zstd

/// Sealed chunk files on disk, counted whole (header, frames, index, trailer), for the meter noise model; beside the
/// same samples as raw JSON Lines and as `zstd -19` of them, in the same run. Also the store's append and the
/// archive's read rate.
enum ChunkStoreBenchmark {
    static func telemetrySeries(_ series: MeterNoiseModel.Series) -> Series {
        Series(site: "bench", charger: series.charger, evse: series.connector, connector: series.connector,
               measurand: Measurand(rawValue: series.measurand) ?? .voltage, phase: series.phase.flatMap(Phase.init(rawValue:)))
    }

    /// Appends every sample in time order (as the runtime would), flushing every 10 s of data time, then seals
    /// everything. Returns the sealed bytes, the samples, the append rate (appends alone), the mean head flush and
    /// seal time, and the archive's read rate.
    static func store(_ series: [MeterNoiseModel.Series], in directory: String)
        throws -> (bytes: Int, samples: Int, appendPerSecond: Double, flushMs: Double, readPerSecond: Double) {
        let store = try ChunkStore(directory: directory, options: ChunkStoreOptions(sealDelay: 0))
        let keys = series.map(telemetrySeries)
        let values = series.map(\.values)
        // Merge all series by timestamp.
        var order: [(Int64, Int32, Int32)] = []
        for (s, item) in series.enumerated() {
            for (i, t) in item.timestamps.enumerated() { order.append((t, Int32(s), Int32(i))) }
        }
        order.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        let attributes = StoredAttributes(flags: 0, context: .samplePeriodic, decimals: 1)
        var lastFlush = order.first?.0 ?? 0
        var lsn: UInt64 = 0
        var appending = 0.0
        var flushing = 0.0
        var flushes = 0
        var mark = Date()
        for (t, s, i) in order {
            _ = store.append(keys[Int(s)], timestamp: t, value: values[Int(s)][Int(i)], attributes: attributes)
            if t - lastFlush >= 10_000 {
                let now = Date()
                appending += now.timeIntervalSince(mark)
                lsn += 1
                try store.flush(checkpoint: lsn, receivedAt: t)
                lastFlush = t
                mark = Date()
                flushing += mark.timeIntervalSince(now)
                flushes += 1
            }
        }
        appending += Date().timeIntervalSince(mark)
        try store.flush(checkpoint: lsn + 1, receivedAt: (order.last?.0 ?? 0) + 4 * 3_600_000)
        let appendRate = Double(order.count) / appending
        let files = store.layout.sealedFiles()
        let bytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
        let readStarted = Date()
        let archive = ChunkArchive(directory: directory)
        let read = archive.samples(from: .min, to: .max) { _ in true }.reduce(0) { $0 + $1.samples.count }
        let readRate = Double(read) / Date().timeIntervalSince(readStarted)
        precondition(read == order.count, "the archive returned \(read) of \(order.count) samples")
        return (bytes, order.count, appendRate, flushing / Double(max(1, flushes)) * 1000, readRate)
    }

    static func run(chargers: Int = 20, hours: Int = 6) {
        let model = MeterNoiseModel(seed: 2026, chargers: chargers, durationMs: Int64(hours) * 3_600_000)
        let series = model.generate()
        let root = NSTemporaryDirectory() + "wattline-chunk-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        print()
        print("## Chunk files on disk: \(chargers) chargers × \(hours) h of the meter noise model, \(series.count) series "
              + "(sealed files counted whole)")
        let widths = [-30, 10, 11, 11, 12, 10]
        print(row(["measurand", "samples", "chunk B/s", "JSON B/s", "JSON z19 B/s", "vs z19"], widths: widths))
        var names: [String] = []
        for item in series where !names.contains(item.measurand) { names.append(item.measurand) }
        for name in names + ["all series together"] {
            let chosen = name == "all series together" ? series : series.filter { $0.measurand == name }
            do {
                let result = try store(chosen, in: root + "/" + String(name.hashValue.magnitude))
                let json = MeterNoiseModel.jsonLines(chosen)
                let z19 = try Zstd.compress(json, level: 19).count
                let per = { (bytes: Int) in fmt(Double(bytes) / Double(result.samples), 3) }
                print(row([name, "\(result.samples)", per(result.bytes), per(json.count), per(z19),
                           fmt(Double(result.bytes) / Double(z19) * 100, 1) + " %"], widths: widths))
                if name == "all series together" {
                    print("append \(fmt(result.appendPerSecond / 1e6, 2)) M samples/s (\(fmt(1e9 / result.appendPerSecond)) ns each); "
                          + "a head flush every 10 s of data: \(fmt(result.flushMs, 2)) ms on average (fsync included, sealing amortized); "
                          + "archive read \(fmt(result.readPerSecond / 1e6, 2)) M samples/s")
                }
            } catch {
                print("\(name): \(error)")
            }
        }
        print("target: ≤ 0.6 byte/sample over all series together, and ≤ 25 % of zstd -19 of the raw JSON Lines")
    }
}
