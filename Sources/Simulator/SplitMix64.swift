/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit mixer used only to seed `SimulationRandom`.
///
/// Its output is well spread even from seeds such as 0, 1, 2, which is what seeding xoshiro needs. Not for drawing
/// simulation values itself: use `SimulationRandom`.
struct SplitMix64: Sendable {
    /// The golden-ratio increment the algorithm adds on each step.
    static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// The finaliser on its own: a bijective scramble of one word.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
