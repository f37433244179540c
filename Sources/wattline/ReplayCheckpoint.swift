import Foundation
import Telemetry
import WriteAheadLog

/// Where a replay stands, kept in `DATA/replay-checkpoint.json` so that an interrupted replay (Ctrl-C, `kill -9`)
/// resumes when the same command runs again.
///
/// It records how many of the merged messages were fed into the log and the log's next LSN at that moment. The
/// log itself is the truth: on resume, the message records written after that LSN are matched against the
/// fixtures, so messages fed after the last save are not fed twice. The stages then recover from the log as after
/// any restart. Written by replacing the file (write, then rename), every quarter second and at the end.
struct ReplayCheckpoint: Codable, Equatable {
    static let fileName = "replay-checkpoint.json"

    /// The fixtures as given, for messages.
    var fixtures: [String]
    /// `ReplayFixtures.digest` of their content.
    var digest: String
    var messages: Int
    /// Messages fed into the log.
    var fed: Int
    /// The log's next LSN when `fed` was reached.
    var nextLSN: UInt64
    /// True once every message (and the closing ticks) was fed.
    var complete: Bool

    static func path(in dataDirectory: String) -> String { dataDirectory + "/" + fileName }

    /// The checkpoint in `dataDirectory`, nil when there is none.
    static func load(from dataDirectory: String) throws(ReplayCheckpointError) -> ReplayCheckpoint? {
        let path = path(in: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(ReplayCheckpoint.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Replaces the file (a crash leaves the old one or the new one, never a mix).
    func save(in dataDirectory: String) throws(ReplayCheckpointError) {
        let path = Self.path(in: dataDirectory)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
    }

    /// How many of `messages` the log already holds: `fed`, plus those the log took after the save. Each message
    /// record from `nextLSN` on is looked for in the messages not yet counted; ticks are skipped. If the records
    /// at `nextLSN` were already removed (checkpointed), matching starts at the oldest record held.
    func resumeIndex(messages: [InboundMessage], logDirectory: String) throws -> Int {
        var index = min(fed, messages.count)
        let reader: LogReader
        switch Result(catching: { () throws(WriteAheadLogError) in try LogReader(directory: logDirectory, from: nextLSN) }) {
        case .success(let opened): reader = opened
        case .failure(.notAvailable(_, let first)) where first > nextLSN:
            reader = try LogReader(directory: logDirectory, from: first)
        case .failure(let error): throw error
        }
        while index < messages.count {
            let step = Result(catching: { () throws(WriteAheadLogError) in try reader.next() })
            guard case .success(let entry) = step else {
                if case .failure(let error) = step, !error.isSteppedOver { throw error }
                continue
            }
            guard let entry else { break }
            guard case .message(let message) = entry.record else { continue }
            // Fed messages reach the log in order; one refused (oversize) is simply not there.
            let reach = messages[index..<min(messages.count, index + 65_536)]
            if let found = reach.firstIndex(of: message) { index = found + 1 }
        }
        return index
    }
}

/// Why a replay cannot use its data directory's checkpoint.
enum ReplayCheckpointError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    /// The directory holds an unfinished replay of other fixtures.
    case otherFixtures(path: String, theirs: [String], theirDigest: String, ours: String, fed: Int, of: Int)

    var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the replay checkpoint \(path): \(reason); remove it to replay from the start"
        case .unwritable(let path, let reason):
            "cannot write the replay checkpoint \(path): \(reason)"
        case .otherFixtures(let path, let theirs, let theirDigest, let ours, let fed, let total):
            "the data directory holds an unfinished replay of other fixtures (\(theirs.joined(separator: " ")), "
                + "content \(theirDigest), \(fed) of \(total) messages fed; these have content \(ours)). Finish it "
                + "by running that replay again, use another --data, or pass --restart to drop the checkpoint (\(path))"
        }
    }
}
