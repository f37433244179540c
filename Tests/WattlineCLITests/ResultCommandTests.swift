import Foundation
import MosquittoTestSupport
@testable import Processing
import SQLite
import Telemetry
import Testing

/// `wattline sessions`, `session`, `anomalies` and `load` over a `wattline.db` written here row by row: what comes
/// out is exactly what was stored, filtered as asked, and what `sqlite3` reads from the same file.
@Suite struct ResultCommandTests {
    // MARK: - Fixture

    static let sessionsA1 = "00000000000000a1"
    static let sessionB2 = "00000000000000b2"
    static let sessionC3 = "00000000000000c3"
    /// A charger identity CSV must quote.
    static let oddCharger = "HW,1 \"north\""

    /// A record as `ResultStore` writes it (JSONEncoder, sorted keys), trimmed to the fields the command reads.
    static let recordA1 = """
        {"amended":0,"charger":"CP-1","curve":{"points":[\
        {"averageW":11000,"maxW":11040,"samples":6,"soc":20,"t":1795248000000},\
        {"averageW":5500,"maxW":6000,"samples":6,"soc":21,"t":1795248060000},\
        {"averageW":2750,"maxW":3000,"samples":3,"t":1795248300000}],"stepMs":60000},\
        "id":"00000000000000a1","site":"depot","startedAt":1795248000000}
        """

    /// Three sessions, three anomalies and load intervals of every level, in `DATA/wattline.db`.
    static func database(in directory: TemporaryDirectory) throws -> (data: String, path: String) {
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let path = data + "/wattline.db"
        let database = try Database(path: path)
        defer { database.close() }
        try ResultSchema.migrate(database)
        let session = try database.prepare("""
            INSERT INTO sessions (id, site, charger, evse, connector, transaction_id, id_tag, id_tag_status, state, phase,
                start_kind, started_at, plugged_at, charging_ended_at, ended_at, unplugged_at, end_reason, stop_reason,
                meter_start_wh, meter_stop_wh, energy_wh, energy_source, integrated_energy_wh, charging_s, suspended_ev_s,
                suspended_evse_s, idle_s, interrupted_s, interruptions, peak_power_w, average_power_w, offered_power_w,
                soc_start, soc_end, taper_soc, limited_by, complete, quality, quality_flags, anomalies, amended,
                late_readings, signed_begin, signed_end, record)
            VALUES (?, ?, ?, ?, 1, ?, NULL, NULL, ?, ?, 'transaction', ?, NULL, NULL, ?, NULL, ?, ?, 1000, NULL, ?,
                'register', ?, ?, 0, 0, ?, 0, 0, ?, NULL, NULL, ?, ?, NULL, 'vehicle', ?, ?, ?, ?, ?, 0, NULL, NULL, ?)
            """)
        typealias Row = (id: String, site: String, charger: String, evse: Int64, transaction: SQLiteValue, state: String,
                         phase: String, started: String, ended: SQLiteValue, endReason: SQLiteValue, stopReason: SQLiteValue,
                         energy: SQLiteValue, integrated: SQLiteValue, charging: Double, idle: Double, peak: SQLiteValue,
                         socStart: SQLiteValue, socEnd: SQLiteValue, complete: Int64, quality: Int64, flags: String,
                         anomalies: String, amended: Int64, record: String)
        let sessions: [Row] = [
            (sessionsA1, "depot", "CP-1", 1, "tx-17", "finalized", "ended", "2026-11-21T08:00:00.000Z",
             "2026-11-21T09:30:00.000Z", "transaction", "EVDisconnected", 22400.5, 22310.25, 4200, 1200, 11040, 20, 80.5, 1,
             0, "", "fault", 0, recordA1),
            (sessionB2, "depot", "CP-2", 2, .null, "open", "charging", "2026-11-21T10:15:00.000Z", .null, .null, .null,
             3100, .null, 900, 0, 7200, .null, .null, 0, 0, "", "", 0, "{\"id\":\"\(sessionB2)\"}"),
            (sessionC3, "highway", oddCharger, 1, "9", "closed", "ended", "2026-11-20T23:00:00.000Z",
             "2026-11-21T00:10:00.000Z", "transaction", "Local", 50000, 49800, 3000, 600, 150000, .null, .null, 1,
             1 << 25 | 1 << 14, "reordered,late_data", "", 2, "{\"id\":\"\(sessionC3)\"}"),
        ]
        for s in sessions {
            try session.run([.text(s.id), .text(s.site), .text(s.charger), .integer(s.evse), s.transaction, .text(s.state),
                             .text(s.phase), .text(s.started), s.ended, s.endReason, s.stopReason, s.energy, s.integrated,
                             .real(s.charging), .real(s.idle), s.peak, s.socStart, s.socEnd, .integer(s.complete),
                             .integer(s.quality), .text(s.flags), .text(s.anomalies), .integer(s.amended), .text(s.record)])
        }

        let anomaly = try database.prepare("""
            INSERT INTO anomalies (id, kind, severity, site, charger, evse, connector, session_id, started_at, updated_at,
                resolved_at, value, last_value, threshold, unit, count, detail, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let anomalies: [[SQLiteValue]] = [
            ["00000000000000f1", "fault", "critical", "depot", "CP-1", 1, 1, "2026-11-21T08:30:00.000Z",
             "2026-11-21T08:30:00.000Z", .null, 0.0, 0.0, 0.0, "", 1, "GroundFailure", "CP-1 EVSE 1 faulted: GroundFailure"],
            ["00000000000000f2", "meter_stuck", "warning", "depot", "CP-2", 2, 1, "2026-11-21T09:00:00.000Z",
             "2026-11-21T09:40:00.000Z", "2026-11-21T09:40:00.000Z", 350.5, 120.0, 100.0, "Wh", 4, .null,
             "CP-2 EVSE 2: register frozen"],
            ["00000000000000f3", "site_overload", "critical", "depot", .null, .null, .null, "2026-11-20T12:00:00.000Z",
             "2026-11-20T12:05:00.000Z", .null, 61234.5, 60000.0, 55000.0, "W", 9, .null, "depot above 55 kW"],
        ]
        for values in anomalies { try anomaly.run(values) }

        let interval = try database.prepare("""
            INSERT INTO load_intervals (level, site, charger, evse, connector, start, end, average_w, peak_w, energy_wh,
                demand_w, samples, energy_source, derived, flags, connectors)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 10, 'register', 0, 0, ?)
            """)
        func add(_ level: String, _ site: String, _ charger: String, _ evse: Int64, _ connector: Int64, _ minute: Int,
                 energy: Double?, peak: Double) throws {
            let start = Self.day + 8 * 3_600_000 + Int64(minute) * 60_000
            let demand: SQLiteValue = energy.map { .real($0 * 4) } ?? .null
            try interval.run([.text(level), .text(site), .text(charger), .integer(evse), .integer(connector),
                              .text(Timestamp.format(start)), .text(Timestamp.format(start + 900_000)), demand, .real(peak),
                              energy.map { .real($0) } ?? .null, demand, .integer(level == "site" ? 2 : 1)])
        }
        for (minute, energy, peak) in [(0, 2500.0, 12000.0), (15, 2750, 11500), (30, 1000, 6000), (45, 0, 0)] {
            try add("site", "depot", "", 0, 0, minute, energy: energy, peak: peak)
        }
        try add("site", "highway", "", 0, 0, 0, energy: 30000, peak: 150000)
        for (charger, minute, energy) in [("CP-1", 0, 1500.0), ("CP-2", 0, 1000), ("CP-1", 15, 2750)] {
            try add("charger", "depot", charger, 0, 0, minute, energy: energy, peak: energy * 4)
        }
        try add("connector", "depot", "CP-1", 1, 1, 0, energy: 1500, peak: 6100)
        try add("main_meter", "depot", "CP-1", 0, 0, 0, energy: 1600, peak: 6500)
        return (data, path)
    }

    static let day: Int64 = 1_795_219_200_000  // 2026-11-21T00:00:00Z

    /// The table's cells per line (header included): cells are two or more spaces apart.
    static func cells(_ output: String) -> [[String]] {
        output.split(separator: "\n").map { line in
            line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
    }

    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], "\(text)")
    }

    static func run(_ arguments: [String]) throws -> WattlineProcess.Result {
        try WattlineProcess.run(arguments)
    }

    /// `sqlite3 -json -readonly PATH SQL`, as an analyst would run it.
    static func sqlite3JSON(_ path: String, _ sql: String) throws -> [[String: Any]] {
        let result = try ChildProcess.capture("/usr/bin/sqlite3", ["-json", "-readonly", path, sql])
        #expect(result.status == 0, "\(result.stderrText)")
        return try json(result.stdoutText)
    }

    // MARK: - sessions

    @Test func sessionsTableListsNewestFirst() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, _) = try Self.database(in: directory)
        let result = try Self.run(["sessions", "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = Self.cells(result.stdout)
        #expect(rows.first == ["id", "site", "charger", "evse", "started", "ended", "kWh", "charging", "idle", "peak kW",
                               "cost", "stop reason", "state"])
        #expect(rows.count == 4)
        #expect(rows.dropFirst().map { $0[0] } == [Self.sessionB2, Self.sessionsA1, Self.sessionC3])
        #expect(rows[1] == [Self.sessionB2, "depot", "CP-2", "2", "2026-11-21 10:15:00", "-", "3.10", "15m00s", "0s", "7.2",
                            "-", "-", "open"])
        #expect(rows[2] == [Self.sessionsA1, "depot", "CP-1", "1", "2026-11-21 08:00:00", "2026-11-21 09:30:00", "22.40",
                            "1h10m", "20m00s", "11.0", "-", "EVDisconnected", "finalized"])
        #expect(rows[3] == [Self.sessionC3, "highway", Self.oddCharger, "1", "2026-11-20 23:00:00", "2026-11-21 00:10:00",
                            "50.00", "50m00s", "10m00s", "150.0", "-", "Local", "closed (amended 2)"])
        // Columns line up: the start time begins where its heading does, on every line.
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let column = try #require(lines[0].range(of: "started")).lowerBound.utf16Offset(in: lines[0])
        for line in lines.dropFirst() {
            #expect(line.range(of: "2026-11-2").map { $0.lowerBound.utf16Offset(in: line) } == column, "\(line)")
        }

        let oldest = try Self.run(["sessions", "--data", data, "--oldest-first"])
        #expect(Self.cells(oldest.stdout).dropFirst().map { $0[0] } == [Self.sessionC3, Self.sessionsA1, Self.sessionB2])
    }

    @Test func sessionsFilters() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, _) = try Self.database(in: directory)
        func ids(_ options: String...) throws -> [String] {
            let result = try Self.run(["sessions", "--data", data, "--format", "csv"] + options)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(16)) }
        }
        #expect(try ids("--site", "depot") == [Self.sessionB2, Self.sessionsA1])
        #expect(try ids("--site", "highway") == [Self.sessionC3])
        #expect(try ids("--charger", "CP-1") == [Self.sessionsA1])
        #expect(try ids("--charger", Self.oddCharger) == [Self.sessionC3])
        #expect(try ids("--from", "2026-11-21") == [Self.sessionB2, Self.sessionsA1])
        // --from inclusive, --to exclusive, offsets converted to UTC.
        #expect(try ids("--from", "2026-11-21T08:00:00Z", "--to", "2026-11-21T10:15:00Z") == [Self.sessionsA1])
        #expect(try ids("--to", "2026-11-21T09:00:00+01:00") == [Self.sessionC3])
        #expect(try ids("--open") == [Self.sessionB2])
        #expect(try ids("--amended") == [Self.sessionC3])
        #expect(try ids("--site", "depot", "--amended") == [])
        // A value is bound, never spliced into the SQL.
        #expect(try ids("--site", "depot' OR '1'='1") == [])

        let none = try Self.run(["sessions", "--data", data, "--site", "nowhere"])
        #expect(none.status == 0)
        #expect(Self.cells(none.stdout).count == 1)
        #expect(none.stderr.contains("no sessions match"))
        let reversed = try Self.run(["sessions", "--data", data, "--from", "2026-11-22", "--to", "2026-11-21"])
        #expect(reversed.status != 0)
    }

    @Test func sessionsCSVAndJSONCarryEveryColumnButTheRecord() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, path) = try Self.database(in: directory)
        let csv = try Self.run(["sessions", "--data", data, "--format", "csv", "--oldest-first"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let schema = try Self.sqlite3JSON(path, "SELECT name FROM pragma_table_info('sessions') ORDER BY cid")
            .compactMap { $0["name"] as? String }
        #expect(schema.count == 59 && schema.contains("record") && schema.last == "cost_breakdown")
        #expect(header == schema.filter { $0 != "record" })
        #expect(Array(header.prefix(6)) == ["id", "site", "charger", "evse", "connector", "transaction_id"])
        // The charger holds a comma and quotes: quoted, quotes doubled.
        #expect(lines[1].hasPrefix("\(Self.sessionC3),highway,\"HW,1 \"\"north\"\"\",1,1,9,,,closed,ended,transaction,"))
        #expect(lines[2].hasPrefix("\(Self.sessionsA1),depot,CP-1,1,1,tx-17,,,finalized,ended,transaction,2026-11-21T08:00:00.000Z,,,"
                                   + "2026-11-21T09:30:00.000Z,,transaction,EVDisconnected,1000,,22400.5,register,22310.25,4200,"))

        let json = try Self.run(["sessions", "--data", data, "--format", "json", "--open"])
        let objects = try Self.json(json.stdout)
        #expect(objects.count == 1)
        let open = try #require(objects.first)
        #expect(open.count == schema.count - 1)
        #expect(open["record"] == nil)
        #expect(open["id"] as? String == Self.sessionB2)
        #expect(open["ended_at"] is NSNull)
        #expect(open["energy_wh"] as? Double == 3100)
        #expect(open["charging_s"] as? Double == 900)
        #expect(open["evse"] as? Int == 2)

        let empty = try Self.run(["sessions", "--data", data, "--format", "json", "--site", "nowhere"])
        #expect(try Self.json(empty.stdout).isEmpty)
        let emptyCSV = try Self.run(["sessions", "--data", data, "--format", "csv", "--site", "nowhere"])
        #expect(emptyCSV.stdout == lines[0] + "\n")
    }

    /// The command's JSON equals what `sqlite3 -json` reads from the same file.
    @Test func outputMatchesTheSqlite3Tool() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, path) = try Self.database(in: directory)

        let sessions = try Self.json(try Self.run(["sessions", "--data", data, "--format", "json", "--site", "depot"]).stdout)
        let columns = try #require(sessions.first).keys.sorted().joined(separator: ", ")
        let expected = try Self.sqlite3JSON(path, "SELECT \(columns) FROM sessions WHERE site = 'depot' ORDER BY started_at DESC")
        #expect(sessions.count == 2)
        #expect((sessions as NSArray).isEqual(to: expected), "\(sessions) vs \(expected)")

        let anomalies = try Self.json(try Self.run(["anomalies", "--data", data, "--format", "json", "--open"]).stdout)
        let expectedAnomalies = try Self.sqlite3JSON(path, "SELECT * FROM anomalies WHERE resolved_at IS NULL ORDER BY started_at DESC")
        #expect(anomalies.count == 2)
        #expect((anomalies as NSArray).isEqual(to: expectedAnomalies), "\(anomalies) vs \(expectedAnomalies)")

        let load = try Self.json(try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21",
                                               "--to", "2026-11-22", "--format", "json"]).stdout)
        let expectedLoad = try Self.sqlite3JSON(path, "SELECT * FROM load_intervals WHERE level = 'site' AND site = 'depot' ORDER BY start")
        #expect(load.count == 4)
        #expect((load as NSArray).isEqual(to: expectedLoad), "\(load) vs \(expectedLoad)")
    }

    // MARK: - session ID

    @Test func sessionPrintsFiguresAndCurve() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, _) = try Self.database(in: directory)
        let result = try Self.run(["session", Self.sessionsA1, "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "session \(Self.sessionsA1)")
        func figure(_ label: String) -> String? {
            lines.first { $0.hasPrefix("  \(label)  ") }.map { String($0.dropFirst(2 + label.count)).trimmingCharacters(in: .whitespaces) }
        }
        #expect(figure("site") == "depot")
        #expect(figure("charger") == "CP-1, EVSE 1, connector 1")
        #expect(figure("state") == "finalized, phase ended")
        #expect(figure("start") == "transaction, transaction tx-17")
        #expect(figure("started") == "2026-11-21T08:00:00.000Z")
        #expect(figure("ended") == "2026-11-21T09:30:00.000Z, transaction, stop reason EVDisconnected")
        #expect(figure("energy") == "22.40 kWh (register), integrated 22.31 kWh")
        #expect(figure("charging") == "1h10m")
        #expect(figure("idle") == "20m00s")
        #expect(figure("power") == "peak 11.04 kW")
        #expect(figure("state of charge") == "20 % → 81 %")
        #expect(figure("complete") == "yes")
        #expect(figure("anomalies") == "fault")
        #expect(figure("id tag") == nil)

        let curve = try #require(lines.firstIndex { $0.hasPrefix("power curve") })
        #expect(lines[curve] == "power curve, 3 points of 1 min (UTC): average kW, max kW, SoC")
        let full = String(repeating: "█", count: 40)
        #expect(lines[curve + 1] == "  08:00  \(full)    11.00    11.04   20 %")
        #expect(lines[curve + 2] == "  08:01  \(String(repeating: "█", count: 20) + String(repeating: " ", count: 20))     5.50     6.00   21 %")
        #expect(lines[curve + 3] == "         ⋮ no samples for 3m00s")
        #expect(lines[curve + 4] == "  08:05  \(String(repeating: "█", count: 10) + String(repeating: " ", count: 30))     2.75     3.00")

        let json = try Self.run(["session", Self.sessionsA1, "--data", data, "--format", "json"])
        #expect(json.status == 0)
        #expect(json.stdout == Self.recordA1 + "\n")

        let noCurve = try Self.run(["session", Self.sessionB2, "--data", data])
        #expect(noCurve.status == 0)
        #expect(noCurve.stdout.contains("power curve: no points"))
        #expect(noCurve.stdout.contains("open, phase charging\n"))
    }

    @Test func unknownSessionExitsOne() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, _) = try Self.database(in: directory)
        let result = try Self.run(["session", "0123456789abcdef", "--data", data])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("no session 0123456789abcdef in \(data)/wattline.db"))
        // Ids match exactly: a prefix is not a session.
        #expect(try Self.run(["session", String(Self.sessionsA1.prefix(8)), "--data", data]).status == 1)
    }

    // MARK: - anomalies

    @Test func anomaliesTableAndFilters() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, _) = try Self.database(in: directory)
        let result = try Self.run(["anomalies", "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = Self.cells(result.stdout)
        #expect(rows.first == ["id", "kind", "severity", "site", "charger", "evse", "started", "resolved", "value", "count", "message"])
        #expect(rows.count == 4)
        #expect(rows[1] == ["00000000000000f2", "meter_stuck", "warning", "depot", "CP-2", "2", "2026-11-21 09:00:00",
                            "2026-11-21 09:40:00", "350.5 Wh", "4", "CP-2 EVSE 2: register frozen"])
        #expect(rows[2] == ["00000000000000f1", "fault", "critical", "depot", "CP-1", "1", "2026-11-21 08:30:00", "open",
                            "0", "1", "CP-1 EVSE 1 faulted: GroundFailure"])
        #expect(rows[3] == ["00000000000000f3", "site_overload", "critical", "depot", "-", "-", "2026-11-20 12:00:00", "open",
                            "61234.5 W", "9", "depot above 55 kW"])

        func ids(_ options: String...) throws -> [String] {
            let result = try Self.run(["anomalies", "--data", data, "--format", "csv"] + options)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(16)) }
        }
        #expect(try ids("--open") == ["00000000000000f1", "00000000000000f3"])
        #expect(try ids("--kind", "fault") == ["00000000000000f1"])
        #expect(try ids("--kind", "meter_stuck", "--open") == [])
        #expect(try ids("--site", "depot", "--charger", "CP-2") == ["00000000000000f2"])
        #expect(try ids("--from", "2026-11-21T08:30:00Z", "--to", "2026-11-21T09:00:00Z") == ["00000000000000f1"])
        #expect(try ids("--to", "2026-11-21") == ["00000000000000f3"])
        #expect(try ids("--site", "highway") == [])

        let csv = try Self.run(["anomalies", "--data", data, "--format", "csv", "--kind", "site_overload"])
        #expect(csv.stdout == """
            id,kind,severity,site,charger,evse,connector,session_id,started_at,updated_at,resolved_at,value,last_value,threshold,unit,count,detail,message
            00000000000000f3,site_overload,critical,depot,,,,,2026-11-20T12:00:00.000Z,2026-11-20T12:05:00.000Z,,61234.5,60000,55000,W,9,,depot above 55 kW

            """)
        let json = try Self.json(try Self.run(["anomalies", "--data", data, "--format", "json", "--kind", "meter_stuck"]).stdout)
        #expect(json.count == 1)
        #expect(json.first?["resolved_at"] as? String == "2026-11-21T09:40:00.000Z")
        #expect(json.first?["detail"] is NSNull)
        #expect(json.first?["value"] as? Double == 350.5)
    }

    // MARK: - load

    @Test func loadPrintsIntervalsAndTheDemandPeak() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        let (data, _) = try Self.database(in: directory)
        let result = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21T08:00:00Z",
                                   "--to", "2026-11-21T09:00:00Z"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.cells(result.stdout) == [
            ["start", "avg kW", "peak kW", "kWh", "demand kW"],
            ["2026-11-21 08:00:00", "10.0", "12.0", "2.50", "10.0"],
            ["2026-11-21 08:15:00", "11.0", "11.5", "2.75", "11.0"],
            ["2026-11-21 08:30:00", "4.0", "6.0", "1.00", "4.0"],
            ["2026-11-21 08:45:00", "0.0", "0.0", "0.00", "0.0"],
            ["demand peak 11.0 kW at 2026-11-21 08:15:00; 4 intervals, 6.25 kWh"],
        ])

        // --to is exclusive on the interval start.
        let half = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21T08:00:00Z",
                                 "--to", "2026-11-21T08:15:00Z"])
        #expect(Self.cells(half.stdout).count == 3)
        #expect(half.stdout.hasSuffix("demand peak 10.0 kW at 2026-11-21 08:00:00; 1 interval, 2.50 kWh\n"))

        let chargers = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22",
                                     "--level", "charger"])
        #expect(Self.cells(chargers.stdout) == [
            ["start", "charger", "avg kW", "peak kW", "kWh", "demand kW"],
            ["2026-11-21 08:00:00", "CP-1", "6.0", "6.0", "1.50", "6.0"],
            ["2026-11-21 08:00:00", "CP-2", "4.0", "4.0", "1.00", "4.0"],
            ["2026-11-21 08:15:00", "CP-1", "11.0", "11.0", "2.75", "11.0"],
            ["demand peak 11.0 kW at 2026-11-21 08:15:00 (CP-1); 3 intervals, 5.25 kWh"],
        ])
        // --charger alone picks the charger level.
        let one = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22",
                                "--charger", "CP-2"])
        #expect(Self.cells(one.stdout).count == 3)
        #expect(one.stdout.contains("CP-2") && !one.stdout.contains("CP-1"))

        let connectors = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22",
                                       "--level", "connector", "--charger", "CP-1"])
        #expect(Self.cells(connectors.stdout).dropFirst().first == ["2026-11-21 08:00:00", "CP-1", "1", "1", "6.0", "6.1", "1.50", "6.0"])
        let meters = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22",
                                   "--level", "main_meter", "--format", "csv"])
        #expect(meters.stdout == """
            level,site,charger,evse,connector,start,end,average_w,peak_w,energy_wh,demand_w,samples,energy_source,derived,flags,connectors
            main_meter,depot,CP-1,0,0,2026-11-21T08:00:00.000Z,2026-11-21T08:15:00.000Z,6400,6500,1600,6400,10,register,0,0,1

            """)
        #expect(meters.stderr.contains("demand peak 6.4 kW at 2026-11-21 08:00:00 (CP-1 EVSE 0 connector 0); 1 interval, 1.60 kWh"))

        let highway = try Self.json(try Self.run(["load", "--data", data, "--site", "highway", "--from", "2026-11-21",
                                                  "--to", "2026-11-22", "--format", "json"]).stdout)
        #expect(highway.count == 1)
        #expect(highway.first?["demand_w"] as? Double == 120_000)

        let empty = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-22", "--to", "2026-11-23"])
        #expect(empty.status == 0)
        #expect(empty.stderr.contains("no site intervals for site depot"))

        let conflicting = try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22",
                                        "--level", "site", "--charger", "CP-1"])
        #expect(conflicting.status != 0)
        #expect(try Self.run(["load", "--data", data, "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22",
                              "--level", "mainMeter"]).status != 0)
    }

    // MARK: - no database

    @Test func missingDatabaseSaysRunFirst() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-results")
        defer { directory.remove() }
        for arguments in [["sessions"], ["session", Self.sessionsA1], ["anomalies"],
                          ["load", "--site", "depot", "--from", "2026-11-21", "--to", "2026-11-22"]] {
            let result = try Self.run(arguments + ["--data", directory.path])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("no results yet in \(directory.path): run `wattline run` first"), "\(result.stderr)")
        }
        // A database the processors have not created their tables in yet says the same.
        let empty = try Database(path: directory.path + "/wattline.db")
        empty.close()
        let result = try Self.run(["sessions", "--data", directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no results yet in \(directory.path)"))
    }
}
