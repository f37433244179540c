import Foundation
import MosquittoTestSupport
@testable import Processing
import SQLite
import Testing

/// `wattline revenue`, `usage`, `chargers` and `cdrs` run as a user would, over a `wattline.db` written here and a
/// pipeline declaring the fleet (`Fixtures/reports/pipeline.yaml`): at the Berlin site, CP-1's two-connector EVSE 1
/// charged around the autumn clock change (2026-10-25 has 25 hours there); CP-1 has a second EVSE.
@Suite struct ReportCommandTests {
    /// Three finalized, priced sessions on CP-1 EVSE 1 and a 6-hour fault; returns (data directory, pipeline file).
    static func fixture(in directory: TemporaryDirectory) throws -> (data: String, pipeline: String) {
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        try ResultSchema.migrate(database)
        let insert = try database.prepare("""
            INSERT INTO sessions (id, site, charger, evse, connector, id_tag, state, phase, start_kind, started_at, ended_at,
                energy_wh, energy_source, charging_s, suspended_ev_s, suspended_evse_s, idle_s, interrupted_s, interruptions,
                limited_by, complete, quality, quality_flags, anomalies, amended, late_readings, record,
                tariff_id, currency, cost_energy, cost_time, cost_parking, cost_flat, cost_excl_vat, vat, cost_total, cost_status)
            VALUES (?, 'depot', 'CP-1', 1, ?, 'TAG-1', 'finalized', 'ended', 'transaction', ?, ?, ?, 'register', ?, 0, 0, 0, 0, 0,
                'vehicle', 1, 0, '', '', 0, 0, '{}', 'standard', 'EUR', ?, '0', '0', '0', ?, ?, ?, 'priced')
            """)
        // c1 02:30 CEST on the 25-hour 10-25; c2 00:30 CET on 10-26 (10-25 in UTC), on connector 2; c3 on 10-24.
        let rows: [[SQLiteValue]] = [
            ["00000000000000c1", 1, "2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z", 11_000, 3600, "1.10", "1.10", "0.21", "1.31"],
            ["00000000000000c2", 2, "2026-10-25T23:30:00.000Z", "2026-10-26T01:30:00.000Z", 22_000, 7200, "2.20", "2.20", "0.42", "2.62"],
            ["00000000000000c3", 1, "2026-10-24T10:00:00.000Z", "2026-10-24T10:30:00.000Z", 500, 1800, "0.05", "0.05", "0.01", "0.06"],
        ]
        for row in rows { try insert.run(row) }
        try database.execute("""
            INSERT INTO anomalies (id, kind, severity, site, charger, evse, connector, session_id, started_at, updated_at,
                resolved_at, value, last_value, threshold, unit, count, detail, message)
            VALUES ('00000000000000f1', 'fault', 'critical', 'depot', 'CP-1', 1, 1, NULL, '2026-10-24T00:00:00.000Z',
                '2026-10-24T06:00:00.000Z', '2026-10-24T06:00:00.000Z', 0, 0, 0, '', 1, 'GroundFailure', 'CP-1 faulted')
            """)
        return (data, "Fixtures/reports/pipeline.yaml")
    }

    static func run(_ command: String, _ fixture: (data: String, pipeline: String),
                    _ arguments: [String]) throws -> WattlineProcess.Result {
        try WattlineProcess.run([command, "--data", fixture.data, "--pipeline", fixture.pipeline] + arguments)
    }

    @Test func revenueByLocalDayAddsUpToTheCent() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-reports")
        defer { directory.remove() }
        let fixture = try Self.fixture(in: directory)
        let result = try Self.run("revenue", fixture, ["--by", "day", "--site", "depot", "--from", "2026-10-24", "--to", "2026-10-27",
                                                       "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        // Berlin days: 10-24 from 02:00 CEST (22 h in the period), 10-25 with 25 h, 10-26 24 h, 10-27's first hour.
        // Two EVSEs at the depot: c1's hour on 10-25 is 1/50 = 2.0 %; c2's 2 h on 10-26 (local) are 2/48 = 4.2 %;
        // the total 3.5 h of 2 × 72 = 2.4 %.
        #expect(result.stdout.split(separator: "\n").map(String.init) == [
            "day,sessions,unpriced,kwh,excl_vat_EUR,incl_vat_EUR,charging_h,idle_h,utilisation_percent",
            "2026-10-24,1,0,0.500,0.05,0.06,0.50,0.00,1.1",
            "2026-10-25,1,0,11.000,1.10,1.31,1.00,0.00,2.0",
            "2026-10-26,1,0,22.000,2.20,2.62,2.00,0.00,4.2",
            "2026-10-27,0,0,0.000,0.00,0.00,0.00,0.00,0.0",
            "total,3,0,33.500,3.35,3.99,3.50,0.00,2.4",
        ])
        let json = try Self.run("revenue", fixture, ["--by", "evse", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["key"] as? String } == ["BOS-1/1", "CP-1/1", "CP-1/2"])
    }

    @Test func revenueRefusesBadInputWithAClearMessage() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-reports")
        defer { directory.remove() }
        let fixture = try Self.fixture(in: directory)
        let unknown = try Self.run("revenue", fixture, ["--by", "week"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown grouping 'week'; expected one of: site, charger, evse, day, month, tariff"))
        let zone = try Self.run("revenue", fixture, ["--tz", "Mars/Olympus"])
        #expect(zone.status != 0 && zone.stderr.contains("'Mars/Olympus' is not an IANA time zone"))

        let database = try Database(path: fixture.data + "/wattline.db")
        try database.execute("UPDATE sessions SET cost_excl_vat = '1.1.0' WHERE id = '00000000000000c2'")
        database.close()
        let malformed = try Self.run("revenue", fixture, [])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains(
            "wattline revenue: session 00000000000000c2: cost_excl_vat is '1.1.0', expected an exact decimal amount such as 12.34"))
        #expect(malformed.stdout.isEmpty)
    }

    @Test func usageByWeekday() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-reports")
        defer { directory.remove() }
        let fixture = try Self.fixture(in: directory)
        let result = try Self.run("usage", fixture, ["--by", "weekday", "--format", "json", "--from", "2026-10-19", "--to", "2026-10-26"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["key"] as? String } == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        // c3 on Saturday 10-24; c1 on Sunday 10-25; c2 at 10-25T23:30Z, before --to, is Monday 00:30 in Berlin.
        #expect(rows.map { ($0["sessions"] as? NSNumber)?.intValue } == [1, 0, 0, 0, 0, 1, 1])
    }

    @Test func chargersShowNEVIUptime() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-reports")
        defer { directory.remove() }
        let fixture = try Self.fixture(in: directory)
        let result = try Self.run("chargers", fixture, ["--from", "2026-10-24", "--to", "2026-10-26", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.map { $0["charger"] as? String } == ["CP-1", "CP-1", "CP-1", "BOS-1", "BOS-1"])
        // 48 hours, 6 of them faulted: (48 − 6) / 48 = 0.875, below the 97 % bar.
        let evse = try #require(rows.first { $0["evse"] is NSNumber })
        #expect((evse["uptime"] as? NSNumber)?.doubleValue == 0.875)
        #expect((evse["outage_h"] as? NSNumber)?.doubleValue == 6)
        // 33.5 kWh in 3.5 h of charging: 9.6 kW on a 22 kW EVSE, under half its rating.
        #expect(evse["flags"] as? [String] == ["uptime<97%", "power<50%"])
        #expect((evse["sessions"] as? NSNumber)?.intValue == 3)
        let table = try Self.run("chargers", fixture, ["--from", "2026-10-24", "--to", "2026-10-26"])
        #expect(table.stdout.contains("87.5"))
    }

    @Test func cdrsAreExportedOnceAndReturnedAsStored() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-reports")
        defer { directory.remove() }
        let fixture = try Self.fixture(in: directory)
        let first = try Self.run("cdrs", fixture, [])
        #expect(first.status == 0, "\(first.stderr)")
        let cdrs = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [[String: Any]])
        #expect(cdrs.map { $0["id"] as? String } == ["00000000000000c3", "00000000000000c1", "00000000000000c2"])
        for cdr in cdrs {
            for field in ["country_code", "party_id", "id", "start_date_time", "end_date_time", "cdr_token", "auth_method",
                          "cdr_location", "currency", "charging_periods", "total_cost", "total_energy", "total_time", "last_updated"] {
                #expect(cdr[field] != nil, "\(field)")
            }
        }
        #expect(first.stderr.contains("3 issued now"))
        let second = try Self.run("cdrs", fixture, [])
        #expect(second.stdout == first.stdout)
        #expect(second.stderr.contains("0 issued now"))
        let csv = try Self.run("cdrs", fixture, ["--format", "csv", "--from", "2026-10-25"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("id,kind,session_id,replaces,issued_at") == true)
        #expect(lines.count == 3)
        #expect(lines.dropFirst().first?.contains(",EUR,1.10,1.31,11,1,0") == true)
    }
}
