/// Deterministic test data: a SplitMix64 generator, so failures reproduce.
struct TestBytes {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` bytes of noise (incompressible).
    mutating func random(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            var word = next()
            for _ in 0..<min(8, count - bytes.count) {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }

    /// Text that repeats a lot, like telemetry: compresses well.
    static func telemetryText(lines: Int) -> [UInt8] {
        var text = ""
        for i in 0..<lines {
            text += #"{"topic":"ocpp/CP-\#(i % 7)/in","power_w":\#(7000 + i % 13),"seq":\#(i)}"# + "\n"
        }
        return Array(text.utf8)
    }
}
