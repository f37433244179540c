/// A bit writer for variable-length codes (the XOR fallback, and the Gorilla baseline in the benchmark): fields are
/// appended least significant bit first, each field's value in its low bits.
package struct BitWriter {
    package private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var pending = 0

    package init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends the low `width` (0 ... 64) bits of `value`; the bits above `width` must be 0.
    @inline(__always)
    package mutating func write(_ value: UInt64, _ width: Int) {
        guard width > 0 else { return }
        accumulator |= value &<< UInt64(pending)
        let total = pending + width
        if total >= 64 {
            bytes.appendLittleEndian(accumulator)
            accumulator = pending == 0 ? 0 : value &>> UInt64(64 - pending)
            pending = total - 64
        } else {
            pending = total
        }
    }

    package var bitCount: Int { bytes.count * 8 + pending }

    /// The bytes written, the last one padded with zero bits.
    package mutating func finish() -> [UInt8] {
        var rest = accumulator
        var left = pending
        while left > 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
            left -= 8
        }
        accumulator = 0
        pending = 0
        return bytes
    }
}

/// Reads what `BitWriter` wrote, throwing when a field would run past the end.
struct BitReader {
    let base: UnsafeRawPointer?
    let byteCount: Int
    let origin: Int
    private(set) var bit = 0

    init(_ base: UnsafeRawPointer?, byteCount: Int, origin: Int) {
        self.base = base
        self.byteCount = byteCount
        self.origin = origin
    }

    var bitsLeft: Int { byteCount * 8 - bit }

    @inline(__always)
    mutating func read(_ width: Int) throws(BlockDecodingError) -> UInt64 {
        guard width > 0 else { return 0 }
        guard width <= bitsLeft, let base else { throw BlockDecodingError(.truncated, at: origin + (bit >> 3)) }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) &- 1
        let value: UInt64
        if width <= 56 && (bit >> 3) + 8 <= byteCount {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
            value = (word &>> UInt64(bit & 7)) & mask
        } else {
            value = PackedIntegers.readBits(base, bitOffset: bit, width: width) & mask
        }
        bit += width
        return value
    }
}
