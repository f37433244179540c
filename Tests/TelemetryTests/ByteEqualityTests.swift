import Telemetry
import Testing

@Suite struct ByteEqualityTests {
    /// Equal buffers of every length up to 24 compare equal; one byte changed at any position (inside a word or in
    /// the tail), or a length off by one, does not.
    @Test func everyPositionAndLength() {
        for length in 0...24 {
            let a = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            a.withUnsafeBufferPointer { x in
                let same = a
                same.withUnsafeBufferPointer { y in #expect(memcmpEqual(x, y), "length \(length)") }
                for position in 0..<length {
                    var other = a
                    other[position] ^= 0x80
                    other.withUnsafeBufferPointer { y in
                        #expect(!memcmpEqual(x, y), "byte \(position) of \(length)")
                    }
                }
                let longer = a + [0]
                longer.withUnsafeBufferPointer { y in #expect(!memcmpEqual(x, y), "length \(length) + 1") }
            }
        }
    }
}
