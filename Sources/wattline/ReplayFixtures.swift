import Ingest
import Recording
import Telemetry

/// The messages of a replay's fixtures, merged in receive order, with a digest of their content that tells one
/// fixture set from another (for the resume checkpoint).
struct ReplayFixtures {
    let paths: [String]
    let messages: [InboundMessage]
    /// A 64-bit digest of every message (receive time, topic, QoS, retain, payload) in merged order, as 16 hex
    /// digits. It depends on the content, not on file names or compression. Not cryptographic.
    let digest: String

    /// Reads every fixture and merges them (stable: a file's own order is kept at equal times).
    init(paths: [String]) throws {
        var all: [(Int64, Int, Int, InboundMessage)] = []
        for (fileIndex, path) in paths.enumerated() {
            let reader = try FixtureReader(path: path)
            var index = 0
            while let record = try reader.next() {
                all.append((record.message.receivedAt, fileIndex, index, record.message))
                index += 1
            }
        }
        all.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        self.paths = paths
        messages = all.map(\.3)
        digest = Self.digest(messages)
    }

    static func digest(_ messages: [InboundMessage]) -> String {
        var state: UInt64 = 0x5741_5454_4C49_4E45 ^ UInt64(messages.count)
        for message in messages {
            var topic = message.topic
            let content = topic.withUTF8 { topic in
                message.payload.withUnsafeBytes { MessageHash.hash(topic: UnsafeRawBufferPointer(topic), payload: $0) }
            }
            let facts = UInt64(bitPattern: message.receivedAt) ^ (UInt64(message.qos) << 1 | (message.retained ? 1 : 0))
            state = MessageHash.mix(state ^ content, 0xA076_1D64_78BD_642F) ^ MessageHash.mix(facts, 0x8EBC_6AF0_9C88_C6E3)
        }
        let hex = String(state, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
