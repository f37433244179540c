/// Byte-level helpers shared by the parser and readers of a tape.
public enum JSONDecoding {
    /// Bytewise equality of UTF-8 bytes and a static string.
    @inlinable
    public static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let other = text.utf8Start
        var k = 0
        while k < count {
            if bytes[k] != other[k] { return false }
            k += 1
        }
        return true
    }

    @inlinable
    public static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// Decodes the escapes of a JSON string's content (already validated by the parser).
    ///
    /// Written straight into the result's storage, with the runs between escapes copied whole: the text is never
    /// longer than its escaped form (`\n` is 2 bytes for 1, `\uXXXX` 6 for at most 3, a surrogate pair 12 for 4).
    /// Appending byte by byte was a tenth of a replay's feeding thread (a fixture's payload is an escaped string).
    @usableFromInline
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let source = raw.baseAddress, raw.count > 0 else { return [] }
        let n = raw.count
        return [UInt8](unsafeUninitializedCapacity: n) { out, count in
            let target = out.baseAddress!
            var i = 0
            var o = 0
            while i < n {
                var end = i
                while end < n && source[end] != 0x5C { end += 1 }
                if end > i {
                    (target + o).initialize(from: source + i, count: end - i)
                    o += end - i
                    i = end
                    continue
                }
                // A backslash at `i`.
                guard i + 1 < n else {
                    target[o] = 0x5C
                    o += 1
                    i += 1
                    continue
                }
                let e = source[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "b"): target[o] = 0x08
                case UInt8(ascii: "f"): target[o] = 0x0C
                case UInt8(ascii: "n"): target[o] = 0x0A
                case UInt8(ascii: "r"): target[o] = 0x0D
                case UInt8(ascii: "t"): target[o] = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hex4(raw, i)
                    i += 4
                    if scalar >= 0xD800 && scalar <= 0xDBFF && i + 6 <= n {
                        let low = hex4(raw, i + 2)
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) &+ (low &- 0xDC00)
                        i += 6
                    }
                    o += writeUTF8(scalar, to: target + o)
                    continue
                default: target[o] = e  // " \ /
                }
                o += 1
            }
            count = o
        }
    }

    /// Writes `scalar` as UTF-8 at `target`; returns how many bytes (1 to 4).
    @usableFromInline
    static func writeUTF8(_ scalar: UInt32, to target: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            target[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            target[0] = UInt8(0xC0 | (scalar >> 6))
            target[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            target[0] = UInt8(0xE0 | (scalar >> 12))
            target[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            target[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            target[0] = UInt8(truncatingIfNeeded: 0xF0 | (scalar >> 18))
            target[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            target[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            target[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }

    @usableFromInline
    static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 where at + k < raw.count {
            value = value << 4 | UInt32(hexValue(raw[at + k]) ?? 0)
        }
        return value
    }

    /// True when `bytes` are valid UTF-8 (used on the cold path to name the reason for a rejection).
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        var i = 0
        let n = bytes.count
        while i < n {
            if p[i] < 0x80 { i += 1; continue }
            let length = JSONParser.utf8SequenceLength(p, i, n)
            if length == 0 { return false }
            i += length
        }
        return true
    }
}
