@testable import ChunkCodec

/// SplitMix64: a seeded generator so every failure reproduces from its seed.
struct SeededRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(span.multipliedFullWidth(by: next()).high)
    }

    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func chance(_ p: Double) -> Bool { uniform() < p }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
}

struct Block: Equatable {
    var timestamps: [Int64]
    var values: [Double]
    var attributes: [UInt32]

    /// Values compared by bit pattern: NaN payloads and -0.0 count.
    static func == (a: Block, b: Block) -> Bool {
        a.timestamps == b.timestamps && a.attributes == b.attributes
            && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }

    func encoded() -> [UInt8] {
        BlockEncoder.encode(timestamps: timestamps, values: values, attributes: attributes)
    }
}

func decodeBlock(_ bytes: [UInt8]) throws(BlockDecodingError) -> Block {
    let decoded = try BlockDecoder.decode(bytes)
    return Block(timestamps: decoded.timestamps, values: decoded.values, attributes: decoded.attributes)
}

/// Values no decimal encoding takes: every one must come back from the exceptions or the XOR fallback.
let awkwardValues: [Double] = [
    .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFF8_DEAD_BEEF_0001),
    Double(bitPattern: 0x7FF4_0000_0000_0000), .infinity, -.infinity, -0.0, 0.0, 0.1 + 0.2, .leastNonzeroMagnitude,
    -.leastNonzeroMagnitude, .leastNormalMagnitude, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), .greatestFiniteMagnitude,
    -.greatestFiniteMagnitude, .pi, 1e300, -1e-300, 0x1p51, -0x1p51, 0x1p53 + 2, 0x1p60, 1.0 / 3.0,
]

let awkwardTimestamps: [Int64] = [.min, .max, 0, -1, 1, .min + 1, .max - 1, 1_795_000_000_000, -1_795_000_000_000]

enum SeriesShape: CaseIterable {
    case voltage, current, register, power, constant, idleThenCharging, randomBits, awkward, mixedDecimal, zeros
}

enum TimeShape: CaseIterable {
    case regular, jitter, randomWalk, equal, decreasing, extremes, randomBits, gap
}

func makeTimestamps(_ shape: TimeShape, count: Int, random: inout SeededRandom) -> [Int64] {
    var t = Int64(1_795_000_000_000) + Int64(random.int(0...1_000_000))
    let interval = Int64(random.int(1...10)) * 1000
    var out: [Int64] = []
    out.reserveCapacity(count)
    for i in 0..<count {
        switch shape {
        case .regular: out.append(t + Int64(i) * interval)
        case .jitter: out.append(t + Int64(i) * interval + Int64(random.int(0...12)))
        case .randomWalk:
            t += interval + Int64(random.int(-20...20))
            out.append(t)
        case .equal: out.append(t)
        case .decreasing: out.append(t - Int64(i) * interval)
        case .extremes: out.append(random.pick(awkwardTimestamps))
        case .randomBits: out.append(Int64(bitPattern: random.next()))
        case .gap:
            if random.chance(0.02) { t += Int64(random.int(1...100_000_000)) }
            t += interval
            out.append(t)
        }
    }
    return out
}

func makeValues(_ shape: SeriesShape, count: Int, random: inout SeededRandom) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(count)
    var register = Double(random.int(1_000_000...50_000_000))
    for i in 0..<count {
        switch shape {
        case .voltage: out.append(Double(2300 + random.int(-28...28)) / 10)
        case .current: out.append(Double(1600 + random.int(-3...3)) / 100)
        case .register:
            register += Double(random.int(0...45))
            out.append(register)
        case .power: out.append(Double(7300 + random.int(-80...80)))
        case .constant: out.append(42.5)
        case .idleThenCharging: out.append(i < count / 2 ? 0 : Double(random.int(1000...1100)) / 100)
        case .randomBits: out.append(Double(bitPattern: random.next()))
        case .awkward: out.append(random.pick(awkwardValues))
        case .mixedDecimal:
            out.append(random.chance(0.05) ? random.pick(awkwardValues) : Double(random.int(-99_999...99_999)) / 1000)
        case .zeros: out.append(0)
        }
    }
    return out
}

func makeAttributes(count: Int, random: inout SeededRandom) -> [UInt32] {
    let constant = random.chance(0.6)
    let base = UInt32(truncatingIfNeeded: random.next())
    return (0..<count).map { _ in
        constant ? base : (random.chance(0.9) ? base : UInt32(truncatingIfNeeded: random.next()))
    }
}
