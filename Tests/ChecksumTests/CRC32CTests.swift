import Foundation
import Testing
import Checksum

@Suite struct CRC32CTests {
    /// Check values from RFC 3720 (iSCSI), appendix B.4, and the usual "123456789".
    @Test(arguments: [
        ("123456789", Array("123456789".utf8), UInt32(0xE306_9283)),
        ("32 zero bytes", [UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ("32 0xFF bytes", [UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
        ("0...31 ascending", (0..<32).map { UInt8($0) }, UInt32(0x46DD_794E)),
        ("31...0 descending", (0..<32).reversed().map { UInt8($0) }, UInt32(0x113F_DB5C)),
        ("empty", [], UInt32(0)),
    ])
    func knownValues(name: String, bytes: [UInt8], expected: UInt32) {
        #expect(bytes.withUnsafeBytes { CRC32C.checksum($0) } == expected, "\(name)")
    }

    /// Slicing-by-8 against the bit-at-a-time definition, at every length 0...100 and every start alignment 0...7,
    /// and chained updates against a single pass.
    @Test func matchesBitwiseDefinition() {
        // Deterministic pseudo-random bytes (SplitMix64), so failures repeat.
        var state: UInt64 = 7
        let data = (0..<128).map { _ -> UInt8 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
        for start in 0..<8 {
            for length in 0...100 {
                let slice = Array(data[start..<(start + length)])
                let fast = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
                #expect(fast == bitwise(slice), "start \(start) length \(length)")
                let software = data.withUnsafeBytes {
                    CRC32C.softwareUpdate(0, UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)]))
                }
                #expect(software == fast, "start \(start) length \(length)")
                let split = length / 3
                let chained = slice.withUnsafeBytes { bytes in
                    CRC32C.update(
                        CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<split])),
                        UnsafeRawBufferPointer(rebasing: bytes[split...]))
                }
                #expect(chained == fast)
            }
        }
    }

    /// `update` (the CPU's instruction where it has one: x86-64 with SSE4.2) agrees with the Swift code over a log
    /// record's worth of bytes at a time, chained, for a megabyte.
    @Test func theInstructionAgreesWithTheSwiftCode() {
        print("CRC-32C: \(CRC32C.usesHardware ? "the CPU's crc32 instruction" : "Swift slicing-by-8 (no SSE4.2)")")
        var state: UInt64 = 11
        let data = (0..<(1 << 20)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        var hardware: UInt32 = 0, software: UInt32 = 0
        data.withUnsafeBytes { bytes in
            var offset = 0, length = 1
            while offset < bytes.count {
                let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(offset + length, bytes.count)])
                hardware = CRC32C.update(hardware, piece)
                software = CRC32C.softwareUpdate(software, piece)
                offset += piece.count
                length = length % 997 + 13
            }
        }
        #expect(hardware == software)
        #expect(hardware != 0)
    }

    /// Prints the checksum speed. Debug builds are several times slower than release ones (~2 GB/s there).
    @Test func throughput() {
        let bytes = [UInt8](repeating: 0x5A, count: 1 << 20)
        let rounds = 64
        var crc: UInt32 = 0
        let elapsed = ContinuousClock().measure {
            for _ in 0..<rounds { crc = bytes.withUnsafeBytes { CRC32C.update(crc, $0) } }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("CRC-32C: \(Int(Double(rounds) / seconds)) MiB/s (checksum \(String(crc, radix: 16)))")
        #expect(crc != 0)
    }

    private func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
