import Foundation
import Ingest
import Recording
import Telemetry
import Synchronization
import Testing

@Suite struct DeadLetterWriterTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wattline-dead-\(UUID().uuidString)").path
    }

    @Test func rejectedMessagesAreKeptReplayablyWithTheirReason() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try DeadLetterWriter(directory: path)
        let message = InboundMessage(receivedAt: 1_795_262_400_000, topic: "ocpp/CP-1/in", qos: 1, retained: false,
                                     payload: [0xFF, 0xFE, 0x00])
        #expect(writer.write(message, reason: .invalidUTF8, detail: "payload is not valid UTF-8\nsecond line"))
        let files = DeadLetterWriter.files(in: path)
        #expect(files == ["dead-letter-000001.jsonl"])
        let text = try String(contentsOfFile: path + "/" + files[0], encoding: .utf8)
        #expect(text.hasPrefix("# rejected invalid_utf8: payload is not valid UTF-8 second line\n"))
        // The file is a fixture: replayable as it is, the message byte for byte.
        let records = try FixtureReader(path: path + "/" + files[0]).readAll()
        #expect(records.map(\.message) == [message])
    }

    @Test func filesRotateAndTheQuotaCountsWhatIsDropped() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try DeadLetterWriter(directory: path, maxFileBytes: 1_000, quotaBytes: 3_000)
        let warned = LockedFlag()
        writer.onQuotaReached = { _ in warned.set() }
        let message = InboundMessage(receivedAt: 0, topic: "ev/s/c/1/m", text: String(repeating: "x", count: 200))
        var kept = 0
        for _ in 0..<40 where writer.write(message, reason: .malformedJSON, detail: "not valid JSON") { kept += 1 }
        #expect(kept > 5 && kept < 40)
        #expect(writer.dropped == 40 - kept)
        #expect(warned.isSet)
        let files = DeadLetterWriter.files(in: path)
        #expect(files.count >= 3, "rotated at 1,000 bytes: \(files)")
        let total = try files.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: path + "/" + $1)[.size] as? Int ?? 0) }
        #expect(total <= 3_000)
        // A new writer on the same directory continues the numbering and keeps counting the quota.
        let again = try DeadLetterWriter(directory: path, maxFileBytes: 1_000, quotaBytes: 3_000)
        #expect(!again.write(message, reason: .malformedJSON, detail: "still full"))
    }
}

/// A flag set from a callback.
final class LockedFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
