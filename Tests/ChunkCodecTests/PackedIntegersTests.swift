import Testing
@testable import ChunkCodec

/// `PackedIntegers.chooseWidth` picks the same width at the same estimated size as pricing every width over every
/// bit length (the plain form of the estimate, kept here as the reference): the encoded bytes cannot change.
@Suite struct PackedIntegersTests {
    static func reference(_ values: [UInt64]) -> (width: Int, bits: Int) {
        let m = values.count
        if m == 0 { return (0, 16) }
        var histogram = [Int](repeating: 0, count: 65)
        for value in values { histogram[64 - value.leadingZeroBitCount] += 1 }
        let maxLength = histogram.lastIndex { $0 != 0 }!
        var best = (width: maxLength, bits: m * maxLength)
        for width in stride(from: maxLength - 1, through: 0, by: -1) {
            var bits = m * width
            for length in (width + 1)...maxLength where histogram[length] != 0 {
                bits += histogram[length] * (PackedIntegers.exceptionOverheadBits + 8 * ((length - width + 6) / 7))
            }
            if bits < best.bits { best = (width, bits) }
        }
        return (best.width, best.bits + 16)
    }

    @Test(arguments: 0..<200) func theChoiceMatchesPricingEveryLength(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let count = random.int(0...2_048)
        // Mostly short integers with a few long ones (what delta and frame transforms leave), sometimes any 64 bits.
        let typical = random.int(0...20), outlier = random.int(typical...64), share = random.uniform() * 0.2
        let values: [UInt64] = (0..<count).map { _ in
            let bits = random.chance(share) ? outlier : typical
            return bits == 0 ? 0 : random.next() >> UInt64(64 - bits)
        }
        let chosen = values.withUnsafeBufferPointer { PackedIntegers.chooseWidth($0) }
        let expected = Self.reference(values)
        #expect(chosen.width == expected.width && chosen.bits == expected.bits, "seed \(seed), \(count) values")
    }
}
