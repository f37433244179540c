import ChunkCodec
import Foundation
import Simulator
import Zstd

/// The chunk codec on the documented meter noise model (`MeterNoiseModel`): encode and decode speed on one core,
/// bytes per sample codec-only and with zstd over ~64 KiB groups of blocks, per measurand and overall, beside the
/// raw JSON Lines of the same samples, `zstd -19` of that JSON, and plain Gorilla (VLDB 2015) on the same blocks.
enum CodecBenchmark {
    struct Encoded {
        var measurand: String
        var samples: Int
        var blocks: [[UInt8]]
        var gorillaBytes: Int
    }

    static func measurandName(_ measurand: String) -> String {
        switch measurand {
        case "Current.Import": "Current"
        case "Power.Active.Import": "Power"
        case "Energy.Active.Import.Register": "Energy"
        default: measurand
        }
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Columns of one block, ready for the codec.
    struct Columns {
        var timestamps: [Int64]
        var values: [Double]
        var attributes: [UInt32]
    }

    static func blocks(of series: [MeterNoiseModel.Series], blockSize: Int) -> [(measurand: String, columns: Columns)] {
        var out: [(String, Columns)] = []
        for one in series {
            let values = one.values
            var start = 0
            while start < one.timestamps.count {
                let end = min(start + blockSize, one.timestamps.count)
                out.append((measurandName(one.measurand), Columns(timestamps: Array(one.timestamps[start..<end]),
                                                                   values: Array(values[start..<end]),
                                                                   attributes: Array(repeating: UInt32(one.decimals), count: end - start))))
                start = end
            }
        }
        return out
    }

    /// Samples per second encoding and decoding every block, best of `rounds` interleaved rounds.
    static func throughput(_ blocks: [Columns], rounds: Int = 5) -> (encode: Double, decode: Double) {
        let samples = blocks.reduce(0) { $0 + $1.timestamps.count }
        let encoded = blocks.map { BlockEncoder.encode(timestamps: $0.timestamps, values: $0.values, attributes: $0.attributes) }
        var t: [Int64] = []
        var v: [Double] = []
        var a: [UInt32] = []
        t.reserveCapacity(BlockFormat.maximumSampleCount)
        v.reserveCapacity(BlockFormat.maximumSampleCount)
        a.reserveCapacity(BlockFormat.maximumSampleCount)
        var bestEncode = Double.infinity
        var bestDecode = Double.infinity
        var output: [UInt8] = []
        output.reserveCapacity(1 << 20)
        for _ in 0..<rounds {
            bestEncode = min(bestEncode, seconds {
                for block in blocks {
                    output.removeAll(keepingCapacity: true)
                    BlockEncoder.encode(timestamps: block.timestamps, values: block.values, attributes: block.attributes, into: &output)
                }
            })
            var checksum: UInt64 = 0
            bestDecode = min(bestDecode, seconds {
                for bytes in encoded {
                    t.removeAll(keepingCapacity: true)
                    v.removeAll(keepingCapacity: true)
                    a.removeAll(keepingCapacity: true)
                    bytes.withUnsafeBytes { raw in
                        try! BlockDecoder.decode(raw, timestamps: &t, values: &v, attributes: &a)
                    }
                    checksum &+= UInt64(bitPattern: t[t.count - 1]) &+ v[v.count - 1].bitPattern
                }
            })
            precondition(checksum != 0)
        }
        return (Double(samples) / bestEncode, Double(samples) / bestDecode)
    }

    /// zstd at `level` over the blocks concatenated (each behind a u16... u32 length prefix) in groups of ~64 KiB.
    static func zstdBytes(_ blocks: [[UInt8]], level: Int32) -> Int {
        var total = 0
        var group: [UInt8] = []
        func flush() {
            guard !group.isEmpty else { return }
            total += try! Zstd.compress(group, level: level).count
            group.removeAll(keepingCapacity: true)
        }
        for block in blocks {
            var length = UInt32(block.count).littleEndian
            withUnsafeBytes(of: &length) { group.append(contentsOf: $0) }
            group += block
            if group.count >= 64 * 1024 { flush() }
        }
        flush()
        return total
    }

    static func run(chargers: Int = 10, hours: Int = 6, blockSize: Int = 2048) {
        let model = MeterNoiseModel(seed: 2026, chargers: chargers, durationMs: Int64(hours) * 3_600_000)
        let series = model.generate()
        let all = blocks(of: series, blockSize: blockSize)
        let samples = all.reduce(0) { $0 + $1.columns.timestamps.count }
        print()
        print("## Chunk codec: \(chargers) chargers × \(hours) h of the meter noise model, \(series.count) series, "
              + "\(samples) samples, blocks of ≤ \(blockSize) (one core)")

        // Speed.
        let speed = throughput(all.map(\.columns))
        var random = SplitMixBench(seed: 1)
        let randomBlocks = (0..<100).map { b in
            Columns(timestamps: (0..<blockSize).map { Int64(1_795_000_000_000 + (b * blockSize + $0) * 1000) },
                    values: (0..<blockSize).map { _ in Double(bitPattern: random.next()) },
                    attributes: Array(repeating: 0, count: blockSize))
        }
        let randomSpeed = throughput(randomBlocks)
        let speedWidths = [-40, 12, 12]
        print(row(["data", "encode M/s", "decode M/s"], widths: speedWidths))
        print(row(["meter noise model", fmt(speed.encode / 1e6, 1), fmt(speed.decode / 1e6, 1)], widths: speedWidths))
        print(row(["random 64-bit patterns (raw fallback)", fmt(randomSpeed.encode / 1e6, 1), fmt(randomSpeed.decode / 1e6, 1)],
                  widths: speedWidths))
        print("target: encode ≥ 20 M samples/s, decode ≥ 50 M samples/s")

        // Size, per measurand and overall.
        print()
        let widths = [-10, 9, 8, 8, 8, 8, 8, 9, 9]
        print(row(["measurand", "samples", "codec", "+zstd3", "+zstd19", "Gorilla", "+zstd3", "JSON", "JSON z19"], widths: widths))
        var names: [String] = []
        for entry in all where !names.contains(entry.measurand) { names.append(entry.measurand) }
        var totals = (codec: 0, z3: 0, z19: 0, gorilla: 0, gorillaZ3: 0)
        var allEncoded: [[UInt8]] = []
        var allGorilla: [[UInt8]] = []
        for name in names + ["all"] {
            let chosen = name == "all" ? all : all.filter { $0.measurand == name }
            let count = chosen.reduce(0) { $0 + $1.columns.timestamps.count }
            let encoded: [[UInt8]]
            let gorilla: [[UInt8]]
            if name == "all" {
                encoded = allEncoded
                gorilla = allGorilla
            } else {
                encoded = chosen.map { BlockEncoder.encode(timestamps: $0.columns.timestamps, values: $0.columns.values,
                                                           attributes: $0.columns.attributes) }
                gorilla = chosen.map { GorillaBaseline.encode(timestamps: $0.columns.timestamps, values: $0.columns.values) }
                allEncoded += encoded
                allGorilla += gorilla
            }
            let codec = encoded.reduce(0) { $0 + $1.count + 4 }
            let z3 = zstdBytes(encoded, level: 3)
            let z19 = zstdBytes(encoded, level: 19)
            let gorillaBytes = gorilla.reduce(0) { $0 + $1.count + 4 }
            let gorillaZ3 = zstdBytes(gorilla, level: 3)
            let jsonSeries = name == "all" ? series : series.filter { measurandName($0.measurand) == name }
            let json = MeterNoiseModel.jsonLines(jsonSeries)
            let jsonZ19 = try! Zstd.compress(json, level: 19).count
            let per = { (bytes: Int) in fmt(Double(bytes) / Double(count), 3) }
            print(row([name, "\(count)", per(codec), per(z3), per(z19), per(gorillaBytes), per(gorillaZ3), per(json.count), per(jsonZ19)],
                      widths: widths))
            if name == "all" {
                totals = (codec, z3, z19, gorillaBytes, gorillaZ3)
                print("bytes/sample; blocks counted with a 4-byte length prefix, zstd over ~64 KiB groups of blocks")
                print("codec+zstd19 vs JSON zstd -19: \(fmt(Double(jsonZ19) / Double(z19), 1))× smaller "
                      + "(\(fmt(Double(z19) / Double(jsonZ19) * 100, 1)) % of it); codec vs Gorilla: "
                      + "\(fmt(Double(gorillaBytes) / Double(codec), 1))× smaller")
            }
        }
        _ = totals
        print("target: ≤ 0.6 byte/sample with zstd, ≤ ¼ of zstd -19 of the JSON Lines")
    }
}

/// SplitMix64 for the benchmark's random patterns.
struct SplitMixBench {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Plain Gorilla (Pelkonen et al., VLDB 2015) as the paper describes it, for size only: timestamps as a 64-bit
/// first value then delta-of-delta in the buckets 0 / 7 / 9 / 12 / 32 bits (64 for larger), values as the XOR with
/// the previous value, reusing the previous leading/trailing-zero window when the new bits fit in it.
enum GorillaBaseline {
    static func encode(timestamps: [Int64], values: [Double]) -> [UInt8] {
        var writer = BitWriter(capacity: timestamps.count * 3)
        guard let first = timestamps.first else { return [] }
        writer.write(UInt64(bitPattern: first), 64)
        var previousDelta: Int64 = 0
        for i in 1..<timestamps.count {
            let delta = timestamps[i] &- timestamps[i - 1]
            let dod = delta &- previousDelta
            previousDelta = delta
            switch dod {
            case 0: writer.write(0b0, 1)
            case -63...64: writer.write(0b01, 2); writer.write(UInt64(bitPattern: dod) & 0x7F, 7)
            case -255...256: writer.write(0b011, 3); writer.write(UInt64(bitPattern: dod) & 0x1FF, 9)
            case -2047...2048: writer.write(0b0111, 4); writer.write(UInt64(bitPattern: dod) & 0xFFF, 12)
            case Int64(Int32.min)...Int64(Int32.max): writer.write(0b1111, 4); writer.write(0, 1); writer.write(UInt64(bitPattern: dod) & 0xFFFF_FFFF, 32)
            default: writer.write(0b1111, 4); writer.write(1, 1); writer.write(UInt64(bitPattern: dod), 64)
            }
        }
        var previous = values[0].bitPattern
        writer.write(previous, 64)
        var leading = -1
        var trailing = 0
        for i in 1..<values.count {
            let current = values[i].bitPattern
            let xor = current ^ previous
            previous = current
            if xor == 0 {
                writer.write(0, 1)
                continue
            }
            let lz = min(xor.leadingZeroBitCount, 31)
            let tz = xor.trailingZeroBitCount
            if leading >= 0 && lz >= leading && tz >= trailing {
                writer.write(0b01, 2)
                writer.write(xor >> UInt64(trailing), 64 - leading - trailing)
            } else {
                leading = lz
                trailing = tz
                let significant = 64 - lz - tz
                writer.write(0b11, 2)
                writer.write(UInt64(lz), 5)
                writer.write(UInt64(significant & 63), 6)
                writer.write(xor >> UInt64(tz), significant)
            }
        }
        return writer.finish()
    }
}
