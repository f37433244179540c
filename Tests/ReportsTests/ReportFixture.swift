import Anomalies
import Foundation
import MosquittoTestSupport
import Pipeline
import SQLite
import Telemetry
@testable import Processing
@testable import Sessions

/// A results database written through `ResultStore` as the processors write it, with the cost columns then set by
/// SQL (as the billing stage will): two sites in two time zones (Berlin, New York), the Berlin spring-forward day
/// (2026-03-29, 23 hours), two currencies, and a two-connector EVSE (CP-1 EVSE 1).
enum ReportFixture {
    /// `Fixtures/reports/pipeline.yaml`: the fleet the CLI tests use as well.
    static let pipelinePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/reports/pipeline.yaml").path

    static func fleet() throws -> Fleet { try PipelineDefinition.load(path: pipelinePath).fleet }

    static func ms(_ iso: String) -> Int64 { (try? Timestamp.parse(iso)) ?? 0 }
    static let hour: Int64 = 3_600_000

    /// A session's cost columns: currency, excl. VAT, VAT, incl. VAT (exact text as billing writes it).
    struct Cost {
        var currency: String
        var exclVAT: String
        var vat: String
        var total: String
        var status = "priced"
    }

    struct Session {
        var id: String
        var site: String
        var charger: String
        var evse: Int
        var connector = 1
        var start: String
        var chargingHours: Double
        var idleHours: Double = 0
        var energyWh: Double
        var state: SessionRecordState = .finalized
        var cost: Cost?
    }

    /// s1 23:30 local on 03-28 (Berlin, CET); s2 10:00 local on the 23-hour 03-29 on connector 2 of the same EVSE;
    /// s3 01:30 local on 03-30 (still 03-29 in UTC); s4 23:00 local on 03-28 in New York (03-29 in UTC), in USD;
    /// s5 unpriced; s6 open; s7 amounts that add to a whole cent only in decimal (0.10 + 0.20).
    static let sessions: [Session] = [
        Session(id: "00000000000000s1", site: "depot", charger: "CP-1", evse: 1, start: "2026-03-28T22:30:00.000Z",
                chargingHours: 1, idleHours: 0.25, energyWh: 20_000,
                cost: Cost(currency: "EUR", exclVAT: "10.00", vat: "1.90", total: "11.90")),
        Session(id: "00000000000000s2", site: "depot", charger: "CP-1", evse: 1, connector: 2, start: "2026-03-29T08:00:00.000Z",
                chargingHours: 2, idleHours: 0.5, energyWh: 7_000,
                cost: Cost(currency: "EUR", exclVAT: "7.35", vat: "1.40", total: "8.75")),
        Session(id: "00000000000000s3", site: "depot", charger: "CP-1", evse: 2, start: "2026-03-29T23:30:00.000Z",
                chargingHours: 0.5, energyWh: 20_000,
                cost: Cost(currency: "EUR", exclVAT: "3.33", vat: "0.63", total: "3.96")),
        Session(id: "00000000000000s4", site: "boston", charger: "BOS-1", evse: 1, start: "2026-03-29T03:00:00.000Z",
                chargingHours: 1, energyWh: 6_500,
                cost: Cost(currency: "USD", exclVAT: "5.55", vat: "0.00", total: "5.55")),
        Session(id: "00000000000000s5", site: "depot", charger: "CP-1", evse: 1, start: "2026-03-29T12:00:00.000Z",
                chargingHours: 1, energyWh: 11_000, cost: Cost(currency: "EUR", exclVAT: "0", vat: "0", total: "0", status: "no_tariff")),
        Session(id: "00000000000000s6", site: "depot", charger: "CP-1", evse: 2, start: "2026-03-29T14:00:00.000Z",
                chargingHours: 0.25, energyWh: 5_000, state: .open),
        Session(id: "00000000000000s7", site: "boston", charger: "BOS-1", evse: 1, start: "2026-03-30T15:00:00.000Z",
                chargingHours: 0.5, energyWh: 1_000, state: .closed,
                cost: Cost(currency: "USD", exclVAT: "0.10", vat: "0.20", total: "0.30")),
    ]

    static func record(_ s: Session) -> SessionRecord {
        let start = ms(s.start)
        let chargingMs = Int64(s.chargingHours * Double(hour))
        let idleMs = Int64(s.idleHours * Double(hour))
        let open = s.state == .open
        return SessionRecord(
            id: s.id, site: s.site, charger: s.charger, evse: s.evse, connector: s.connector, state: s.state,
            phase: open ? .charging : .ended, start: .transaction, transactionId: "tx-\(s.id)", idTag: "04A2C3D4",
            startedAt: start, chargingEndedAt: open ? nil : start + chargingMs, endedAt: open ? nil : start + chargingMs + idleMs,
            unpluggedAt: open ? nil : start + chargingMs + idleMs, endReason: open ? nil : .transaction,
            stopReason: open ? nil : "EVDisconnected", meterStartWh: 1000, meterStopWh: 1000 + s.energyWh, energyWh: s.energyWh,
            energySource: .register, integratedEnergyWh: s.energyWh, chargingMs: chargingMs, suspendedEVMs: 0,
            suspendedEVSEMs: 0, idleMs: idleMs, interruptedMs: 0, interruptions: [], peakPowerW: 11_000, averagePowerW: 10_000,
            limitedBy: .vehicle, complete: true,
            signedBegin: s.id.hasSuffix("s2") ? SignedReading(timestamp: start, data: "OCMF|{\"RD\":[{\"RV\":1.0}]}|{\"SD\":\"3045\"}") : nil,
            signedEnd: s.id.hasSuffix("s2") ? SignedReading(timestamp: start, data: "OCMF|{\"RD\":[{\"RV\":8.0}]}|{\"SD\":\"3046\"}") : nil,
            anomalies: [], quality: [], amended: 0, lateReadings: 0, duplicates: 0, curve: PowerCurve(stepMs: 60_000, points: []))
    }

    /// Outages of CP-1 in March 2026 (30 days from 03-01 to 03-31, 720 h), worked out in the tests.
    static let anomalies: [Anomaly] = [
        anomaly("a1", .fault, evse: 1, from: "2026-03-10T10:00:00.000Z", to: "2026-03-10T22:00:00.000Z"),
        anomaly("a2", .telemetryGap, evse: nil, from: "2026-03-10T20:00:00.000Z", to: "2026-03-11T02:00:00.000Z"),
        anomaly("a3", .telemetryGap, evse: nil, from: "2026-03-15T08:00:00.000Z", to: "2026-03-15T08:05:00.000Z"),
        anomaly("a4", .fault, evse: 2, from: "2026-03-29T00:00:00.000Z", to: nil),
        anomaly("a5", .meterStuck, evse: 1, from: "2026-03-20T00:00:00.000Z", to: "2026-03-21T00:00:00.000Z"),
    ]

    static func anomaly(_ id: String, _ kind: AnomalyKind, evse: Int?, from: String, to: String?) -> Anomaly {
        Anomaly(id: "00000000000000" + id, kind: kind, severity: .critical, site: "depot", charger: "CP-1", evse: evse,
                connector: evse, sessionId: nil, startedAt: ms(from), resolvedAt: to.map(ms), value: 0, lastValue: 0,
                threshold: 0, count: 1, updatedAt: ms(from), detail: nil, message: "\(kind.rawValue) on CP-1")
    }

    /// Writes `DATA/wattline.db` in `directory` and returns the data directory.
    static func write(in directory: TemporaryDirectory) throws -> String {
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let path = data + "/" + ResultQueries.fileName
        let store = try ResultStore(path: path)
        try store.write(sessions: sessions.map(record), anomalies: anomalies, intervals: [], stage: "processors", checkpoint: (1, []))
        store.close()
        let database = try Database(path: path)
        defer { database.close() }
        for session in sessions {
            guard let cost = session.cost else { continue }
            try setCost(database, session: session.id, cost)
        }
        // s2's breakdown: a charging period with energy and time, then an idle period billed as parking.
        let line = try database.prepare("""
            INSERT INTO session_costs (session_id, line, period, period_start, period_end, state, dimension, element, price,
                vat_rate, measured_volume, step_volume, unit, amount)
            VALUES ('00000000000000s2', ?, ?, ?, ?, ?, ?, 0, '0.30', '19', ?, ?, ?, '0')
            """)
        let lines: [[SQLiteValue]] = [
            [0, 0, "2026-03-29T08:00:00.000Z", "2026-03-29T10:00:00.000Z", "charging", "energy", "7000", "0", "Wh"],
            [1, 0, "2026-03-29T08:00:00.000Z", "2026-03-29T10:00:00.000Z", "charging", "time", "7200000", "0", "ms"],
            [2, 1, "2026-03-29T10:00:00.000Z", "2026-03-29T10:30:00.000Z", "idle", "parking", "1800000", "900000", "ms"],
        ]
        for values in lines { try line.run(values) }
        return data
    }

    static func setCost(_ database: Database, session: String, _ cost: Cost) throws {
        try database.execute("""
            UPDATE sessions SET tariff_id = ?, currency = ?, cost_energy = ?, cost_time = '0', cost_parking = '0', cost_flat = '0',
                cost_excl_vat = ?, vat = ?, cost_total = ?, cost_status = ? WHERE id = ?
            """, [.text(cost.currency == "EUR" ? "standard" : "us-standard"), .text(cost.currency), .text(cost.exclVAT),
                  .text(cost.exclVAT), .text(cost.vat), .text(cost.total), .text(cost.status), .text(session)])
    }
}
