import Alerts
import Anomalies
import Foundation
import PowerLevels
import SQLite
import Sessions
import Telemetry
import Zstd

/// Writes the processors' results to `DATA/wattline.db`, each batch in one transaction with the stage's
/// checkpoint (LSN and state snapshot), so the tables and the state the stage resumes from always agree.
///
/// Not thread-safe: the ingest worker's thread owns it (and its `Database`).
final class ResultStore {
    let database: Database
    private let upsertSession: Statement
    /// Writes cost columns and lines (ResultStore-costs.swift).
    let costs: CostStatements
    private let upsertAnomaly: Statement
    private let upsertInterval: Statement
    private let saveCheckpoint: Statement
    private let recordQueuedAlert: Statement
    private let forgetQueuedAlerts: Statement
    let encoder: JSONEncoder
    /// The alert outbox and its routing, when hooks run.
    private let outbox: (Outbox, AlertConfiguration, FailedEventsFile)?
    /// What the outbox did in the last write (counted by the caller).
    private(set) var lastEnqueue = Outbox.EnqueueResult()

    /// The columns a session record fills. The upsert updates only these, so a row's cost columns stay as they are
    /// unless the same batch writes them (`writeCost`).
    static let recordColumns = [
        "id", "site", "charger", "evse", "connector", "transaction_id", "id_tag", "id_tag_status", "state", "phase",
        "start_kind", "started_at", "plugged_at", "charging_ended_at", "ended_at", "unplugged_at", "end_reason",
        "stop_reason", "meter_start_wh", "meter_stop_wh", "energy_wh", "energy_source", "integrated_energy_wh",
        "charging_s", "suspended_ev_s", "suspended_evse_s", "idle_s", "interrupted_s", "interruptions", "peak_power_w",
        "average_power_w", "offered_power_w", "soc_start", "soc_end", "taper_soc", "limited_by", "complete", "quality",
        "quality_flags", "anomalies", "amended", "late_readings", "signed_begin", "signed_end", "record",
    ]

    init(path: String, alerts: AlertConfiguration? = nil) throws(SQLiteError) {
        database = try Database(path: path)
        try ResultSchema.migrate(database)
        if let alerts {
            let directory = (path as NSString).deletingLastPathComponent
            outbox = (try Outbox(database: database), alerts, FailedEventsFile(dataDirectory: directory.isEmpty ? "." : directory))
        } else {
            outbox = nil
        }
        // `power_w` and `time_to_full_s` describe an open session (its cost write sets them): a row written as no
        // longer open drops them. Without that, a session closed, finalized and evicted between two commits (its
        // cost not written again) kept the power of the last commit that saw it open, which depended on when the
        // commits happened: a replay at another speed gave another value.
        upsertSession = try database.prepare("""
            INSERT INTO sessions (\(Self.recordColumns.joined(separator: ", ")))
            VALUES (\(Array(repeating: "?", count: Self.recordColumns.count).joined(separator: ", ")))
            ON CONFLICT (id) DO UPDATE SET
                \(Self.recordColumns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
                power_w = CASE WHEN excluded.state = 'open' THEN power_w END,
                time_to_full_s = CASE WHEN excluded.state = 'open' THEN time_to_full_s END
            """)
        costs = try CostStatements(database)
        upsertAnomaly = try database.prepare("""
            INSERT OR REPLACE INTO anomalies (id, kind, severity, site, charger, evse, connector, session_id, started_at,
                updated_at, resolved_at, value, last_value, threshold, unit, count, detail, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        upsertInterval = try database.prepare("""
            INSERT OR REPLACE INTO load_intervals (level, site, charger, evse, connector, start, end, average_w, peak_w,
                energy_wh, demand_w, samples, energy_source, derived, flags, connectors)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        saveCheckpoint = try database.prepare("""
            INSERT INTO stage_checkpoints (stage, lsn, snapshot) VALUES (?, ?, ?)
            ON CONFLICT (stage) DO UPDATE SET lsn = excluded.lsn, snapshot = excluded.snapshot
            """)
        recordQueuedAlert = try database.prepare("""
            INSERT INTO alert_ledger (event_id, lsn) VALUES (?, ?)
            ON CONFLICT (event_id) DO UPDATE SET lsn = max(lsn, excluded.lsn)
            """)
        forgetQueuedAlerts = try database.prepare("DELETE FROM alert_ledger WHERE lsn <= ?")
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    /// The alert events queued after the checkpoint through `lsn` (`alert_ledger`): id → the record the
    /// processors had applied through when it was queued.
    func queuedAlerts(after lsn: UInt64) throws -> [String: UInt64] {
        let statement = try database.prepare("SELECT event_id, lsn FROM alert_ledger WHERE lsn > ?")
        try statement.bind(Int64(bitPattern: lsn), at: 1)
        var queued: [String: UInt64] = [:]
        while try statement.step() { queued[statement.text(at: 0)] = UInt64(statement.int64(at: 1)) }
        return queued
    }

    /// The LSN of `stage`'s checkpoint in the database at `path`, read only (nothing is created or migrated); nil
    /// when the file, the table or the row is not there.
    static func checkpointLSN(path: String, stage: String) -> UInt64? {
        guard FileManager.default.fileExists(atPath: path),
              let database = try? Database(path: path, configuration: .init(access: .readOnly)) else { return nil }
        defer { database.close() }
        guard let statement = try? database.prepare("SELECT lsn FROM stage_checkpoints WHERE stage = ?"),
              (try? statement.bind(stage, at: 1)) != nil, (try? statement.step()) == true else { return nil }
        return UInt64(statement.int64(at: 0))
    }

    /// The stage's last checkpoint: LSN and snapshot bytes (decompressed).
    func checkpoint(stage: String) throws -> (lsn: UInt64, snapshot: [UInt8])? {
        let statement = try database.prepare("SELECT lsn, snapshot FROM stage_checkpoints WHERE stage = ?")
        try statement.bind(stage, at: 1)
        guard try statement.step() else { return nil }
        let lsn = UInt64(statement.int64(at: 0))
        let stored = statement.blob(at: 1)
        return (lsn, try Zstd.decompress(stored))
    }

    /// Writes one batch, its alert events (to the outbox) and the checkpoint (when given) in one transaction.
    ///
    /// Without a checkpoint, the events' ids go to `alert_ledger` with `appliedThrough` (the records they came
    /// from are applied again after a restart, and must not queue them twice); a checkpoint lets go of the ids it
    /// covers.
    ///
    /// Events the outbox has no room for (its quota) are appended to `failed.jsonl` before the commit: kept, never
    /// dropped (a failed commit may write them twice; the ids tell).
    /// Sessions with a cost in `costs` get their cost columns and `session_costs` lines in the same transaction.
    func write(sessions: [SessionRecord], costs: [String: SessionCost] = [:], anomalies: [Anomaly],
               intervals: [PowerInterval], alerts: [AlertEvent] = [], appliedThrough: UInt64 = 0,
               stage: String, checkpoint: (lsn: UInt64, bytes: [UInt8])?) throws {
        let compressed = try checkpoint.map { try Zstd.compress($0.bytes, level: 3) }
        try database.transaction(.immediate) {
            for session in sessions {
                try upsert(session)
                if let cost = costs[session.id] { try writeCost(cost, session: session.id) }
            }
            for anomaly in anomalies { try upsert(anomaly) }
            for interval in intervals { try upsert(interval) }
            if let (outbox, configuration, failed) = outbox, !alerts.isEmpty {
                lastEnqueue = try outbox.enqueue(alerts, configuration: configuration)
                if !lastEnqueue.overQuota.isEmpty {
                    let at = Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000))
                    try failed.append(lastEnqueue.overQuota.map {
                        FailedEvent(hook: $0.hook, failedAt: at, attempts: 0,
                                    error: "the alert outbox is full (alerts.outbox_quota = \(configuration.outboxQuota) events waiting); is a hook failing or too slow?",
                                    event: $0.event)
                    })
                }
            } else {
                lastEnqueue = Outbox.EnqueueResult()
            }
            if let checkpoint, let compressed {
                try saveCheckpoint.run([.text(stage), .integer(Int64(bitPattern: checkpoint.lsn)), .blob(compressed)])
                try forgetQueuedAlerts.run([.integer(Int64(bitPattern: checkpoint.lsn))])
            } else if outbox != nil {
                for alert in alerts {
                    try recordQueuedAlert.run([.text(alert.id), .integer(Int64(bitPattern: appliedThrough))])
                }
            }
        }
    }

    private func upsert(_ s: SessionRecord) throws {
        let record = s.jsonText()
        let signed = { (value: SignedReading?) -> SQLiteValue in value.map { .text($0.data) } ?? .null }
        try upsertSession.run([
            .text(s.id), .text(s.site), .text(s.charger), .integer(Int64(s.evse)), .integer(Int64(s.connector)),
            text(s.transactionId), text(s.idTag), text(s.idTagStatus), .text(s.state.rawValue), .text(s.phase.rawValue),
            .text(s.start.rawValue), .text(Timestamp.format(s.startedAt)), time(s.pluggedAt), time(s.chargingEndedAt),
            time(s.endedAt), time(s.unpluggedAt), text(s.endReason?.rawValue), text(s.stopReason), real(s.meterStartWh),
            real(s.meterStopWh), real(s.energyWh), .text(s.energySource.rawValue), real(s.integratedEnergyWh),
            seconds(s.chargingMs), seconds(s.suspendedEVMs), seconds(s.suspendedEVSEMs), seconds(s.idleMs),
            seconds(s.interruptedMs), .integer(Int64(s.interruptions.count)), real(s.peakPowerW), real(s.averagePowerW),
            real(s.offeredPowerW), real(s.socStart), real(s.socEnd), real(s.taperSoC), .text(s.limitedBy.rawValue),
            .integer(s.complete ? 1 : 0), .integer(Int64(s.quality.rawValue)), .text(s.quality.names.joined(separator: ",")),
            .text(s.anomalies.joined(separator: ",")), .integer(Int64(s.amended)), .integer(Int64(s.lateReadings)),
            signed(s.signedBegin), signed(s.signedEnd), .text(record),
        ])
    }

    private func upsert(_ a: Anomaly) throws {
        try upsertAnomaly.run([
            .text(a.id), .text(a.kind.rawValue), .text(a.severity.rawValue), text(a.site), text(a.charger),
            a.evse.map { .integer(Int64($0)) } ?? .null, a.connector.map { .integer(Int64($0)) } ?? .null,
            text(a.sessionId), .text(Timestamp.format(a.startedAt)), .text(Timestamp.format(a.updatedAt)),
            time(a.resolvedAt), .real(a.value), .real(a.lastValue), .real(a.threshold), .text(a.kind.unit),
            .integer(Int64(a.count)), text(a.detail), .text(a.message),
        ])
    }

    private func upsert(_ i: PowerInterval) throws {
        try upsertInterval.run([
            .text(i.level == .mainMeter ? "main_meter" : i.level.rawValue), .text(i.site), .text(i.charger ?? ""), .integer(Int64(i.evse ?? 0)),
            .integer(Int64(i.connector ?? 0)), .text(Timestamp.format(i.start)), .text(Timestamp.format(i.end)),
            real(i.averageW), real(i.peakW), real(i.energyWh), real(i.demandW), .integer(Int64(i.sampleCount)),
            .text(i.energySource.rawValue), .integer(i.derived ? 1 : 0), .integer(Int64(i.flags.rawValue)),
            .integer(Int64(i.connectorCount)),
        ])
    }

    func close() { database.close() }
}

private func text(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
private func real(_ value: Double?) -> SQLiteValue { value.flatMap { $0.isFinite ? .real($0) : nil } ?? .null }
private func time(_ value: Int64?) -> SQLiteValue { value.map { .text(Timestamp.format($0)) } ?? .null }
private func seconds(_ milliseconds: Int64) -> SQLiteValue { .real(Double(milliseconds) / 1000) }
