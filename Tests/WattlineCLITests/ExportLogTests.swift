import Foundation
import MosquittoTestSupport
import Recording
import Telemetry
import Testing

/// `wattline export-log`: a live run's own write-ahead log, exported while the run still holds the directory and
/// replayed into a fresh one, gives the live run's session and anomaly rows.
@Suite(.serialized) struct ExportLogTests {
    @Test func aLiveRunsExportedLogReplaysToTheSameRows() throws {
        let broker = try MosquittoBroker()
        let directory = try TemporaryDirectory(prefix: "wattline-export-log")
        defer { directory.remove() }
        let pipeline = try directory.write(try Self.pipelineText(port: broker.port) + "  log_retention: 1d\n",
                                           to: "pipeline.yaml")
        let live = directory.path + "/live"
        let replayed = directory.path + "/replayed"
        let exported = directory.path + "/exported.jsonl.zst"
        var messages: [(String, [UInt8])] = []
        for name in ["ocpp16-session.jsonl", "ocpp201-offline.jsonl"] {
            let fixture = try FixtureReader(path: WattlineProcess.repository.appendingPathComponent("Fixtures/" + name).path)
            while let record = try fixture.next() { messages.append((record.message.topic, record.message.payload)) }
        }

        let run = try KillNineTests.RunningWattline(pipeline: pipeline, data: live,
                                                    log: URL(fileURLWithPath: directory.path + "/run.log"))
        #expect(KillNineTests.eventually(15) { run.output.contains("connected to") }, "\(run.output)")
        for (topic, payload) in messages { try broker.publish(topic: topic, payload: payload) }
        Thread.sleep(forTimeInterval: 3)  // the live run's windows and flushes

        // Exported while the run holds the directory (and its log's lock).
        let export = try WattlineProcess.run(["export-log", "--data", live, "--out", exported])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.contains("exported "), "\(export.stderr)")
        run.signal(SIGTERM)
        #expect(run.waitForExit() == 0, "\(run.output.suffix(1500))")

        let reader = try FixtureReader(path: exported)
        var again: [(String, [UInt8])] = []
        while let record = try reader.next() {
            if !record.message.topic.hasPrefix("$") { again.append((record.message.topic, record.message.payload)) }
        }
        #expect(again.map(\.0) == messages.map(\.0))
        #expect(again.map(\.1) == messages.map(\.1))

        let replay = try WattlineProcess.run(["replay", exported, "--pipeline", pipeline, "--data", replayed])
        #expect(replay.status == 0, "\(replay.stderr)")
        let liveSessions = try RecordReplayTests.rows(live, "SELECT * FROM sessions ORDER BY id")
        #expect(!liveSessions.isEmpty)
        #expect(try RecordReplayTests.rows(replayed, "SELECT * FROM sessions ORDER BY id") == liveSessions)
        #expect(try RecordReplayTests.rows(replayed, "SELECT * FROM anomalies ORDER BY id")
            == RecordReplayTests.rows(live, "SELECT * FROM anomalies ORDER BY id"))

        // A range by LSN, and a position the log no longer holds.
        let firstTwo = try WattlineProcess.run(["export-log", "--data", live, "--out", directory.path + "/two.jsonl",
                                                "--from", "1", "--to", "3"])
        #expect(firstTwo.status == 0, "\(firstTwo.stderr)")
        let missing = try WattlineProcess.run(["export-log", "--data", directory.path + "/nowhere", "--out",
                                               directory.path + "/none.jsonl"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
    }

    /// The issue: live ticks fall at wall-clock instants, and a replay used to synthesize its own every second after
    /// each message, so whatever was decided on a tick could differ. Now the export carries the log's ticks and the
    /// replay writes exactly those.
    ///
    /// Two declared chargers on a real broker report for two seconds; then all traffic stops. The ticks the live run
    /// writes in the silence open a `telemetry_gap` for both (`offline_after: 3s`); GAP-2 reports again after about
    /// five seconds (its gap resolves), GAP-1 never does, and a tick about ten seconds after its last report closes
    /// its session (`silence_timeout: 10s`, reason `timeout`). The exported log, replayed into a fresh directory,
    /// gives the live run's sessions and anomalies, every column, and a log identical to the live one — ticks at the
    /// live instants. Replayed from an export without ticks (`--no-ticks`, what export-log wrote before), the
    /// session stays open (the ticks a replay synthesizes stop shortly after the last message), and the gaps'
    /// values, judged on ticks, differ whenever the live ticks were off the grid a replay synthesizes.
    @Test func aLiveRunsTicksAreExportedAndReplayedAtTheirInstants() throws {
        let broker = try MosquittoBroker()
        let directory = try TemporaryDirectory(prefix: "wattline-export-ticks")
        defer { directory.remove() }
        let pipeline = try directory.write(#"broker: {url: "mqtt://127.0.0.1:\#(broker.port)", client_id: wattline-ticks-test}"#
            + "\n" + ReplayResumeTests.compactPipeline(ingest: "lateness: 1s\n  log_retention: 1d") + """

            processors:
              sessions: {silence_timeout: 10s}
            fleet:
              sites: [{id: depot, timezone: UTC}]
              chargers:
                - {id: GAP-1, site: depot, protocol: compact, offline_after: 3s}
                - {id: GAP-2, site: depot, protocol: compact, offline_after: 3s}
            """, to: "pipeline.yaml")
        let (live, replayed, synthesized) = (directory.path + "/live", directory.path + "/replayed", directory.path + "/synthesized")
        let exported = directory.path + "/exported.jsonl.zst"

        let run = try KillNineTests.RunningWattline(pipeline: pipeline, data: live,
                                                    log: URL(fileURLWithPath: directory.path + "/run.log"))
        #expect(KillNineTests.eventually(15) { run.output.contains("connected to") }, "\(run.output)")
        var energy = [1: 1_000, 2: 5_000]  // GAP-2 is idle: its register stands still
        func report(_ charger: Int, _ extra: String = "") throws {
            if charger == 1 { energy[charger]! += 4 }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let fields = charger == 1
                ? #""tx":"T-1","power_w":7000,"status":"Charging""# + extra
                : #""power_w":0,"status":"Available""#
            try broker.publish(topic: "ev/depot/GAP-\(charger)/1/meter",
                               payload: Array(#"{"ts":\#(now),"energy_wh":\#(energy[charger]!),\#(fields)}"#.utf8))
        }
        try report(1, #","event":"started""#)
        for _ in 0..<8 {
            try report(1)
            try report(2)
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 5)  // silence: both gaps open on ticks
        for _ in 0..<3 { try report(2) }
        Thread.sleep(forTimeInterval: 7)  // GAP-1's session times out on a tick; the windows close
        run.signal(SIGTERM)
        #expect(run.waitForExit() == 0, "\(run.output.suffix(1500))")

        let export = try WattlineProcess.run(["export-log", "--data", live, "--out", exported])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.contains(" messages and ") && export.stderr.contains(" ticks (LSN 1..."), "\(export.stderr)")
        let reader = try FixtureReader(path: exported)
        let entries = try reader.readAllEntries().map(\.entry)
        #expect(reader.recordsTicks && reader.problems.isEmpty)
        // The live ticks in the first silence, which is at least four seconds long.
        let messages = entries.compactMap(\.message).filter { $0.topic.hasPrefix("ev/") }
        #expect(messages.count == 20)
        let silenceStart = messages[16].receivedAt, silenceEnd = messages[17].receivedAt
        let silenceTicks = entries.compactMap { entry -> Int64? in
            guard case .tick(let time) = entry, time > silenceStart, time < silenceEnd else { return nil }
            return time
        }
        #expect(silenceTicks.count >= 3, "ticks \(silenceTicks) between \(silenceStart) and \(silenceEnd)")

        // Replayed: the live run's rows, every column, and the live run's log, ticks included.
        let replay = try WattlineProcess.run(["replay", exported, "--pipeline", pipeline, "--data", replayed])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stderr.contains("replayed \(entries.compactMap(\.message).count) messages"), "\(replay.stderr)")
        #expect(replay.stderr.contains("ticks: \(entries.count - entries.compactMap(\.message).count) recorded in the "
            + "fixtures written, none synthesized"), "\(replay.stderr)")
        let liveSessions = try RecordReplayTests.rows(live, "SELECT * FROM sessions ORDER BY id")
        let liveAnomalies = try RecordReplayTests.rows(live, "SELECT * FROM anomalies ORDER BY id")
        #expect(try RecordReplayTests.rows(live, "SELECT charger, state, end_reason FROM sessions")
            == [["GAP-1", "closed", "timeout"]])
        // GAP-1's gap, GAP-2's first (resolved when it reported again) and its second (after its last report).
        let first = Timestamp.format(messages[0].receivedAt)
        #expect(try RecordReplayTests.rows(live, "SELECT charger, resolved_at IS NULL FROM anomalies WHERE kind = 'telemetry_gap' "
            + "AND started_at >= '\(first)' ORDER BY charger, started_at") == [["GAP-1", "1"], ["GAP-2", "0"], ["GAP-2", "1"]])
        #expect(try RecordReplayTests.rows(replayed, "SELECT * FROM sessions ORDER BY id") == liveSessions)
        #expect(try RecordReplayTests.rows(replayed, "SELECT * FROM anomalies ORDER BY id") == liveAnomalies)
        let again = directory.path + "/again.jsonl.zst"
        #expect(try WattlineProcess.run(["export-log", "--data", replayed, "--out", again]).status == 0)
        #expect(try FixtureReader(path: again).readAllEntries().map(\.entry) == entries, "the replay's log is not the live one")
        let archive = ["export", "--from", "2020-01-01", "--to", "2100-01-01"]
        #expect(try WattlineProcess.run(archive + ["--data", replayed]).stdout == (try WattlineProcess.run(archive + ["--data", live]).stdout))

        // Without the ticks, as before: the replay synthesizes its own, and what was decided on ticks differs.
        let withoutTicks = directory.path + "/without-ticks.jsonl"
        let plain = try WattlineProcess.run(["export-log", "--data", live, "--out", withoutTicks, "--no-ticks"])
        #expect(plain.status == 0 && plain.stderr.contains("tick records left out"), "\(plain.stderr)")
        #expect(!(try String(contentsOfFile: withoutTicks, encoding: .utf8)).contains("tick"))
        let old = try WattlineProcess.run(["replay", withoutTicks, "--pipeline", pipeline, "--data", synthesized])
        #expect(old.status == 0 && !old.stderr.contains("ticks:"), "\(old.stderr)")
        let oldSessions = try RecordReplayTests.rows(synthesized, "SELECT charger, state FROM sessions")
        #expect(oldSessions == [["GAP-1", "open"]], "\(oldSessions)")
        // GAP-1's gap opened at the first tick three seconds after its last report: live, a wall-clock instant; now
        // one of the ticks synthesized every second after the last message before the silence. Unless a live tick
        // fell exactly on that grid, its value (the silence then) and the time of that transition differ.
        let gap = "SELECT started_at, value, updated_at FROM anomalies WHERE kind = 'telemetry_gap' AND charger = 'GAP-1' "
            + "AND started_at >= '\(first)'"
        let (liveGap, oldGap) = (try RecordReplayTests.rows(live, gap), try RecordReplayTests.rows(synthesized, gap))
        #expect(liveGap.count == 1 && oldGap.count == 1)
        #expect(oldGap.first?.first == liveGap.first?.first, "started_at is GAP-1's last report either way")
        if silenceTicks.allSatisfy({ ($0 - silenceStart) % 1_000 != 0 }) {
            #expect(oldGap.first.map { Array($0.dropFirst()) } != liveGap.first.map { Array($0.dropFirst()) },
                    "live \(liveGap), synthesized \(oldGap)")
        }
    }

    /// Counts a fixture text's message lines and tick lines.
    static func lines(_ text: String) -> (messages: Int, ticks: Int) {
        let lines = text.split(separator: "\n")
        return (lines.filter { $0.contains(#""topic":"#) }.count, lines.filter { $0.hasSuffix(#""tick":true}"#) }.count)
    }

    /// The default pipeline on the test broker, with a short reordering window.
    static func pipelineText(port: Int) throws -> String {
        try String(contentsOf: WattlineProcess.repository.appendingPathComponent("Pipelines/default.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "mqtt://127.0.0.1:1883", with: "mqtt://127.0.0.1:\(port)")
            .replacingOccurrences(of: "include: fleet/default-fleet.yaml",
                                  with: "include: \(WattlineProcess.repository.path)/Pipelines/fleet/default-fleet.yaml")
            + "\ningest:\n  lateness: 1s\n"
    }
}
