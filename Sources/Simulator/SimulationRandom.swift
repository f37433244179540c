import Foundation

/// The simulator's only source of chance: xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
///
/// The same seed and stream give the same numbers on every platform and toolchain, which neither the system generator
/// nor the standard library's `random(in:using:)` helpers promise, so every draw here is spelt out. Each charger and
/// connector draws from its own stream (`init(seed:stream:)`): what one connector does never shifts another's numbers.
struct SimulationRandom: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator for one stream of the simulation: the labels name it (charger index, connector index, purpose).
    init(seed: UInt64, stream labels: UInt64...) {
        var key = SplitMix64.mix(seed)
        for label in labels {
            key = SplitMix64.mix(key ^ SplitMix64.mix(label &+ SplitMix64.increment))
        }
        var seeder = SplitMix64(seed: key)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// A generator in a given state (for known-answer tests); the state must not be all zero.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Uniform in [0, 1), from the top 53 bits.
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + uniform() * (range.upperBound - range.lowerBound)
    }

    /// Uniform in `range` (the multiply-high method; its bias, under 2^-40 for our ranges, does not matter here).
    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(span.multipliedFullWidth(by: next()).high)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        uniform() < p
    }

    /// Exponentially distributed with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - uniform())
    }

    /// Approximately standard normal (the sum of four uniforms, rescaled): bounded at ±3.46, which suits meter noise.
    mutating func normal() -> Double {
        (uniform() + uniform() + uniform() + uniform() - 2) * 3.0.squareRoot()
    }

    /// An index drawn with the given relative weights.
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var point = uniform() * total
        for (index, weight) in weights.enumerated() {
            if point < weight { return index }
            point -= weight
        }
        return weights.count - 1
    }

    /// `count` hexadecimal digits, upper case.
    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var word = next()
        for index in 0..<count {
            if index > 0 && index % 16 == 0 { word = next() }
            bytes.append(digits[Int(word & 0xF)])
            word >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A random (version 4) UUID in its 36-character text form, lower case.
    mutating func uuid() -> String {
        let digits = Array("0123456789abcdef".utf8)
        let high = next()
        let low = next()
        var nibbles: [UInt8] = []
        for shift in stride(from: 60, through: 0, by: -4) { nibbles.append(UInt8((high >> UInt64(shift)) & 0xF)) }
        for shift in stride(from: 60, through: 0, by: -4) { nibbles.append(UInt8((low >> UInt64(shift)) & 0xF)) }
        nibbles[12] = 4  // version 4
        nibbles[16] = 0x8 | (nibbles[16] & 0x3)  // RFC 4122 variant
        var text: [UInt8] = []
        for (index, nibble) in nibbles.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(nibble)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
