/// Unsigned integers bit-packed at one width per column, with patched exceptions (PFOR, Zukowski et al. 2006).
///
/// Layout (for `m` integers, `m` known from the context):
///
///     u8      width w (0 ... 64)
///     varint  exception count k (≤ m; 0 when w = 64)
///     bytes   ceil(m × w / 8): the low w bits of every integer, little-endian bit order (LSB first)
///     k × (varint gap, varint high): position = previous position + 1 + gap (the first counts from -1);
///             the integer there is low | high << w, high ≠ 0 and high < 2^(64 - w)
///
/// The width is chosen per column to minimise packed bits plus exceptions, so one outlier (a gap in the
/// readings, a counter reset) costs a few bytes instead of widening every slot. Fixed-width slots decode without
/// a branch per value, which is what makes this faster than Gorilla's per-sample buckets.
enum PackedIntegers {
    /// The estimated cost of an exception beyond its high bits: a position gap of about a byte.
    static let exceptionOverheadBits = 10

    /// The width with the smallest estimated size for `values`, and that size in bits.
    static func chooseWidth(_ values: UnsafeBufferPointer<UInt64>) -> (width: Int, bits: Int) {
        let m = values.count
        if m == 0 { return (0, 16) }
        // Four interleaved counts by bit length (4 × 65), then the lengths that occur and their counts (64 each).
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 388) { scratch in
            let histogram = UnsafeMutableBufferPointer(rebasing: scratch[0..<260])
            let lengths = UnsafeMutableBufferPointer(rebasing: scratch[260..<324])
            let counts = UnsafeMutableBufferPointer(rebasing: scratch[324..<388])
            histogram.initialize(repeating: 0)
            // Counted four values a step, each into its own histogram: runs of values of one length (the rule) then
            // do not wait on one counter's store and reload. (With one histogram, `chooseWidth` was 14–18 % of the
            // CPU a live run spent sealing its chunks at shutdown, most of it in this loop.) The longest length is
            // the length of all the values ORed.
            let p = values.baseAddress!
            var any: UInt64 = 0
            var i = 0
            while i &+ 4 <= m {
                let a = p[i], b = p[i &+ 1], c = p[i &+ 2], d = p[i &+ 3]
                any |= a | b | c | d
                histogram[(64 &- a.leadingZeroBitCount) &* 4] &+= 1
                histogram[(64 &- b.leadingZeroBitCount) &* 4 &+ 1] &+= 1
                histogram[(64 &- c.leadingZeroBitCount) &* 4 &+ 2] &+= 1
                histogram[(64 &- d.leadingZeroBitCount) &* 4 &+ 3] &+= 1
                i &+= 4
            }
            while i < m {
                any |= p[i]
                histogram[(64 &- p[i].leadingZeroBitCount) &* 4] &+= 1
                i &+= 1
            }
            let maxLength = 64 &- any.leadingZeroBitCount
            // The lengths that occur, longest first, with their counts: a block has a handful, and each width below
            // is priced over those alone (not every length above each width: up to 64 × 64 steps). Length 0 (the
            // value 0) is never an exception.
            var present = 0
            var length = maxLength
            while length > 0 {
                let count = histogram[length &* 4] &+ histogram[length &* 4 &+ 1] &+ histogram[length &* 4 &+ 2]
                    &+ histogram[length &* 4 &+ 3]
                if count != 0 {
                    lengths[present] = length
                    counts[present] = count
                    present &+= 1
                }
                length &-= 1
            }
            var bestWidth = maxLength
            var bestBits = m * maxLength
            var width = maxLength - 1
            // Only widths near the top can win: each step down adds exceptions for every longer integer.
            while width >= 0 {
                var bits = m * width
                var k = 0
                while k < present {
                    let length = lengths[k]
                    guard length > width else { break }
                    bits += counts[k] * (exceptionOverheadBits + 8 * ((length - width + 6) / 7))
                    k &+= 1
                }
                if bits < bestBits {
                    bestBits = bits
                    bestWidth = width
                }
                width -= 1
            }
            return (bestWidth, bestBits + 16)
        }
    }

    /// Appends `values` packed at `width` with their exceptions.
    static func encode(_ values: UnsafeBufferPointer<UInt64>, width: Int, into output: inout [UInt8]) {
        let m = values.count
        output.append(UInt8(width))
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) &- 1
        var exceptions = 0
        if width < 64 {
            for value in values where value & ~mask != 0 { exceptions += 1 }
        }
        output.appendVarint(UInt64(exceptions))
        if width > 0 {
            let byteCount = (m * width + 7) / 8
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: byteCount + 8))
            output.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress! + start
                var accumulator: UInt64 = 0
                var bits = 0
                var offset = 0
                for value in values {
                    let low = value & mask
                    accumulator |= low &<< UInt64(bits)
                    bits += width
                    if bits >= 64 {
                        base.storeBytes(of: accumulator.littleEndian, toByteOffset: offset, as: UInt64.self)
                        offset += 8
                        bits -= 64
                        accumulator = bits == 0 ? 0 : low &>> UInt64(width - bits)
                    }
                }
                if bits > 0 {
                    base.storeBytes(of: accumulator.littleEndian, toByteOffset: offset, as: UInt64.self)
                }
            }
            output.removeLast(8)
        }
        if exceptions > 0 {
            var previous = -1
            for index in 0..<m where values[index] & ~mask != 0 {
                output.appendVarint(UInt64(index - previous - 1))
                output.appendVarint(values[index] &>> UInt64(width))
                previous = index
            }
        }
    }

    /// Reads `count` integers written by `encode` into `destination`, validating every field.
    static func decode(
        _ reader: inout BlockReader, count m: Int, into destination: UnsafeMutablePointer<UInt64>
    ) throws(BlockDecodingError) {
        let widthAt = reader.offset
        let width = Int(try reader.byte())
        guard width <= 64 else { throw BlockDecodingError(.invalidField, at: reader.origin + widthAt) }
        let exceptions = try reader.count(atMost: width == 64 ? 0 : m)
        let byteCount = (m * width + 7) / 8
        let packed = try reader.bytes(byteCount)
        if width == 0 {
            destination.update(repeating: 0, count: m)
        } else if let packed {
            unpack(packed, byteCount: byteCount, width: width, count: m, into: destination)
        }
        var position = -1
        for _ in 0..<exceptions {
            let at = reader.offset
            let gap = try reader.varint()
            guard gap < UInt64(m - position - 1) else { throw BlockDecodingError(.invalidField, at: reader.origin + at) }
            position += Int(gap) + 1
            let highAt = reader.offset
            let high = try reader.varint()
            guard high != 0, high >> UInt64(64 - width) == 0 else {
                throw BlockDecodingError(.invalidField, at: reader.origin + highAt)
            }
            destination[position] |= high &<< UInt64(width)
        }
    }

    /// Unpacks `count` integers of `width` (1 ... 64) bits from exactly `byteCount` bytes.
    @inline(__always)
    static func unpack(
        _ source: UnsafeRawPointer, byteCount: Int, width: Int, count: Int, into destination: UnsafeMutablePointer<UInt64>
    ) {
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) &- 1
        var index = 0
        if width <= 56 && byteCount >= 8 {
            // Every integer whose 8-byte load stays inside the packed bytes: one unaligned load, a shift, a mask.
            let fast = min(count, (8 * (byteCount - 8) + 7) / width + 1)
            while index < fast {
                let bit = index &* width
                let word = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
                destination[index] = (word &>> UInt64(bit & 7)) & mask
                index &+= 1
            }
        }
        while index < count {
            destination[index] = readBits(source, bitOffset: index &* width, width: width) & mask
            index &+= 1
        }
    }

    /// The `width` bits at `bitOffset`, a byte at a time (the tail, and widths over 56).
    @inline(__always)
    static func readBits(_ source: UnsafeRawPointer, bitOffset: Int, width: Int) -> UInt64 {
        var byteIndex = bitOffset >> 3
        let shift = bitOffset & 7
        var result = UInt64(source.load(fromByteOffset: byteIndex, as: UInt8.self)) &>> UInt64(shift)
        var have = 8 - shift
        while have < width {
            byteIndex += 1
            result |= UInt64(source.load(fromByteOffset: byteIndex, as: UInt8.self)) &<< UInt64(have)
            have += 8
        }
        return result
    }
}
