import Ingest
import Recording
import Telemetry

/// A running 64-bit digest of a sequence of messages (receive time, topic, QoS, retain, payload) and recorded ticks
/// (their time), in the order they are added: the content identity of a replay's fixtures, or of the part of them
/// fed so far, for the resume checkpoint. A sequence without ticks has the digest its messages always had. It
/// depends on the content, not on file names or compression; it needs no count up front, so it is computed as
/// messages are fed, and the digest of a prefix is the state after that prefix. Not cryptographic.
struct ReplayDigest: Equatable {
    private(set) var state: UInt64 = 0x5741_5454_4C49_4E45

    mutating func add(_ entry: FixtureEntry) {
        switch entry {
        case .message(let message):
            add(message)
        case .tick(let time):
            state = MessageHash.mix(state ^ 0x7469_636B_7469_636B, 0xE703_7ED1_A0B4_28DB)  // "ticktick"
                ^ MessageHash.mix(UInt64(bitPattern: time), 0x8EBC_6AF0_9C88_C6E3)
        }
    }

    mutating func add(_ message: InboundMessage) {
        let content = MessageHash.hash(message)
        let facts = UInt64(bitPattern: message.receivedAt) ^ (UInt64(message.qos) << 1 | (message.retained ? 1 : 0))
        state = MessageHash.mix(state ^ content, 0xA076_1D64_78BD_642F) ^ MessageHash.mix(facts, 0x8EBC_6AF0_9C88_C6E3)
    }

    /// 16 hex digits.
    var hex: String {
        let hex = String(state, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
