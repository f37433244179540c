import Foundation
import MosquittoTestSupport
import Recording
import Testing

/// Replay's summary, and resuming an interrupted replay from the data directory's checkpoint.
@Suite(.serialized) struct ReplayResumeTests {
    /// The summary is printed whatever standard error is; on a pipe there is no progress bar.
    @Test func theSummaryNamesEveryFigureAndAPipeGetsNoProgressBar() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-summary")
        defer { directory.remove() }
        let result = try WattlineProcess.run(["replay", "Fixtures/ocpp16-session.jsonl", "Fixtures/malformed.jsonl",
                                              "--data", directory.path + "/data"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("wattline replay: replayed 50 messages in ") == true, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("wattline replay: rejected by reason: ") && $0.contains("not_a_number 1") })
        #expect(lines.contains { $0.hasPrefix("wattline replay: sessions 1, anomalies ") }, "\(result.stderr)")
        #expect(lines.contains("wattline replay: revenue: none"), "\(result.stderr)")
        #expect(lines.last?.hasPrefix("wattline replay: time taken ") == true)
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("\u{1B}["), "a progress bar on a pipe")
    }

    /// A replay killed with SIGKILL mid-feed resumes when the same command runs again: the log then holds every
    /// message exactly once, in order, and the results are those of an uninterrupted replay. Another fixture set is
    /// refused meanwhile, with a message saying why.
    ///
    /// The fixture is compact-format traffic (sessions with start and end events, meter readings every 10 s from
    /// six chargers over three hours). OCPP traffic would do as well: after a restart the decoder learns where each
    /// open transaction runs from the sessions the processors restored.
    ///
    /// Both ways of ticking resume exactly: ticks synthesized across the silences (those the killed run wrote are not
    /// written again), and a fixture that records its ticks (an exported log), whose ticks are entries like its
    /// messages — the log then holds exactly the fixture's ticks, each once.
    @Test(arguments: [false, true])
    func aKilledReplayResumesToTheSameResults(recordedTicks: Bool) throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-resume")
        defer { directory.remove() }
        let fixture = try directory.write(Self.compactFleet(recordedTicks: recordedTicks), to: "fleet.jsonl")
        let pipeline = try directory.write(Self.compactPipeline(ingest: "lateness: 1s\n  log_retention: 30d"), to: "pipeline.yaml")
        let entries = try FixtureReader(path: fixture).readAllEntries().map(\.entry)
        let whole = directory.path + "/whole"
        let resumed = directory.path + "/resumed"
        // Three hours at 2000x: about five and a half seconds of feeding.
        let command = ["replay", fixture, "--pipeline", pipeline, "--data", resumed, "--speed", "2000"]

        let uninterrupted = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let process = try ChildProcess(try WattlineProcess.executable.path, command, errorPath: "/dev/null",
                                       directory: WattlineProcess.repository.path)
        var fedAtKill = 0
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: resumed + "/replay-checkpoint.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let fed = object["fed"] as? Int, fed > 1_500 {
                fedAtKill = fed
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.send(SIGKILL)
        #expect(process.wait() == 128 + SIGKILL)
        #expect(fedAtKill > 0 && fedAtKill < entries.count * 9 / 10, "killed after \(fedAtKill) entries")

        let other = try WattlineProcess.run(["replay", "Fixtures/compact.jsonl", "--pipeline", pipeline, "--data", resumed])
        #expect(other.status == 1)
        #expect(other.stderr.contains("unfinished replay of other fixtures"), "\(other.stderr)")

        let again = try WattlineProcess.run(command)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("resuming an interrupted replay after message"), "\(again.stderr)")
        #expect(again.stderr.contains("resumed: the first"), "\(again.stderr)")

        // The feed: every message in the log once, in order (the logs are kept by log_retention).
        let logs = try [whole, resumed].map { data in
            let out = directory.path + "/\(URL(fileURLWithPath: data).lastPathComponent).log.jsonl"
            let export = try WattlineProcess.run(["export-log", "--data", data, "--out", out])
            #expect(export.status == 0, "\(export.stderr)")
            return try String(contentsOfFile: out, encoding: .utf8)
        }
        #expect(ExportLogTests.lines(logs[0]).messages == 6_480)
        #expect(logs[1] == logs[0], "the resumed replay's log (ticks included) differs")
        if recordedTicks {
            #expect(try FixtureReader(path: directory.path + "/whole.log.jsonl").readAllEntries().map(\.entry) == entries,
                    "the log holds exactly the fixture's messages and ticks")
        }

        // The results.
        for table in ["sessions", "anomalies", "load_intervals"] {
            let expected = try RecordReplayTests.rows(whole, "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4, 5, 6")
            #expect(!expected.isEmpty || table == "anomalies", "no \(table)")
            #expect(try RecordReplayTests.rows(resumed, "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4, 5, 6") == expected,
                    "\(table) differ")
        }
        let wholeExport = try WattlineProcess.run(["export", "--data", whole, "--from", "2026-11-01", "--to", "2026-12-01"])
        let resumedExport = try WattlineProcess.run(["export", "--data", resumed, "--from", "2026-11-01", "--to", "2026-12-01"])
        #expect(wholeExport.stdout.split(separator: "\n").count > 6_000)
        #expect(resumedExport.stdout == wholeExport.stdout)
    }

    /// Writes `compactFleet()` and `compactPipeline(ingest:)` into `directory` as `fleet.jsonl` and `pipeline.yaml`.
    static func writeCompactFleet(in directory: TemporaryDirectory, ingest: String) throws -> (fixture: String, pipeline: String) {
        (try directory.write(compactFleet(), to: "fleet.jsonl"), try directory.write(compactPipeline(ingest: ingest), to: "pipeline.yaml"))
    }

    /// A pipeline for `compactFleet()`'s traffic with the given `ingest:` settings (lines after the first indented
    /// by two spaces).
    static func compactPipeline(ingest: String) -> String {
        """
        topics:
          - template: ev/{site}/{charger}/{connector}/{stream}
            format: compact
        undeclared_chargers: accept
        ingest:
          \(ingest)
        """
    }

    /// Six chargers' compact traffic over three hours, a reading every 10 s: 50-minute sessions with 10-minute
    /// pauses between them. With `recordedTicks`, the tick header and eight ticks in each silence, off the grid a
    /// replay would synthesize (every second after the last message).
    static func compactFleet(recordedTicks: Bool = false) -> String {
        let start: Int64 = 1_795_248_000_000  // 2026-11-21T06:00:00Z
        var lines: [String] = recordedTicks ? [FixtureLine.tickHeader] : []
        for step in 0..<1_080 {
            defer {
                if recordedTicks {
                    let silence = start + Int64(step) * 10_000 + 515
                    for k in 0..<8 {
                        lines.append(#"{"received_at":\#(silence + 1_000 + Int64(k) * 1_003 + Int64(step % 7) * 11),"tick":true}"#)
                    }
                }
            }
            for charger in 0..<6 {
                let time = start + Int64(step) * 10_000 + Int64(charger) * 100
                let minute = (step / 6 + charger * 7) % 60
                let session = (step / 6 + charger * 7) / 60
                let energy = Double(step * (charger + 3)) * 2.5
                var fields = [#""ts":\#(time)"#, #""energy_wh":"\#(energy)""#]
                if minute < 50 {
                    fields += [#""tx":"T-\#(charger)-\#(session)""#, #""power_w":\#(7_000 + charger * 500)"#, #""status":"Charging""#]
                    if minute == 0 && step % 6 == 0 { fields.append(#""event":"started""#) }
                    if minute == 49 && step % 6 == 5 { fields.append(#""event":"ended""#) }
                } else {
                    fields += [#""power_w":0"#, #""status":"Available""#]
                }
                let payload = "{" + fields.joined(separator: ",") + "}"
                let escaped = payload.replacingOccurrences(of: "\"", with: "\\\"")
                lines.append(#"{"received_at":\#(time + 15),"topic":"ev/site-\#(charger % 2)/CP-\#(charger)/1/meter","qos":1,"retain":false,"payload":"\#(escaped)"}"#)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A full-speed feed outruns the worker, and with a tiny ring most records spill to the log: the replay still
    /// ends only when every record is processed (it used to stop with the spilled tail unread: "finished", with
    /// part of the results missing).
    @Test func aFullSpeedReplayProcessesEveryRecordBeforeItEnds() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay-drain")
        defer { directory.remove() }
        let (fixture, pipeline) = try Self.writeCompactFleet(in: directory, ingest: "ring_capacity: 16\n  lateness: 1s")
        let result = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", directory.path + "/data"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.stderr.split(separator: "\n").first { $0.contains("replayed ") })
        let number = { (label: String) -> Int? in
            summary.range(of: label).flatMap { Int(summary[$0.upperBound...].prefix { $0.isNumber }) }
        }
        let accepted = try #require(number("accepted "))
        #expect(accepted > 1_000)
        #expect(number("decoded ") == accepted, "\(summary)")
    }
}
