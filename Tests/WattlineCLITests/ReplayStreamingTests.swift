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
        #expect(ExportLogTests.lines(logs[0]).messages == 6_480)
        #expect(logs[1] == logs[0], "the merged feed (ticks included) differs from the single file's")
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

    /// Lines that are not messages are not fed, and the summary says which, with the reason: not silently skipped.
    @Test func linesThatAreNotMessagesAreNamedInTheSummary() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-bad-lines")
        defer { directory.remove() }
        let lines = ReplayResumeTests.compactFleet().split(separator: "\n").prefix(20).map(String.init)
        let text = (lines[0..<5] + ["{\"received_at\": 1795248000100, \"topic\": 7}"] + lines[5..<20] + ["not json"])
            .joined(separator: "\n") + "\n"
        let fixture = try directory.write(text, to: "bad.jsonl")
        let pipeline = try directory.write(ReplayResumeTests.compactPipeline(ingest: "lateness: 1s"), to: "pipeline.yaml")
        let result = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", directory.path + "/data"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("replayed 20 messages"), "\(result.stderr)")
        let notes = result.stderr.split(separator: "\n").filter { $0.contains("not fed") }
        #expect(notes.count == 1, "\(result.stderr)")
        #expect(notes.first?.contains("\(fixture): 2 line(s) not fed (not messages): line 6: skipped") == true, "\(result.stderr)")
        #expect(notes.first?.contains("line 22: skipped") == true, "\(result.stderr)")
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
        let out = directory.path + "/log.jsonl"
        #expect(try WattlineProcess.run(["export-log", "--data", data, "--out", out]).status == 0)
        let log = try String(contentsOfFile: out, encoding: .utf8)

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
        // Nothing fed twice: no message, and no tick (the closing ticks were already in the log).
        #expect(try WattlineProcess.run(["export-log", "--data", data, "--out", out, "--overwrite"]).status == 0)
        #expect(ExportLogTests.lines(log).messages == 6_480)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == log)

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

    /// A fixture that records its ticks is replayed with exactly those: the replay's log holds its messages and
    /// ticks as the file has them. Given with a fixture that records none, only the recorded ticks are written (a
    /// note names the other file); alone, a fixture without ticks gets ticks synthesized every second after each
    /// message, as before. The checkpoint counts the ticks among what was fed, and a version-2 checkpoint (messages
    /// only) is still read for fixtures without ticks, never for fixtures with them.
    @Test func aFixtureThatRecordsItsTicksIsReplayedWithExactlyThose() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-ticks")
        defer { directory.remove() }
        let all = ReplayResumeTests.compactFleet(recordedTicks: true).split(separator: "\n").prefix(1 + 14 * 50).map(String.init)
        let isMessage = { (line: String) in line.contains(#""topic":"#) }
        let withTicks = try directory.write(all.filter { !isMessage($0) || Self.charger($0) < 3 }.joined(separator: "\n") + "\n",
                                            to: "with-ticks.jsonl")
        let without = try directory.write(all.filter { isMessage($0) && Self.charger($0) >= 3 }.joined(separator: "\n") + "\n",
                                          to: "without.jsonl")
        let pipeline = try directory.write(ReplayResumeTests.compactPipeline(ingest: "lateness: 1s\n  log_retention: 30d"),
                                           to: "pipeline.yaml")
        func replay(_ name: String, _ fixtures: [String]) throws -> (stderr: String, log: [FixtureEntry]) {
            let data = directory.path + "/" + name
            let result = try WattlineProcess.run(["replay"] + fixtures + ["--pipeline", pipeline, "--data", data])
            #expect(result.status == 0, "\(result.stderr)")
            let out = directory.path + "/\(name).log.jsonl"
            #expect(try WattlineProcess.run(["export-log", "--data", data, "--out", out]).status == 0)
            return (result.stderr, try FixtureReader(path: out).readAllEntries().map(\.entry))
        }
        let recorded = try FixtureReader(path: withTicks).readAllEntries().map(\.entry)
        let recordedTicks = recorded.filter { $0.message == nil }
        #expect(recordedTicks.count == 400)

        let alone = try replay("alone", [withTicks])
        #expect(alone.log == recorded, "the log is not the fixture")
        #expect(alone.stderr.contains("replayed 150 messages") && alone.stderr.contains("ticks: 400 recorded in the fixtures written"),
                "\(alone.stderr)")
        let checkpoint = try Self.checkpoint(directory.path + "/alone")
        #expect(checkpoint.complete && checkpoint.fed == 550 && checkpoint.ticksFed == 400 && checkpoint.messages == 150)

        let mixed = try replay("mixed", [withTicks, without])
        #expect(mixed.log.filter { $0.message == nil } == recordedTicks, "only the recorded ticks")
        #expect(mixed.log.compactMap(\.message).count == 300)
        #expect(mixed.stderr.contains("note: \(without) records no ticks: its silences have only the other fixtures' recorded ticks"),
                "\(mixed.stderr)")

        let synthesized = try replay("synthesized", [without])
        var last: Int64?
        var ticks = 0
        for entry in synthesized.log {
            guard case .tick(let time) = entry else {
                last = entry.receivedAt
                continue
            }
            ticks += 1
            #expect(last.map { (time - $0) % 1_000 == 0 } == true, "a synthesized tick off the grid")
        }
        #expect(ticks > 400 && !synthesized.stderr.contains("ticks:"), "\(ticks) ticks; \(synthesized.stderr)")

        // A version-2 checkpoint of an unfinished replay: checked for fixtures without ticks, refused for the others.
        for (name, fixture, accepted) in [("synthesized", without, true), ("alone", withTicks, false)] {
            let prefix = try ReplayFixtures(paths: [fixture])
            #expect(try prefix.skip(100) == 100)
            try ReplayCheckpoint(version: 2, fixtures: [fixture], digest: prefix.digest.hex, fed: 100, nextLSN: 0, complete: false)
                .save(in: directory.path + "/" + name)
            let again = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", directory.path + "/" + name])
            if accepted {
                #expect(again.status == 0 && again.stderr.contains("resuming an interrupted replay after message 150"), "\(again.stderr)")
            } else {
                #expect(again.status == 1 && again.stderr.contains("written by an older wattline"), "\(again.stderr)")
            }
        }
    }

    static func checkpoint(_ data: String) throws -> ReplayCheckpoint {
        try #require(try ReplayCheckpoint.load(from: data))
    }

    /// The charger number of a `compactFleet()` line.
    static func charger(_ line: String) -> Int {
        Int(line.components(separatedBy: "/CP-")[1].prefix { $0.isNumber })!
    }
}
