/// Chimp (Liakos, Papakonstantinopoulou and Kotidis, VLDB 2022): Gorilla's XOR of consecutive values with codes
/// that suit real data better. Each value after the first (64 bits) is XORed with the previous one, then:
///
///     00                              XOR is 0 (same value)
///     01 lll ssssss <s bits>          many trailing zeros (> 6): leading-zero class, s significant bits, the
///                                     bits between leading and trailing zeros
///     10 <64 - L bits>                few trailing zeros, same leading-zero class L as the previous such value
///     11 lll <64 - L bits>            few trailing zeros, new leading-zero class L
///
/// Leading zeros are rounded down to one of 8 classes (0, 8, 12, 16, 18, 20, 22, 24), so 3 bits name them. Used
/// only as the fallback for blocks that are not decimal.
enum ChimpXOR {
    static let leadingClasses: [Int] = [0, 8, 12, 16, 18, 20, 22, 24]
    static let trailingThreshold = 6

    /// The class index (0 ... 7) of a leading-zero count.
    @inline(__always)
    static func leadingClass(_ zeros: Int) -> Int {
        switch zeros {
        case ..<8: 0
        case ..<12: 1
        case ..<16: 2
        case ..<18: 3
        case ..<20: 4
        case ..<22: 5
        case ..<24: 6
        default: 7
        }
    }

    static func encode(_ v: UnsafeBufferPointer<Double>) -> [UInt8] {
        var writer = BitWriter(capacity: v.count * 4)
        guard let firstValue = v.first else { return [] }
        writer.write(firstValue.bitPattern, 64)
        var previous = firstValue.bitPattern
        var storedClass = -1
        for index in 1..<v.count {
            let current = v[index].bitPattern
            let xor = current ^ previous
            previous = current
            if xor == 0 {
                writer.write(0b00, 2)
                storedClass = -1
                continue
            }
            let leadingIndex = leadingClass(xor.leadingZeroBitCount)
            let leading = leadingClasses[leadingIndex]
            let trailing = xor.trailingZeroBitCount
            if trailing > trailingThreshold {
                let significant = 64 - leading - trailing
                writer.write(0b01 | UInt64(leadingIndex) << 2 | UInt64(significant) << 5, 11)
                writer.write(xor &>> UInt64(trailing), significant)
                storedClass = -1
            } else if leadingIndex == storedClass {
                writer.write(0b10, 2)
                writer.write(xor, 64 - leading)
            } else {
                writer.write(0b11 | UInt64(leadingIndex) << 2, 5)
                writer.write(xor, 64 - leading)
                storedClass = leadingIndex
            }
        }
        return writer.finish()
    }

    static func decode(_ base: UnsafeRawPointer?, byteCount: Int, origin: Int, count n: Int,
                       into v: UnsafeMutablePointer<Double>) throws(BlockDecodingError) {
        var reader = BitReader(base, byteCount: byteCount, origin: origin)
        guard n > 0 else {
            guard byteCount == 0 else { throw BlockDecodingError(.lengthMismatch, at: origin) }
            return
        }
        var previous = try reader.read(64)
        v[0] = Double(bitPattern: previous)
        var storedLeading = -1
        for index in 1..<n {
            let flag = try reader.read(2)
            switch flag {
            case 0b00:
                storedLeading = -1
            case 0b01:
                let leading = leadingClasses[Int(try reader.read(3))]
                let significant = Int(try reader.read(6))
                guard significant > 0, leading + significant <= 64 else {
                    throw BlockDecodingError(.invalidField, at: origin + (reader.bit >> 3))
                }
                previous ^= try reader.read(significant) &<< UInt64(64 - leading - significant)
                storedLeading = -1
            case 0b10:
                guard storedLeading >= 0 else { throw BlockDecodingError(.invalidField, at: origin + (reader.bit >> 3)) }
                previous ^= try reader.read(64 - storedLeading)
            default:
                let leading = leadingClasses[Int(try reader.read(3))]
                previous ^= try reader.read(64 - leading)
                storedLeading = leading
            }
            v[index] = Double(bitPattern: previous)
        }
        // Only the last byte's padding may remain.
        guard reader.bitsLeft < 8 else { throw BlockDecodingError(.lengthMismatch, at: origin + (reader.bit >> 3)) }
    }
}
