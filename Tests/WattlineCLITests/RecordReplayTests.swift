import Foundation
import MosquittoTestSupport
import Recording
import SQLite
import Testing

/// Live and replay agree: `wattline run` on a real broker receives a charger's traffic while `wattline record`
/// records it; replaying that recording into a fresh data directory gives the same sessions and the same archive.
@Suite(.serialized) struct RecordReplayTests {
    @Test func replayingALiveRunsRecordingGivesTheSameResults() throws {
        let broker = try MosquittoBroker()
        let directory = try TemporaryDirectory(prefix: "wattline-record")
        defer { directory.remove() }
        let pipelineText = try String(contentsOf: WattlineProcess.repository.appendingPathComponent("Pipelines/default.yaml"),
                                      encoding: .utf8)
            .replacingOccurrences(of: "mqtt://127.0.0.1:1883", with: "mqtt://127.0.0.1:\(broker.port)")
            .replacingOccurrences(of: "include: fleet/default-fleet.yaml",
                                  with: "include: \(WattlineProcess.repository.path)/Pipelines/fleet/default-fleet.yaml")
            + "\ningest:\n  lateness: 1s\n"
            + "include: [\(WattlineProcess.repository.path)/Pipelines/tariffs/example.yaml]\n"
        let pipeline = try directory.write(pipelineText, to: "pipeline.yaml")
        let live = directory.path + "/live"
        let replayed = directory.path + "/replayed"
        let recording = directory.path + "/recording.jsonl.zst"
        let fixture = try FixtureReader(path: WattlineProcess.repository.appendingPathComponent("Fixtures/ocpp16-session.jsonl").path)
        var messages: [(String, [UInt8])] = []
        while let record = try fixture.next() { messages.append((record.message.topic, record.message.payload)) }

        let runLog = URL(fileURLWithPath: directory.path + "/run.log")
        let run = try KillNineTests.RunningWattline(pipeline: pipeline, data: live, log: runLog)
        let recorder = try ChildProcess(try WattlineProcess.executable.path,
                                        ["record", "--broker", "mqtt://127.0.0.1:\(broker.port)", "--topic", "ocpp/#",
                                         "--out", recording, "--count", "\(messages.count)"],
                                        errorPath: directory.path + "/recorder.err")
        #expect(KillNineTests.eventually(15) { run.output.contains("connected to") }, "\(run.output)")
        Thread.sleep(forTimeInterval: 1)  // the recorder subscribes too
        for (topic, payload) in messages { try broker.publish(topic: topic, payload: payload) }
        #expect(recorder.wait() == 0)
        #expect(try directory.read("recorder.err").contains("\(messages.count) messages"))
        Thread.sleep(forTimeInterval: 3)  // the live run's windows and flushes
        run.signal(SIGTERM)
        #expect(run.waitForExit() == 0, "\(run.output.suffix(1500))")

        // The recording holds the messages as published, in order.
        let recorded = try FixtureReader(path: recording)
        var again: [(String, [UInt8])] = []
        while let record = try recorded.next() { again.append((record.message.topic, record.message.payload)) }
        #expect(again.map(\.0) == messages.map(\.0))
        #expect(again.map(\.1) == messages.map(\.1))

        let replay = try WattlineProcess.run(["replay", recording, "--pipeline", pipeline, "--data", replayed])
        #expect(replay.status == 0, "\(replay.stderr)")

        // Every result row, every column (none of these tables has a processing-time column): sessions with their
        // record and cost, the cost lines, anomalies, load intervals.
        let liveSessions = try Self.rows(live, "SELECT * FROM sessions ORDER BY id")
        #expect(!liveSessions.isEmpty)
        #expect(try Self.rows(replayed, "SELECT * FROM sessions ORDER BY id") == liveSessions)
        #expect(try Self.rows(live, "SELECT cost_status FROM sessions") == [["priced"]])
        for (table, order) in [("session_costs", "session_id, line"), ("anomalies", "id"),
                               ("load_intervals", "level, site, charger, evse, connector, start")] {
            let liveRows = try Self.rows(live, "SELECT * FROM \(table) ORDER BY \(order)")
            #expect(try Self.rows(replayed, "SELECT * FROM \(table) ORDER BY \(order)") == liveRows, "\(table)")
            // The 11-minute fixture closes no 15-minute interval and opens no anomaly; its session has cost lines.
            if table == "session_costs" { #expect(!liveRows.isEmpty) }
        }
        let liveExport = try WattlineProcess.run(["export", "--data", live, "--from", "2026-01-01", "--to", "2027-01-01"])
        let replayExport = try WattlineProcess.run(["export", "--data", replayed, "--from", "2026-01-01", "--to", "2027-01-01"])
        #expect(liveExport.stdout.split(separator: "\n").count > 10)
        #expect(replayExport.stdout == liveExport.stdout)
    }

    static func rows(_ data: String, _ sql: String) throws -> [[String]] {
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare(sql)
        var rows: [[String]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.isNull(at: $0) ? "NULL" : statement.text(at: $0) })
        }
        return rows
    }
}
