import Foundation
import MosquittoTestSupport
import SQLite
import Testing

/// `wattline replay`: fixtures through the live stages with no broker; a second replay of the same data changes
/// nothing.
@Suite struct ReplayCommandTests {
    static func sessionRows(_ data: String) throws -> [[String]] {
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare("""
            SELECT id, charger, evse, transaction_id, started_at, ended_at, energy_wh, state FROM sessions ORDER BY id
            """)
        var rows: [[String]] = []
        while try statement.step() {
            rows.append((0..<8).map { statement.isNull(at: $0) ? "NULL" : statement.text(at: $0) })
        }
        return rows
    }

    @Test func aReplayedSessionLandsOnceHoweverOftenItIsReplayed() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let first = try WattlineProcess.run(["replay", "Fixtures/ocpp16-session.jsonl", "--pipeline", "Pipelines/default.yaml",
                                             "--data", data])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("replayed 30 messages") && first.stderr.contains("rejected 0"), "\(first.stderr)")
        let rows = try Self.sessionRows(data)
        #expect(rows.count == 1)
        #expect(rows.first?[1] == "CP-DEPOT-01")
        #expect(rows.first?[4] == "2026-11-21T08:01:20.000Z")
        #expect(rows.first?.last == "closed")

        let again = try WattlineProcess.run(["replay", "Fixtures/ocpp16-session.jsonl", "--pipeline", "Pipelines/default.yaml",
                                             "--data", data])
        #expect(again.status == 0)
        #expect(again.stderr.contains("readings stored 0"), "\(again.stderr)")
        #expect(try Self.sessionRows(data) == rows)

        // The archive has the readings once.
        let stats = try WattlineProcess.run(["stats", "--data", data, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let stored = first.stderr.components(separatedBy: "readings stored ").last?.prefix { $0.isNumber }
        #expect((object["sealed_samples"] as? Int ?? 0) + (object["head_samples"] as? Int ?? 0) == Int(stored ?? ""))
    }

    @Test func rejectionsAreCountedByReasonAndKept() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let result = try WattlineProcess.run(["replay", "Fixtures/malformed.jsonl", "--pipeline", "Pipelines/default.yaml",
                                              "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("not_a_number"), "\(result.stderr)")
        let deadLetters = try FileManager.default.contentsOfDirectory(atPath: data + "/dead-letter")
        #expect(!deadLetters.isEmpty)
    }

    /// The broker's drop counter is a log record like any message: replay raises `broker_drops` from it.
    @Test func theBrokersDropCounterRaisesBrokerDrops() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay")
        defer { directory.remove() }
        let lines = [("08:00:00", "0"), ("08:00:10", "0"), ("08:00:20", "7"), ("08:00:30", "7")].map { time, value in
            #"{"received_at":"2026-11-21T\#(time).000Z","topic":"$SYS/broker/publish/messages/dropped","qos":0,"retain":false,"payload":"\#(value)"}"#
        }
        let fixture = try directory.write(lines.joined(separator: "\n") + "\n", to: "sys.jsonl")
        let data = directory.path + "/data"
        let result = try WattlineProcess.run(["replay", fixture, "--pipeline", "Pipelines/default.yaml", "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("accepted 0, decoded 0, rejected 0"), "\(result.stderr)")
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare("SELECT kind, value, started_at FROM anomalies")
        #expect(try statement.step())
        #expect(statement.text(at: 0) == "broker_drops")
        #expect(statement.double(at: 1) == 7)
        #expect(statement.text(at: 2) == "2026-11-21T08:00:20.000Z")
    }

    /// `--speed N` keeps the recording's pacing, N times faster: the session fixture spans 11 minutes 20 seconds of
    /// receive time, so at 200× it takes at least 3.4 s.
    @Test func speedKeepsTheRecordingsPace() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-replay")
        defer { directory.remove() }
        let started = Date()
        let result = try WattlineProcess.run(["replay", "Fixtures/ocpp16-session.jsonl", "--data", directory.path + "/data",
                                              "--speed", "200"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) >= 3.3)
        let bad = try WattlineProcess.run(["replay", "Fixtures/ocpp16-session.jsonl", "--data", directory.path + "/x", "--speed", "0"])
        #expect(bad.status != 0)
    }

    /// Results are a function of the records alone, not of how the worker batched them: a simulated fleet with
    /// faults (so anomalies, sessions and site loads of several chargers interleave) replayed with the default
    /// batches and with batches of 3 through a ring of 16 gives the same rows in every result table. Before the
    /// worker settled on receive-time seconds, the two differed in all four.
    @Test func resultsDoNotDependOnTheWorkersBatches() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-batches")
        defer { directory.remove() }
        let stream = directory.path + "/day.jsonl"
        let fleet = directory.path + "/fleet.yaml"
        let simulated = try WattlineProcess.run([
            "simulate", "--chargers", "12", "--sites", "2", "--duration", "6h", "--seed", "8", "--faults", "0.1",
            "--start", "2026-11-21T06:00:00Z", "--out", stream, "--fleet-out", fleet])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let tariffs = WattlineProcess.repository.appendingPathComponent("Pipelines/tariffs/example.yaml").path
        let base = SimulatedFaultsTests.pipeline(fleet: fleet) + "include: [\(tariffs)]\n"
        var tables: [[[String]]] = []
        for (name, extra) in [("default", ""), ("small", "ingest:\n  batch_size: 3\n  ring_capacity: 16\n")] {
            let pipeline = try directory.write(base + extra, to: "\(name).yaml")
            let data = directory.path + "/" + name
            let replayed = try WattlineProcess.run(["replay", stream, "--pipeline", pipeline, "--data", data])
            #expect(replayed.status == 0, "\(replayed.stderr)")
            tables.append(try [("sessions", "id"), ("session_costs", "session_id, line"), ("anomalies", "id"),
                               ("load_intervals", "level, site, charger, evse, connector, start")].flatMap { table, order in
                try RecordReplayTests.rows(data, "SELECT '\(table)', * FROM \(table) ORDER BY \(order)")
            })
        }
        #expect(tables[0].count > 100)
        for kind in ["sessions", "session_costs", "anomalies", "load_intervals"] {
            #expect(tables[0].contains { $0.first == kind }, "\(kind) has rows")
            #expect(tables[0].filter { $0.first == kind } == tables[1].filter { $0.first == kind }, "\(kind)")
        }
    }
}
