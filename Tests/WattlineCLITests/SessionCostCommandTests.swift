import Foundation
import MosquittoTestSupport
import SQLite
import Testing

/// Sessions priced by the real binary: a fixture replayed with a tariff, its cost in `sessions`, explained by
/// `session ID`, and the cost so far of a session still open in `sessions --open`.
@Suite struct SessionCostCommandTests {
    /// ENERGY 0.35/kWh, FLAT 0.50, PARKING_TIME 6.00/h with a 5-minute step, 19 % VAT.
    static let tariffs = """

        tariffs:
          default: depot-ac
          definitions:
            - id: depot-ac
              currency: EUR
              vat: 19
              valid_from: 2026-01-01T00:00:00+01:00
              elements:
                - price_components:
                    - {type: ENERGY, price: 0.35}
                    - {type: FLAT, price: 0.50}
                    - {type: PARKING_TIME, price: 6.00, step_size: 300}

        """

    /// The default pipeline with `tariffs` and its fleet file, written to `directory`.
    static func pipeline(in directory: TemporaryDirectory) throws -> String {
        let repository = WattlineProcess.repository.path
        try FileManager.default.createDirectory(atPath: directory.path + "/fleet", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repository + "/Pipelines/fleet/default-fleet.yaml",
                                         toPath: directory.path + "/fleet/default-fleet.yaml")
        let text = try String(contentsOfFile: repository + "/Pipelines/default.yaml", encoding: .utf8) + tariffs
        let path = directory.path + "/pipeline.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Fixtures/ocpp16-session.jsonl: start 08:01:20Z, 736 Wh charged by 08:05:20 (11 kW), the car pauses
    /// (SuspendedEV 08:05:50, power 0 from 08:06:20), stop 08:08:20, unplugged 08:10:20.
    /// By hand: ENERGY 0.736 kWh × 0.35 = 0.2576 → 0.26. FLAT 0.50. PARKING from the end of charging (between
    /// 08:05:20 and 08:06:20) to the unplug: 4 to 5 minutes, rounded up to the 300 s step = 5 min × 6.00/h = 0.50.
    /// Excl. VAT 1.26; VAT 19 % = 0.2394 → 0.24; total 1.50.
    @Test func aReplayedSessionIsPricedAndExplained() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-cost")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let pipeline = try Self.pipeline(in: directory)
        let replay = try WattlineProcess.run(["replay", "Fixtures/ocpp16-session.jsonl", "--pipeline", pipeline, "--data", data])
        #expect(replay.status == 0, "\(replay.stderr)")
                #expect(try RecordReplayTests.rows(data, """
            SELECT tariff_id, currency, cost_energy, cost_time, cost_parking, cost_flat, cost_excl_vat, vat, cost_total,
                   cost_status FROM sessions
            """) == [["depot-ac", "EUR", "0.26", "0.00", "0.50", "0.50", "1.26", "0.24", "1.50", "priced"]])
        let lines = try RecordReplayTests.rows(data, "SELECT dimension, price, measured_volume, step_volume FROM session_costs ORDER BY line")
        func total(_ dimension: String, columns: [Int]) -> Int {
            var sum = 0
            for line in lines where line[0] == dimension {
                for column in columns { sum += Int(line[column]) ?? -1_000_000 }
            }
            return sum
        }
        #expect(total("energy", columns: [2]) == 736)
        // Measured and step volumes of parking add up to the 5 billed minutes (ms).
        #expect(total("parking", columns: [2, 3]) == 300_000)
        #expect(lines.filter { $0[0] == "flat" } == [["flat", "0.5", "1", "0"]])

        let id = try #require(try RecordReplayTests.rows(data, "SELECT id FROM sessions").first?.first)
        let list = try WattlineProcess.run(["sessions", "--data", data])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("1.50 EUR"), "\(list.stdout)")
        let detail = try WattlineProcess.run(["session", id, "--data", data])
        #expect(detail.status == 0, "\(detail.stderr)")
        #expect(detail.stdout.contains("cost (tariff depot-ac, EUR):"), "\(detail.stdout)")
        #expect(detail.stdout.contains("energy    0.26 (exact 0.2576, rounded half-up once; VAT 19 %)"), "\(detail.stdout)")
        #expect(detail.stdout.contains("VAT 19 % on 1.26 = 0.24"), "\(detail.stdout)")
        #expect(detail.stdout.contains("total     1.26 excl. VAT + 0.24 VAT = 1.50 EUR"), "\(detail.stdout)")
    }

    /// The fixture cut after the reading of 08:04:20: the session is open with 552 Wh.
    /// By hand: ENERGY 0.552 × 0.35 = 0.1932 → 0.19; FLAT 0.50; no parking yet; excl. 0.69; VAT 0.1311 → 0.13;
    /// so far 0.82.
    @Test func anOpenSessionShowsItsProgressAndCostSoFar() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-cost")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let pipeline = try Self.pipeline(in: directory)
        let fixture = try String(contentsOfFile: WattlineProcess.repository.path + "/Fixtures/ocpp16-session.jsonl", encoding: .utf8)
        let cut = fixture.split(separator: "\n").prefix { !$0.contains(#"\"m3\""#) }.joined(separator: "\n") + "\n"
        let path = directory.path + "/cut.jsonl"
        try cut.write(toFile: path, atomically: true, encoding: .utf8)
        let replay = try WattlineProcess.run(["replay", path, "--pipeline", pipeline, "--data", data])
        #expect(replay.status == 0, "\(replay.stderr)")
        let result = try WattlineProcess.run(["sessions", "--open", "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = ResultCommandTests.cells(result.stdout)
        #expect(rows.first == ["id", "site", "charger", "evse", "started", "phase", "kWh", "kW", "SoC", "to full", "cost so far"])
        #expect(rows.count == 2)
        #expect(rows.last.map { Array($0.dropFirst()) }
            == ["depot", "CP-DEPOT-01", "1", "2026-11-21 08:01:20", "charging", "0.55", "11.0", "-", "-", "0.82 EUR"])
    }
}
