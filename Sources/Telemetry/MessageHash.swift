/// A fast 64-bit hash of a message's topic and payload, to recognise redeliveries (and of a topic alone, to route
/// it). Not cryptographic: eight bytes per step with multiply-xorshift mixing (in the manner of wyhash), about 0.1 ns
/// per byte, so hashing every accepted message costs the network thread little. With 64 bits, a false match within a window of 65,536
/// messages has a probability of about 2^-48.
public enum MessageHash {
    @inline(__always)
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    public static func hash(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt64 {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(topic.count) &* 0xA076_1D64_78BD_642F
        state = absorb(topic, state)
        state = absorb(payload, state ^ UInt64(payload.count))
        return mix(state ^ 0xE703_7ED1_A0B4_28DB, 0x8EBC_6AF0_9C88_C6E3)
    }

    /// The hash of one run of bytes (the topic routes' key).
    public static func hash(bytes: UnsafeRawBufferPointer) -> UInt64 {
        mix(absorb(bytes, 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count) &* 0xA076_1D64_78BD_642F) ^ 0xE703_7ED1_A0B4_28DB,
            0x8EBC_6AF0_9C88_C6E3)
    }

    /// The hash of a message's topic and payload, as `Acceptor` hashes what it accepts.
    public static func hash(_ message: InboundMessage) -> UInt64 {
        var topic = message.topic
        return topic.withUTF8 { topic in
            message.payload.withUnsafeBytes { hash(topic: UnsafeRawBufferPointer(topic), payload: $0) }
        }
    }

    @inline(__always)
    static func absorb(_ bytes: UnsafeRawBufferPointer, _ seed: UInt64) -> UInt64 {
        var state = seed
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            state = mix(state ^ word, 0xA076_1D64_78BD_642F)
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        return mix(state ^ tail ^ 0xE703_7ED1_A0B4_28DB, 0x8EBC_6AF0_9C88_C6E3 ^ UInt64(n))
    }
}
