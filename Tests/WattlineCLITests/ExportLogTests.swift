import Foundation
import MosquittoTestSupport
import Recording
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

    /// The default pipeline on the test broker, with a short reordering window.
    static func pipelineText(port: Int) throws -> String {
        try String(contentsOf: WattlineProcess.repository.appendingPathComponent("Pipelines/default.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "mqtt://127.0.0.1:1883", with: "mqtt://127.0.0.1:\(port)")
            .replacingOccurrences(of: "include: fleet/default-fleet.yaml",
                                  with: "include: \(WattlineProcess.repository.path)/Pipelines/fleet/default-fleet.yaml")
            + "\ningest:\n  lateness: 1s\n"
    }
}
