import Anomalies
import Foundation
import MosquittoTestSupport
import PowerLevels
import SQLite
import Telemetry
import Testing
@testable import Processing
@testable import Sessions

/// `ResultQueries`: the read side of `wattline.db`. Rows written by `ResultStore` (the write side) come back with
/// the values stored, filtered on bound parameters, and the power curve is read out of the record JSON.
@Suite struct ResultQueryTests {
    static let t0: Int64 = 1_795_248_000_000  // 2026-11-21T08:00:00Z
    static let minute: Int64 = 60_000

    static func session(_ id: String, site: String = "depot", charger: String = "CP-1", evse: Int = 1,
                        state: SessionRecordState = .closed, startedAt: Int64, amended: Int = 0,
                        curve: [CurvePoint] = []) -> SessionRecord {
        SessionRecord(
            id: id, site: site, charger: charger, evse: evse, connector: 1, state: state,
            phase: state == .open ? .charging : .ended, start: .transaction, transactionId: "tx-\(id)",
            startedAt: startedAt, endedAt: state == .open ? nil : startedAt + 60 * minute,
            endReason: state == .open ? nil : .transaction, stopReason: state == .open ? nil : "EVDisconnected",
            meterStartWh: 1000, meterStopWh: 8400, energyWh: 7400, energySource: .register, integratedEnergyWh: 7350.5,
            chargingMs: 45 * minute, suspendedEVMs: 0, suspendedEVSEMs: 0, idleMs: 15 * minute, interruptedMs: 0,
            interruptions: [], peakPowerW: 11040, averagePowerW: 9866.7, limitedBy: .vehicle, complete: true,
            anomalies: [], quality: [.reordered], amended: amended, lateReadings: 2, duplicates: 0,
            curve: PowerCurve(stepMs: minute, points: curve))
    }

    /// Three sessions, two anomalies and load intervals written through `ResultStore`, as the processors write them.
    static func store(in directory: TemporaryDirectory) throws -> String {
        let path = directory.path + "/wattline.db"
        let store = try ResultStore(path: path)
        defer { store.close() }
        let curve = [
            CurvePoint(t: t0, averageW: 10_500.5, maxW: 11_040, samples: 6, soc: 20),
            CurvePoint(t: t0 + minute, averageW: 9_000, maxW: 9_500, samples: 6, soc: nil),
        ]
        let sessions = [
            session("00000000000000a1", startedAt: t0, curve: curve),
            session("00000000000000b2", charger: "CP-2", state: .open, startedAt: t0 + 120 * minute),
            session("00000000000000c3", site: "highway", charger: "HW-1", state: .finalized, startedAt: t0 - 600 * minute,
                    amended: 3),
        ]
        let anomalies = [
            Anomaly(id: "00000000000000f1", kind: .fault, severity: .critical, site: "depot", charger: "CP-1", evse: 1,
                    connector: 1, sessionId: "00000000000000a1", startedAt: t0 + 30 * minute, resolvedAt: nil, value: 0,
                    lastValue: 0, threshold: 0, count: 1, updatedAt: t0 + 30 * minute, detail: "GroundFailure",
                    message: "CP-1 EVSE 1 faulted"),
            Anomaly(id: "00000000000000f2", kind: .meterStuck, severity: .warning, site: "depot", charger: "CP-2", evse: 2,
                    connector: 1, sessionId: nil, startedAt: t0 + 10 * minute, resolvedAt: t0 + 40 * minute, value: 350.5,
                    lastValue: 120, threshold: 100, count: 4, updatedAt: t0 + 40 * minute, detail: nil,
                    message: "register frozen"),
        ]
        func interval(_ level: IntervalLevel, _ charger: String?, _ evse: Int?, _ k: Int64, energy: Double) -> PowerInterval {
            PowerInterval(level: level, site: "depot", charger: charger, evse: evse, connector: evse, start: t0 + k * 15 * minute,
                          end: t0 + (k + 1) * 15 * minute, averageW: energy * 4, peakW: energy * 5, energyWh: energy,
                          demandW: energy * 4, sampleCount: 10, energySource: .register, derived: false, flags: [],
                          mainMeterEnergyWh: nil, connectorCount: level == .site ? 2 : 1)
        }
        let intervals = [
            interval(.site, nil, nil, 0, energy: 2500), interval(.site, nil, nil, 1, energy: 2750),
            interval(.site, nil, nil, 2, energy: 1000),
            interval(.charger, "CP-1", nil, 0, energy: 1500), interval(.charger, "CP-2", nil, 0, energy: 1000),
            interval(.connector, "CP-1", 1, 0, energy: 1500), interval(.mainMeter, "CP-1", 0, 0, energy: 1600),
        ]
        try store.write(sessions: sessions, anomalies: anomalies, intervals: intervals, stage: "processors", checkpoint: (1, []))
        return path
    }

    /// `power_w` and `time_to_full_s` belong to open sessions: written with an open session's cost, dropped when
    /// the row is written closed, even without a cost write (the session evicted before the next commit).
    @Test func theLatestPowerGoesWhenTheSessionIsNoLongerOpen() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let store = try ResultStore(path: path)
        defer { store.close() }
        let id = "00000000000000d4"
        var running = SessionCost(status: .noTariff)
        running.powerW = 7_200
        running.timeToFullS = 1_800
        try store.write(sessions: [Self.session(id, state: .open, startedAt: Self.t0)], costs: [id: running],
                        anomalies: [], intervals: [], stage: "processors", checkpoint: nil)
        let query = "SELECT state, power_w, time_to_full_s FROM sessions WHERE id = '\(id)'"
        #expect(try ProcessorStageTests.rows(path, query) == [["open", "7200.0", "1800.0"]])
        // Written open again without a cost (unchanged): the figures stay.
        try store.write(sessions: [Self.session(id, state: .open, startedAt: Self.t0)], anomalies: [], intervals: [],
                        stage: "processors", checkpoint: nil)
        #expect(try ProcessorStageTests.rows(path, query) == [["open", "7200.0", "1800.0"]])
        try store.write(sessions: [Self.session(id, state: .finalized, startedAt: Self.t0)], anomalies: [],
                        intervals: [], stage: "processors", checkpoint: nil)
        #expect(try ProcessorStageTests.rows(path, query) == [["finalized", "NULL", "NULL"]])
    }

    // MARK: - Sessions

    @Test func sessionsComeBackFilteredAndOrdered() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let results = try ResultQueries(path: try Self.store(in: directory))
        func ids(_ filter: SessionFilter) throws -> [String] { try results.sessions(filter).map(\.id) }

        #expect(try ids(SessionFilter()) == ["00000000000000b2", "00000000000000a1", "00000000000000c3"])
        #expect(try ids(SessionFilter(order: .oldestFirst)) == ["00000000000000c3", "00000000000000a1", "00000000000000b2"])
        #expect(try ids(SessionFilter(site: "depot")) == ["00000000000000b2", "00000000000000a1"])
        #expect(try ids(SessionFilter(charger: "CP-2")) == ["00000000000000b2"])
        #expect(try ids(SessionFilter(from: Self.t0)) == ["00000000000000b2", "00000000000000a1"])
        #expect(try ids(SessionFilter(to: Self.t0)) == ["00000000000000c3"])
        #expect(try ids(SessionFilter(from: Self.t0, to: Self.t0 + 1)) == ["00000000000000a1"])
        #expect(try ids(SessionFilter(openOnly: true)) == ["00000000000000b2"])
        #expect(try ids(SessionFilter(amendedOnly: true)) == ["00000000000000c3"])
        #expect(try ids(SessionFilter(site: "depot", amendedOnly: true)) == [])
        #expect(try ids(SessionFilter(site: "depot' OR '1'='1")) == [])

        let a1 = try #require(try results.sessions(SessionFilter(charger: "CP-1")).first)
        #expect(a1.row.columns.position(of: "record") == nil)
        #expect(a1.site == "depot" && a1.charger == "CP-1" && a1.evse == 1 && a1.connector == 1)
        #expect(a1.state == "closed")
        #expect(a1.startedAt == "2026-11-21T08:00:00.000Z")
        #expect(a1.endedAt == "2026-11-21T09:00:00.000Z")
        #expect(a1.energyWh == 7400)
        #expect(a1.chargingSeconds == 2700)
        #expect(a1.idleSeconds == 900)
        #expect(a1.peakPowerW == 11040)
        #expect(a1.stopReason == "EVDisconnected")
        #expect(a1.endReason == "transaction")
        #expect(a1.row.text("quality_flags") == "reordered")
        #expect(a1.row["integrated_energy_wh"] == .real(7350.5))
        #expect(a1.row["id_tag"] == .null)
        #expect(try results.sessions(SessionFilter(openOnly: true)).first?.endedAt == nil)
    }

    @Test func oneSessionWithItsRecordAndCurve() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let results = try ResultQueries(path: try Self.store(in: directory))
        let detail = try #require(try results.session(id: "00000000000000a1"))
        #expect(detail.session.id == "00000000000000a1")
        #expect(detail.session.row.columns.position(of: "record") == nil)
        #expect(detail.session.row.columns == (try results.columns(.sessions)))
        let record = try JSONDecoder().decode(SessionRecord.self, from: Data(detail.record.utf8))
        #expect(record == Self.session("00000000000000a1", startedAt: Self.t0, curve: record.curve.points))
        let curve = try #require(detail.curve)
        #expect(curve.stepMs == Self.minute)
        #expect(curve.points == [
            SessionCurve.Point(t: Self.t0, averageW: 10_500.5, maxW: 11_040, samples: 6, soc: 20),
            SessionCurve.Point(t: Self.t0 + Self.minute, averageW: 9_000, maxW: 9_500, samples: 6, soc: nil),
        ])
        #expect(try results.session(id: "00000000000000b2")?.curve?.points.isEmpty == true)
        #expect(try results.session(id: "00000000000000a") == nil)
        #expect(try results.session(id: "x' OR '1'='1") == nil)
    }

    @Test func curveReadsEitherKeyStyleAndRefusesOthers() {
        let snake = SessionCurve(recordJSON: #"{"curve":{"step_ms":120000,"points":[{"t":5,"average_w":1.5,"max_w":2,"samples":1}]}}"#)
        #expect(snake == SessionCurve(stepMs: 120_000, points: [.init(t: 5, averageW: 1.5, maxW: 2, samples: 1, soc: nil)]))
        #expect(SessionCurve(recordJSON: "{}") == nil)
        #expect(SessionCurve(recordJSON: "not json") == nil)
        #expect(SessionCurve(recordJSON: #"{"curve":{"stepMs":60000,"points":[{"t":"x"}]}}"#) == nil)
    }

    // MARK: - Anomalies and load

    @Test func anomaliesComeBackFiltered() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let results = try ResultQueries(path: try Self.store(in: directory))
        func ids(_ filter: AnomalyFilter) throws -> [String] { try results.anomalies(filter).map(\.id) }
        #expect(try ids(AnomalyFilter()) == ["00000000000000f1", "00000000000000f2"])
        #expect(try ids(AnomalyFilter(order: .oldestFirst)) == ["00000000000000f2", "00000000000000f1"])
        #expect(try ids(AnomalyFilter(openOnly: true)) == ["00000000000000f1"])
        #expect(try ids(AnomalyFilter(kind: "meter_stuck")) == ["00000000000000f2"])
        #expect(try ids(AnomalyFilter(kind: "meter_stuck", openOnly: true)) == [])
        #expect(try ids(AnomalyFilter(site: "depot", charger: "CP-1")) == ["00000000000000f1"])
        #expect(try ids(AnomalyFilter(from: Self.t0 + 11 * Self.minute)) == ["00000000000000f1"])
        #expect(try ids(AnomalyFilter(to: Self.t0 + 30 * Self.minute)) == ["00000000000000f2"])
        let stuck = try #require(try results.anomalies(AnomalyFilter(kind: "meter_stuck")).first)
        #expect(stuck.kind == "meter_stuck" && stuck.severity == "warning")
        #expect(stuck.value == 350.5 && stuck.unit == "Wh" && stuck.count == 4 && stuck.evse == 2)
        #expect(stuck.resolvedAt == "2026-11-21T08:40:00.000Z")
        #expect(stuck.row["detail"] == .null)
    }

    @Test func loadIntervalsByLevelChargerAndRange() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let results = try ResultQueries(path: try Self.store(in: directory))
        let end = Self.t0 + 45 * Self.minute
        let site = try results.loadIntervals(LoadFilter(site: "depot", from: Self.t0, to: end))
        #expect(site.map(\.start) == ["2026-11-21T08:00:00.000Z", "2026-11-21T08:15:00.000Z", "2026-11-21T08:30:00.000Z"])
        #expect(site.map(\.demandW) == [10_000, 11_000, 4_000])
        #expect(site.map(\.charger) == ["", "", ""])
        #expect(try results.loadIntervals(LoadFilter(site: "depot", from: Self.t0, to: Self.t0 + 15 * Self.minute)).count == 1)
        #expect(try results.loadIntervals(LoadFilter(site: "highway", from: Self.t0, to: end)).isEmpty)
        let chargers = try results.loadIntervals(LoadFilter(site: "depot", level: .charger, from: Self.t0, to: end))
        #expect(chargers.map(\.charger) == ["CP-1", "CP-2"])
        #expect(try results.loadIntervals(LoadFilter(site: "depot", level: .charger, charger: "CP-2", from: Self.t0, to: end))
            .map(\.energyWh) == [1000])
        let meter = try results.loadIntervals(LoadFilter(site: "depot", level: .mainMeter, from: Self.t0, to: end))
        #expect(meter.map(\.level) == ["main_meter"])
        #expect(meter.first?.energyWh == 1600 && meter.first?.evse == 0)
        let connector = try #require(try results.loadIntervals(LoadFilter(site: "depot", level: .connector, from: Self.t0, to: end)).first)
        #expect(connector.evse == 1 && connector.connector == 1 && connector.peakW == 7500 && connector.averageW == 6000)
    }

    // MARK: - Missing results, concurrent writer

    @Test func missingDatabaseOrTablesIsNoResults() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let missing = #expect(throws: ResultQueryError.self) { _ = try ResultQueries(dataDirectory: directory.path) }
        guard case .noResults(let path)? = missing else {
            Issue.record("expected noResults, got \(String(describing: missing))")
            return
        }
        #expect(path == directory.path + "/wattline.db")
        try Database(path: directory.path + "/wattline.db").close()
        let results = try ResultQueries(dataDirectory: directory.path)
        for query in [{ _ = try results.sessions() }, { _ = try results.anomalies() },
                      { _ = try results.loadIntervals(LoadFilter(site: "depot", from: 0, to: 1)) },
                      { _ = try results.session(id: "00000000000000a1") }] as [() throws -> Void] {
            let error = #expect(throws: ResultQueryError.self) { try query() }
            if case .noResults? = error {} else { Issue.record("expected noResults, got \(String(describing: error))") }
        }
    }

    /// The reader is read-only and sees committed rows while the pipeline's connection holds a write transaction.
    @Test func readsWhileTheWriterHoldsATransaction() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-queries")
        defer { directory.remove() }
        let path = try Self.store(in: directory)
        let writer = try Database(path: path)
        defer { writer.close() }
        try writer.execute("BEGIN IMMEDIATE; UPDATE sessions SET site = 'moved'")
        let results = try ResultQueries(path: path)
        #expect(try results.sessions(SessionFilter(site: "depot")).count == 2)
        try writer.execute("COMMIT")
        #expect(try results.sessions(SessionFilter(site: "moved")).count == 3)
    }
}
