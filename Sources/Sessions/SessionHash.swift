/// Stable hashes: session ids (FNV-1a 64) and id-tag pseudonyms (SipHash-2-4, keyed).
public enum SessionHash {
    /// FNV-1a 64 over (charger, 0x1F, EVSE, 0x1F, transaction id, 0x1F, started_at) in decimal, as 16 hex digits.
    /// `transactionId` is the one the start itself carried ("" for OCPP 1.6 and evidence starts), so the id is the
    /// same whatever order the back-end's result and later messages arrive in.
    public static func sessionId(charger: String, evse: Int, transactionId: String, startedAt: Int64) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        for b in charger.utf8 { mix(b) }
        mix(0x1F)
        for b in String(evse).utf8 { mix(b) }
        mix(0x1F)
        for b in transactionId.utf8 { mix(b) }
        mix(0x1F)
        for b in String(startedAt).utf8 { mix(b) }
        return hex(h)
    }

    /// The keyed pseudonym of an id tag: `h:` + 32 hex digits (two SipHash-2-4 runs with keys derived from `key`).
    public static func pseudonym(idTag: String, key: String) -> String {
        let keyBytes = Array(key.utf8)
        let k0 = fnv(keyBytes, basis: 0xcbf2_9ce4_8422_2325)
        let k1 = fnv(keyBytes, basis: 0x8422_2325_cbf2_9ce4)
        let message = Array(idTag.utf8)
        let a = sipHash24(message, k0: k0, k1: k1)
        let b = sipHash24(message, k0: k1 ^ 0x5bd1_e995_5bd1_e995, k1: k0 ^ 0x27d4_eb2f_1656_67c5)
        return "h:" + hex(a) + hex(b)
    }

    static func fnv(_ bytes: [UInt8], basis: UInt64) -> UInt64 {
        var h = basis
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// SipHash-2-4 (Aumasson & Bernstein), 64-bit output.
    static func sipHash24(_ message: [UInt8], k0: UInt64, k1: UInt64) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        func round() {
            v0 = v0 &+ v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32)
            v2 = v2 &+ v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2
            v0 = v0 &+ v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0
            v2 = v2 &+ v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32)
        }
        let count = message.count
        var offset = 0
        while offset + 8 <= count {
            var m: UInt64 = 0
            for i in 0..<8 { m |= UInt64(message[offset + i]) << (8 * UInt64(i)) }
            v3 ^= m
            round(); round()
            v0 ^= m
            offset += 8
        }
        var last = UInt64(count & 0xFF) << 56
        var i = 0
        while offset + i < count {
            last |= UInt64(message[offset + i]) << (8 * UInt64(i))
            i += 1
        }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xFF
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
