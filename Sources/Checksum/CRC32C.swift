import CCRC32C

/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), the checksum of
/// every write-ahead log record, segment header, chunk file block and head-file record.
///
/// The SSE4.2 `crc32` instruction where the CPU has it (through the `CCRC32C` target: Swift cannot emit it), else
/// slicing-by-8 in plain Swift (about 2 GB/s in a release build on this machine's class of CPU).
/// `checksum("123456789") == 0xE3069283`.
public enum CRC32C {
    /// Whether `update` uses the CPU's instruction (decided once, at first use).
    public static let usesHardware = wattline_crc32c_hardware_available() != 0
    /// The checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// Continues `crc` (the finished checksum of earlier bytes, 0 for none) over `bytes`:
    /// `update(checksum(a), b) == checksum(a + b)`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        if usesHardware {
            return ~wattline_crc32c_hardware_update(~crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        return softwareUpdate(crc, bytes)
    }

    /// `update` in plain Swift, whatever the CPU has (public for the tests that hold the two paths to each other).
    public static func softwareUpdate(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var pointer = bytes.baseAddress, !bytes.isEmpty else { return crc }
        var remaining = bytes.count
        var c = ~crc
        return table.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            // Eight bytes per step: each byte of the word indexes its own 256-entry table (row k folds a byte that
            // still has k bytes to travel), so the eight lookups are independent and the CPU overlaps them.
            while remaining >= 8 {
                let word = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)) ^ UInt64(c)
                c = t[1792 &+ Int(truncatingIfNeeded: word & 0xFF)]
                    ^ t[1536 &+ Int(truncatingIfNeeded: (word &>> 8) & 0xFF)]
                    ^ t[1280 &+ Int(truncatingIfNeeded: (word &>> 16) & 0xFF)]
                    ^ t[1024 &+ Int(truncatingIfNeeded: (word &>> 24) & 0xFF)]
                    ^ t[768 &+ Int(truncatingIfNeeded: (word &>> 32) & 0xFF)]
                    ^ t[512 &+ Int(truncatingIfNeeded: (word &>> 40) & 0xFF)]
                    ^ t[256 &+ Int(truncatingIfNeeded: (word &>> 48) & 0xFF)]
                    ^ t[Int(truncatingIfNeeded: word &>> 56)]
                pointer += 8
                remaining &-= 8
            }
            while remaining > 0 {
                c = t[Int(truncatingIfNeeded: (c ^ UInt32(pointer.load(as: UInt8.self))) & 0xFF)] ^ (c &>> 8)
                pointer += 1
                remaining &-= 1
            }
            return ~c
        }
    }

    /// Eight 256-entry tables, row-major: row 0 is the classic byte-at-a-time table, row k advances row k-1 by a byte.
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var c = UInt32(byte)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            table[byte] = c
        }
        for row in 1..<8 {
            for byte in 0..<256 {
                let previous = table[(row - 1) * 256 + byte]
                table[row * 256 + byte] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()
}
