import Foundation
import MosquittoTestSupport
import Recording
import Telemetry
import Testing
@testable import wattline

/// Replay reads its fixtures as it feeds them (`FixtureMerge`, a 60 s reorder window) and keeps a digest of what
/// it fed in the checkpoint: long fixtures, several files, disorder beyond the window, and the checkpoint's
/// resume and refusals without a kill.
@Suite(.serialized) struct ReplayStreamingTests {
    /// Three hours of six chargers (`ReplayResumeTests.compactFleet()`, 180 windows long) split by charger into a
    /// plain and a zstd file gives the same feed, message for message, as the one file, and the same results.
    @Test func aFixtureManyWindowsLongSplitInTwoFeedsAsOne() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-split")
        defer { directory.remove() }
        let fleet = ReplayResumeTests.compactFleet()
        let whole = try directory.write(fleet, to: "fleet.jsonl")
        let lines = fleet.split(separator: "\n").map(String.init)
        let even = try directory.write(lines.filter { Self.charger($0) % 2 == 0 }.joined(separator: "\n") + "\n", to: "even.jsonl")
        let odd = directory.path + "/odd.jsonl.zst"
        let writer = try FixtureWriter(path: odd)
        for record in try FixtureReader(path: try directory.write(lines.filter { Self.charger($0) % 2 == 1 }.joined(separator: "\n"),
                                                                  to: "odd.jsonl")).readAll() {
            try writer.write(record.message)
        }
        try writer.close()
        let pipeline = try directory.write(ReplayResumeTests.compactPipeline(ingest: "lateness: 1s\n  log_retention: 30d"),
                                           to: "pipeline.yaml")

        var logs: [String] = []
        for (name, fixtures) in [("one", [whole]), ("two", [odd, even])] {
            let data = directory.path + "/" + name
            let result = try WattlineProcess.run(["replay"] + fixtures + ["--pipeline", pipeline, "--data", data])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("replayed 6480 messages"), "\(result.stderr)")
            #expect(!result.stderr.contains("note:"), "\(result.stderr)")
            let checkpoint = try Self.checkpoint(data)
            #expect(checkpoint.complete && checkpoint.fed == 6_480 && checkpoint.messages == 6_480)
            let out = directory.path + "/\(name).log.jsonl"
            let export = try WattlineProcess.run(["export-log", "--data", data, "--out", out])
            #expect(export.status == 0, "\(export.stderr)")
            logs.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(logs[0].split(separator: "\n").count == 6_480)
        #expect(logs[1] == logs[0], "the merged feed differs from the single file's")
        // The digest is the content's, not the files': both checkpoints name the same.
        #expect(try Self.checkpoint(directory.path + "/one").digest == (try Self.checkpoint(directory.path + "/two").digest))
        let sessions = try RecordReplayTests.rows(directory.path + "/one", "SELECT * FROM sessions ORDER BY 1, 2, 3, 4")
        #expect(!sessions.isEmpty)
        #expect(try RecordReplayTests.rows(directory.path + "/two", "SELECT * FROM sessions ORDER BY 1, 2, 3, 4") == sessions)
    }

    /// A message further back than the window is fed (never dropped), out of receive order, and named once per file.
    @Test func aMessageFurtherBackThanTheWindowIsFedAndNamed() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-late")
        defer { directory.remove() }
        let lines = ReplayResumeTests.compactFleet().split(separator: "\n").prefix(600).map(String.init)
        // Line 601: a reading of charger 0 from the first second, after ten minutes of traffic: 990.495 s behind the
        // newest message before it, far outside the 60 s window.
        let late = lines[0].replacingOccurrences(of: #""received_at":1795248000015"#, with: #""received_at":1795248000020"#)
            .replacingOccurrences(of: #"\"ts\":1795248000000"#, with: #"\"ts\":1795248000005"#)
        #expect(late != lines[0])
        let fixture = try directory.write((lines + [late]).joined(separator: "\n") + "\n", to: "late.jsonl")
        let pipeline = try directory.write(ReplayResumeTests.compactPipeline(ingest: "lateness: 1s"), to: "pipeline.yaml")
        let result = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", directory.path + "/data"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("replayed 601 messages"), "\(result.stderr)")
        let notes = result.stderr.split(separator: "\n").filter { $0.contains("note: ") }
        #expect(notes == ["wattline replay: note: \(fixture): 1 message(s) further back in receive time than the 60 s "
            + "reorder window were fed out of receive order: line 601 first, 990.495 s behind the newest message before it"],
                "\(result.stderr)")
    }

    /// The checkpoint's digest covers the messages fed: a resume takes them again, checks them, and matches the
    /// log's tail against what follows; other content, or a checkpoint of the older format, is refused.
    @Test func aResumeChecksTheFedPrefixAndMatchesTheLogsTail() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-prefix")
        defer { directory.remove() }
        let (fixture, pipeline) = try ReplayResumeTests.writeCompactFleet(in: directory, ingest: "lateness: 1s\n  log_retention: 30d")
        let data = directory.path + "/data"
        let command = ["replay", fixture, "--pipeline", pipeline, "--data", data]
        let first = try WattlineProcess.run(command)
        #expect(first.status == 0, "\(first.stderr)")
        let finished = try Self.checkpoint(data)

        // As if killed after 1,000 messages with the save of LSN 0: every record from the log's start is looked
        // for; the first 1,000 are behind the resume point (not found), the rest are found, so nothing is fed twice.
        let prefix = try ReplayFixtures(paths: [fixture])
        #expect(try prefix.skip(1_000) == 1_000)
        var interrupted = ReplayCheckpoint(fixtures: [fixture], digest: prefix.digest.hex, fed: 1_000, nextLSN: 0, complete: false)
        try interrupted.save(in: data)
        let resumed = try WattlineProcess.run(command)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming an interrupted replay after message 6480"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resumed: the first 6480 of 6480 messages were fed by an earlier run"), "\(resumed.stderr)")
        let after = try Self.checkpoint(data)
        #expect(after.complete && after.fed == 6_480 && after.messages == 6_480 && after.digest == finished.digest)
        let out = directory.path + "/log.jsonl"
        #expect(try WattlineProcess.run(["export-log", "--data", data, "--out", out]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 6_480)

        // Other content in the first 1,000 messages: refused, the checkpoint kept.
        interrupted.digest = "0123456789abcdef"
        try interrupted.save(in: data)
        let other = try WattlineProcess.run(command)
        #expect(other.status == 1)
        #expect(other.stderr.contains("unfinished replay of other fixtures") && other.stderr.contains("1000 messages fed"),
                "\(other.stderr)")
        #expect(try Self.checkpoint(data) == interrupted)
        // Fewer messages than were fed: refused too.
        let short = try directory.write(ReplayResumeTests.compactFleet().split(separator: "\n").prefix(10).joined(separator: "\n"),
                                        to: "short.jsonl")
        let tooShort = try WattlineProcess.run(["replay", short, "--pipeline", pipeline, "--data", data])
        #expect(tooShort.status == 1)
        #expect(tooShort.stderr.contains("these hold only 10 messages"), "\(tooShort.stderr)")

        // A checkpoint without a version (its digest covered every message and their count): refused with advice.
        let old = #"{"complete":false,"digest":"5d1f0c8e2b7a9e31","fed":1000,"fixtures":["\#(fixture)"],"messages":6480,"nextLSN":1}"#
        try Data(old.utf8).write(to: URL(fileURLWithPath: ReplayCheckpoint.path(in: data)))
        let older = try WattlineProcess.run(command)
        #expect(older.status == 1)
        #expect(older.stderr.contains("written by an older wattline") && older.stderr.contains("Pass --restart"), "\(older.stderr)")
        let restarted = try WattlineProcess.run(command + ["--restart"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(restarted.stderr.contains("--restart: dropping the checkpoint (1000 messages fed)"), "\(restarted.stderr)")
        #expect(restarted.stderr.contains("readings stored 0"), "\(restarted.stderr)")

        // A finished replay of the older format is no obstacle; one of other fixtures is named once the feed ends.
        try Data(old.replacingOccurrences(of: #""complete":false"#, with: #""complete":true"#).utf8)
            .write(to: URL(fileURLWithPath: ReplayCheckpoint.path(in: data)))
        let afterOld = try WattlineProcess.run(command)
        #expect(afterOld.status == 0 && !afterOld.stderr.contains("note:"), "\(afterOld.stderr)")
        let another = try WattlineProcess.run(["replay", "Fixtures/compact.jsonl", "--pipeline", pipeline, "--data", data])
        #expect(another.status == 0, "\(another.stderr)")
        #expect(another.stderr.contains("note: \(data) held a finished replay of other fixtures (\(fixture)); these were fed after it"),
                "\(another.stderr)")
    }

    static func checkpoint(_ data: String) throws -> ReplayCheckpoint {
        try #require(try ReplayCheckpoint.load(from: data))
    }

    /// The charger number of a `compactFleet()` line.
    static func charger(_ line: String) -> Int {
        Int(line.components(separatedBy: "/CP-")[1].prefix { $0.isNumber })!
    }
}
