import Foundation
import Recording
import Telemetry
import WriteAheadLog

/// Where a replay stands, kept in `DATA/replay-checkpoint.json` so that an interrupted replay (Ctrl-C, `kill -9`)
/// resumes when the same command runs again.
///
/// It records how many of the merged entries (messages, and the ticks of fixtures that record them) were fed into
/// the log, the digest of those entries (`ReplayDigest`, computed as they are fed: the fixtures are never read
/// twice) and the log's next LSN at that moment. A resume takes that many entries from the fixtures again, checks
/// their digest and matches the records the log took after that LSN against the entries that follow, so nothing
/// fed after the last save is fed twice; synthesized ticks the log already holds are not written again either. The
/// stages then recover from the log as after any restart. Written by replacing the file (write, then rename),
/// every quarter second and at the end.
struct ReplayCheckpoint: Codable, Equatable {
    static let fileName = "replay-checkpoint.json"
    /// 3: `digest` and `fed` cover the first `fed` entries, recorded ticks included. 2: the same of messages only,
    /// which is the same thing for fixtures that record no ticks, so a version-2 checkpoint is read for those
    /// (`canCheck`). Files without a version (1) held a digest of every message, mixed with their count, which this
    /// version cannot check.
    static let currentVersion = 3

    /// The format; nil in files written before it was recorded (version 1).
    var version: Int? = ReplayCheckpoint.currentVersion
    /// The fixtures as given, for messages.
    var fixtures: [String]
    /// `ReplayDigest` of the first `fed` entries (of all of them once `complete`).
    var digest: String
    /// How many messages the fixtures hold, once `complete` (their recorded ticks not counted).
    var messages: Int?
    /// Entries fed into the log: messages, and the ticks of fixtures that record them.
    var fed: Int
    /// How many of `fed` were recorded ticks; nil (left out of the file) when the fixtures record none.
    var ticksFed: Int?
    /// The log's next LSN when `fed` was reached.
    var nextLSN: UInt64
    /// True once every entry (and the closing ticks, when synthesized) was fed.
    var complete: Bool

    /// What was fed, in words: `1000 messages`, or `1000 messages and 58 ticks`.
    var fedText: String {
        guard let ticks = ticksFed, ticks > 0 else { return "\(fed) messages" }
        return "\(fed - ticks) messages and \(ticks) ticks"
    }

    /// Whether this wattline can check the checkpoint's digest against fixtures that do (`recordsTicks`) or do not
    /// record their ticks: one of the current version always, a version-2 one when they record none.
    func canCheck(recordsTicks: Bool) -> Bool {
        version == Self.currentVersion || (version == 2 && !recordsTicks)
    }

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

    /// How many entries the log already holds, `fixtures` having taken the first `fed`: those, plus the ones the
    /// log took after the save, which are taken from `fixtures` too. Each message record from `nextLSN` on (and each
    /// tick record, when the fixtures record their ticks) is looked for among the next
    /// `ReplayFixtures.lookaheadLimit` entries. If the records at `nextLSN` were already removed (checkpointed),
    /// matching starts at the oldest record held.
    ///
    /// Also returns the newest tick the log holds from there on (nil for none): when the ticks are synthesized, the
    /// resumed feed writes none at or before it, since the interrupted run wrote those already.
    /// Log records stepped over before the first that matches (see `resumeIndex`).
    static let unmatchedLimit = 4_096

    func resumeIndex(fixtures: ReplayFixtures, logDirectory: String) throws -> (index: Int, newestTick: Int64?) {
        let reader: LogReader
        switch Result(catching: { () throws(WriteAheadLogError) in try LogReader(directory: logDirectory, from: nextLSN) }) {
        case .success(let opened): reader = opened
        case .failure(.notAvailable(_, let first)) where first > nextLSN:
            reader = try LogReader(directory: logDirectory, from: first)
        case .failure(let error): throw error
        }
        let recordsTicks = fixtures.recordsTicks
        var newestTick: Int64?
        var matched = false, unmatched = 0
        // To the log's end, not only until the fixtures are exhausted: the closing ticks come after the last message.
        while true {
            let step = Result(catching: { () throws(WriteAheadLogError) in try reader.next() })
            guard case .success(let record) = step else {
                if case .failure(let error) = step, !error.isSteppedOver { throw error }
                continue
            }
            guard let record else { break }
            let fed: FixtureEntry
            switch record.record {
            case .message(let message):
                fed = .message(message)
            case .tick(let time):
                newestTick = max(newestTick ?? .min, time)
                guard recordsTicks else { continue }
                fed = .tick(at: time)
            }
            // Fed entries reach the log in order; a message refused (oversize) is simply not there. Once entries
            // match, a record the fixtures do not hold next (or any record after they are all accounted for) is
            // another run's (`wattline run` on this data directory after the interruption): nothing of this replay
            // comes after it, so matching stops rather than search the lookahead for every one of them. Before the
            // first match, records of messages before the resume point (a checkpoint whose LSN is older than its
            // count) are stepped over, up to `unmatchedLimit` of them.
            guard try fixtures.peek() != nil else { break }
            guard let found = try fixtures.offset(of: fed) else {
                unmatched += 1
                if matched || unmatched > Self.unmatchedLimit { break }
                continue
            }
            matched = true
            _ = try fixtures.skip(found + 1)
        }
        return (fixtures.taken, newestTick)
    }
}

/// Why a replay cannot use its data directory's checkpoint.
enum ReplayCheckpointError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    /// The directory holds an unfinished replay of other fixtures: its first `fed` messages are not these
    /// fixtures' first (`ours` says how they differ).
    case otherFixtures(path: String, theirs: [String], theirDigest: String, fed: String, ours: String)
    /// The directory holds an unfinished replay whose checkpoint another version of the format describes (nil:
    /// one written before the format had a version); its digest cannot be checked.
    case otherVersion(path: String, version: Int?, theirs: [String], fed: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the replay checkpoint \(path): \(reason); remove it to replay from the start"
        case .unwritable(let path, let reason):
            "cannot write the replay checkpoint \(path): \(reason)"
        case .otherFixtures(let path, let theirs, let theirDigest, let fed, let ours):
            "the data directory holds an unfinished replay of other fixtures (\(theirs.joined(separator: " ")), "
                + "\(fed) fed, content \(theirDigest); \(ours)). Finish it by running that replay again, "
                + "use another --data, or pass --restart to drop the checkpoint (\(path))"
        case .otherVersion(let path, let version, let theirs, let fed):
            "the data directory holds an unfinished replay (\(theirs.joined(separator: " ")), \(fed) fed) "
                + "whose checkpoint was written by " + ((version ?? 1) < ReplayCheckpoint.currentVersion ? "an older" : "a newer")
                + " wattline (format \(version ?? 1), this one reads \(ReplayCheckpoint.currentVersion)): it cannot tell "
                + "whether these fixtures are the same. Pass --restart to drop the checkpoint and feed every message "
                + "(the stages skip what they already hold), or use another --data (\(path))"
        }
    }
}
