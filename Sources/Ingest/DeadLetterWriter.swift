import Foundation
import Recording
import Telemetry

/// Keeps every rejected message, with its reason, in the fixture format, so it can be replayed once the cause is
/// fixed (`wattline replay DATA/dead-letter/*.jsonl`).
///
/// Each record is a comment line naming the reason and the problem, then the message itself as a fixture line:
///
///     # rejected not_a_number: meterValue[0].sampledValue[2].value: 'abc' is not a number
///     {"received_at":"…","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"…"}
///
/// Files `dead-letter-NNNNNN.jsonl` rotate at `maxFileBytes`; when all of them together reach `quotaBytes`, new
/// records are dropped and counted (`dead_letter_dropped_total`), and the first drop is logged. Not thread-safe: the
/// worker thread owns it. Records are written (not fsynced) per message; the write-ahead log remains the durable
/// copy until its segments are released.
public final class DeadLetterWriter {
    public let directory: String
    public let maxFileBytes: Int
    public let quotaBytes: Int
    private var file: FileHandle?
    private var fileIndex = 0
    private var fileBytes = 0
    private var totalBytes = 0
    public private(set) var dropped = 0
    /// Called once when the quota is first reached (the caller logs it).
    public var onQuotaReached: (@Sendable (String) -> Void)?

    public init(directory: String, maxFileBytes: Int = 16 << 20, quotaBytes: Int = 256 << 20) throws {
        self.directory = directory
        self.maxFileBytes = maxFileBytes
        self.quotaBytes = quotaBytes
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let existing = Self.files(in: directory)
        for name in existing {
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            totalBytes += (attributes?[.size] as? Int) ?? 0
        }
        fileIndex = existing.compactMap { Int($0.dropFirst("dead-letter-".count).prefix(6)) }.max() ?? 0
    }

    deinit { try? file?.close() }

    /// The dead-letter files, oldest first.
    public static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("dead-letter-") && $0.hasSuffix(".jsonl") }.sorted()
    }

    /// Writes one rejected message. Returns false when it was dropped over the quota.
    @discardableResult
    public func write(_ message: InboundMessage, reason: RejectReason, detail: String) -> Bool {
        var record = Array("# rejected \(reason.rawValue): \(Self.oneLine(detail))\n".utf8)
        record += FixtureLine.encode(message)
        record.append(0x0A)
        guard totalBytes + record.count <= quotaBytes else {
            if dropped == 0 { onQuotaReached?("dead-letter quota of \(quotaBytes) bytes reached in \(directory); further rejected messages are counted, not kept") }
            dropped += 1
            return false
        }
        do {
            if file == nil || fileBytes + record.count > maxFileBytes { try rotate() }
            try file?.write(contentsOf: record)
            fileBytes += record.count
            totalBytes += record.count
            return true
        } catch {
            dropped += 1
            return false
        }
    }

    private func rotate() throws {
        try file?.close()
        fileIndex += 1
        let name = directory + "/" + String(format: "dead-letter-%06d.jsonl", fileIndex)
        _ = FileManager.default.createFile(atPath: name, contents: nil)
        file = FileHandle(forWritingAtPath: name)
        try file?.seekToEnd()
        fileBytes = 0
    }

    /// A detail text on one line (a comment must not span lines).
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
