import Foundation
import MosquittoTestSupport
import Pipeline
import SQLite
import Telemetry
import Testing
@testable import Processing

/// The processors stage on its own: items in, rows in SQLite out, and a checkpoint that resumes exactly.
@Suite struct ProcessorStageTests {
    static let start: Int64 = 1_795_248_000_000  // 2026-11-21T08:00:00Z

    static func pipeline(_ extra: String = "", ratedKW: Int = 11) throws -> PipelineDefinition {
        try PipelineDefinition.load(yaml: extra + """
            broker:
              url: mqtt://127.0.0.1:1883
            topics:
              - template: ev/{site}/{charger}/{connector}/{stream}
                format: compact
            fleet:
              sites:
                - {id: depot, name: Depot, timezone: Europe/Berlin, grid_limit_kw: 100}
              chargers:
                - id: CP-1
                  site: depot
                  protocol: compact
                  evses:
                    - id: 1
                      connectors:
                        - {id: 1, standard: IEC_62196_T2, power_type: AC_3_PHASE, rated_power_kw: \(ratedKW)}
            """, fileName: "test.yaml", environment: ["TAG_KEY": "a-secret-of-sixteen-chars"])
    }

    /// One charging session on CP-1 connector 1: start at 08:00, 7.2 kW for 40 minutes, stop at 08:40, a reading
    /// every 10 s (register and power), one record per message; ticks every second of receive time after that.
    static func items() -> [(lsn: UInt64, receivedAt: Int64, output: DecodeOutput?)] {
        let origin = Origin(site: "depot", charger: "CP-1")
        var items: [(UInt64, Int64, DecodeOutput?)] = []
        var lsn: UInt64 = 0
        func add(_ output: DecodeOutput?, at t: Int64) {
            lsn += 1
            items.append((lsn, t + 300, output))
        }
        var started = DecodeOutput()
        started.events = [.transaction(TransactionEvent(origin: origin, kind: .started, evse: 1, connector: 1, timestamp: start,
                                                        transactionId: "T-1", idTag: "TAG", meterStartWh: 1000))]
        add(started, at: start)
        for step in 0...240 {
            let t = start + Int64(step) * 10_000
            var meter = DecodeOutput()
            let register = 1000 + Double(step) * 20  // 7.2 kW = 20 Wh per 10 s
            meter.readings = [
                Reading(series: Series(site: "depot", charger: "CP-1", evse: 1, connector: 1, measurand: .energyActiveImportRegister),
                        timestamp: t, value: register, decimals: 0, transactionId: "T-1"),
                Reading(series: Series(site: "depot", charger: "CP-1", evse: 1, connector: 1, measurand: .powerActiveImport),
                        timestamp: t, value: step < 240 ? 7200 : 0, decimals: 0, transactionId: "T-1"),
            ]
            add(meter, at: t)
        }
        var stopped = DecodeOutput()
        stopped.events = [.transaction(TransactionEvent(origin: origin, kind: .ended, evse: 1, connector: 1,
                                                        timestamp: start + 2_400_000, transactionId: "T-1", meterStopWh: 5800,
                                                        stopReason: "Local"))]
        add(stopped, at: start + 2_400_000)
        for second in 1...1800 { add(nil, at: start + 2_400_000 + Int64(second) * 1000) }
        return items
    }

    /// Feeds `items` as the worker would (readings released at once, watermark = the record), committing every
    /// `commitEvery` records; stops after `limit` records. `checkpointing: false` commits as the worker does between
    /// snapshots (the stage decides when its checkpoint is due), and leaves out the final commit: a crash.
    static func feed(_ stage: ProcessorStage, _ items: [(lsn: UInt64, receivedAt: Int64, output: DecodeOutput?)],
                     from first: Int = 0, limit: Int = .max, commitEvery: Int = 50, checkpointing: Bool = true) throws {
        for (index, item) in items.enumerated() where index >= first && index < limit {
            if let output = item.output {
                stage.accept(output, origin: Origin(site: "depot", charger: "CP-1"), lsn: item.lsn, receivedAt: item.receivedAt)
                for reading in output.readings { stage.accept(reading: reading, lsn: item.lsn, receivedAt: item.receivedAt) }
            } else {
                stage.accept(tick: item.lsn, receivedAt: item.receivedAt)
            }
            stage.apply(through: item.lsn)
            if index % commitEvery == 0 { try stage.commit(receivedAt: item.receivedAt, checkpointing: checkpointing) }
        }
        if checkpointing, let last = items.prefix(limit).last { try stage.commit(receivedAt: last.receivedAt) }
    }

    /// A fresh stage at `path` fed every item record by record, then closed: the run others are compared with.
    static func feedWhole(_ items: [(lsn: UInt64, receivedAt: Int64, output: DecodeOutput?)], into path: String) throws {
        let stage = try ProcessorStage(databasePath: path, pipeline: try pipeline())
        try feed(stage, items)
        stage.close()
    }

    static func rows(_ path: String, _ sql: String) throws -> [[String]] {
        let database = try Database(path: path)
        defer { database.close() }
        let statement = try database.prepare(sql)
        var rows: [[String]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.isNull(at: $0) ? "NULL" : statement.text(at: $0) })
        }
        return rows
    }

    @Test func aSessionAndItsLoadReachTheTables() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try Self.pipeline())
        try Self.feed(stage, Self.items())
        stage.close()
        let sessions = try Self.rows(path, "SELECT transaction_id, started_at, ended_at, energy_wh, state FROM sessions")
        #expect(sessions == [["T-1", "2026-11-21T08:00:00.000Z", "2026-11-21T08:40:00.000Z", "4800.0", "closed"]])
        let intervals = try Self.rows(path, """
            SELECT start, energy_wh, demand_w FROM load_intervals WHERE level = 'connector' ORDER BY start
            """)
        #expect(intervals.map(\.[0]) == ["2026-11-21T08:00:00.000Z", "2026-11-21T08:15:00.000Z", "2026-11-21T08:30:00.000Z"])
        #expect(intervals.map(\.[1]) == ["1800.0", "1800.0", "1200.0"])
        #expect(intervals.map(\.[2]) == ["7200.0", "7200.0", "4800.0"])
        let site = try Self.rows(path, "SELECT count(*) FROM load_intervals WHERE level = 'site'")
        #expect(site == [["3"]])
        // The session's events wait for whoever takes them (the worker, every batch), then are gone.
        #expect(stage.drainSessionEvents().map(\.kind.rawValue).contains("session.ended"))
        #expect(stage.drainSessionEvents().isEmpty)
        let checkpoint = try Self.rows(path, "SELECT lsn FROM stage_checkpoints WHERE stage = 'processors'")
        #expect(checkpoint == [["\(Self.items().count)"]])
    }

    /// Stopped half-way (the process dies after a commit), reopened, fed again from the checkpoint: the tables equal
    /// those of an uninterrupted run.
    @Test func aRestartResumesFromTheCheckpointWithoutApplyingTwice() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let items = Self.items()
        let whole = directory.path + "/whole.db"
        try Self.feedWhole(items, into: whole)

        let split = directory.path + "/split.db"
        let first = try ProcessorStage(databasePath: split, pipeline: try Self.pipeline())
        try Self.feed(first, items, limit: 130, commitEvery: 50)
        first.close()
        let resumed = try ProcessorStage(databasePath: split, pipeline: try Self.pipeline())
        let checkpoint = try #require(resumed.checkpoint)
        #expect(checkpoint == 130)
        // The log is read again from a little before the checkpoint: those records must be ignored.
        try Self.feed(resumed, items, from: 100)
        resumed.close()
        for table in ["sessions", "load_intervals", "anomalies"] {
            let sql = "SELECT * FROM \(table) ORDER BY 1, 2, 3, 4, 5, 6"
            #expect(try Self.rows(split, sql) == Self.rows(whole, sql), "\(table)")
        }
    }

    /// With `processors.sessions.id_tag_hash_key`, the table holds a keyed hash, never the tag, also after a restart.
    @Test func idTagsAreStoredAsKeyedHashesWhenAsked() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let pipeline = try Self.pipeline("processors:\n  sessions:\n    id_tag_hash_key: ${TAG_KEY}\n")
        let items = Self.items()
        let first = try ProcessorStage(databasePath: path, pipeline: pipeline)
        try Self.feed(first, items, limit: 10)
        first.close()
        let resumed = try ProcessorStage(databasePath: path, pipeline: pipeline)
        try Self.feed(resumed, items, from: 10)
        resumed.close()
        let tags = try Self.rows(path, "SELECT id_tag FROM sessions")
        #expect(tags.count == 1)
        #expect(tags.first?.first != "TAG" && tags.first?.first != "NULL")
        let raw = try Self.rows(path, "SELECT count(*) FROM sessions WHERE record LIKE '%\"TAG\"%'")
        #expect(raw == [["0"]])
        let short = try Self.pipeline("processors:\n  sessions:\n    id_tag_hash_key: short\n")
        #expect(throws: PipelineError.self) { try ProcessorChain(pipeline: short) }
    }

    /// Rows are committed more often than the checkpoint: a crash between snapshots leaves rows newer than the
    /// checkpoint; the restarted stage applies those records again from the snapshot and ends with the same rows
    /// as an uninterrupted run.
    @Test func rowsNewerThanTheCheckpointAreRewrittenTheSameAfterACrash() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let items = Self.items()
        let whole = directory.path + "/whole.db"
        let uninterrupted = try ProcessorStage(databasePath: whole, pipeline: try Self.pipeline())
        try Self.feed(uninterrupted, items)
        uninterrupted.close()

        let crashed = directory.path + "/crashed.db"
        let first = try ProcessorStage(databasePath: crashed, pipeline: try Self.pipeline(), snapshotInterval: 3_600_000)
        try Self.feed(first, items, limit: 1_000, commitEvery: 20, checkpointing: false)
        let checkpoint = try #require(first.checkpoint)
        // The session's rows were written after the checkpoint: it closed at record 243, the snapshot is older.
        #expect(checkpoint < 243)
        #expect(try Self.rows(crashed, "SELECT state FROM sessions") == [["closed"]])
        first.close()
        let resumed = try ProcessorStage(databasePath: crashed, pipeline: try Self.pipeline(), snapshotInterval: 3_600_000)
        #expect(resumed.checkpoint == checkpoint)
        try Self.feed(resumed, items, from: Int(checkpoint), commitEvery: 20)
        resumed.close()
        let sql = "SELECT * FROM sessions ORDER BY id"
        #expect(try Self.rows(crashed, sql) == Self.rows(whole, sql))
        let load = "SELECT * FROM load_intervals ORDER BY 1, 2, 3"
        #expect(try Self.rows(crashed, load) == Self.rows(whole, load))
        #expect(try !Self.rows(whole, load).isEmpty)
    }

    /// Items due together are applied as they arrived when their event times are equal, as they are when due one
    /// at a time: an OCPP 2.0.1 `Occupied` and the `Started` of the same instant give the session its `plugged_at`
    /// however the worker batched them (a full-speed replay used to lose it: starts were ranked before statuses).
    @Test func theResultDoesNotDependOnHowRecordsWereBatched() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let origin = Origin(site: "depot", charger: "CP-1")
        var occupied = DecodeOutput()
        occupied.events = [.status(StatusChange(origin: origin, evse: 1, connector: 1, timestamp: Self.start,
                                                timestampFromCharger: true, status: .occupied, rawStatus: "Occupied"))]
        var started = DecodeOutput()
        started.events = [.transaction(TransactionEvent(origin: origin, kind: .started, evse: 1, connector: 1,
                                                        timestamp: Self.start, transactionId: "T-9", idTag: "TAG"))]
        var rows: [[[String]]] = []
        for batched in [false, true] {
            let path = directory.path + "/\(batched).db"
            let stage = try ProcessorStage(databasePath: path, pipeline: try Self.pipeline())
            stage.accept(occupied, origin: origin, lsn: 1, receivedAt: Self.start + 100)
            if !batched { stage.apply(through: 1) }
            stage.accept(started, origin: origin, lsn: 2, receivedAt: Self.start + 150)
            stage.apply(through: 2)
            try stage.commit(receivedAt: Self.start + 150)
            stage.close()
            rows.append(try Self.rows(path, "SELECT transaction_id, plugged_at FROM sessions"))
        }
        #expect(rows[0] == [["T-9", "2026-11-21T08:00:00.000Z"]])
        #expect(rows[1] == rows[0])
    }

    /// Released readings handed over in arrays (as the worker does), several arrays before an apply and a watermark
    /// lagging behind what was handed over, or standing still for a while, so that readings of records past it wait
    /// in the queue across applies (read in place from arrays partly applied): the tables equal those of the
    /// record-by-record feed, and every array is let go once its last reading is applied.
    @Test func releasedArraysAppliedBehindTheWatermarkGiveTheSameTables() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let items = Self.items()
        let query = "SELECT transaction_id, started_at, ended_at, energy_wh, charging_ended_at, state FROM sessions"
        let intervalsQuery = "SELECT level, start, energy_wh, demand_w FROM load_intervals ORDER BY level, start"
        let plainPath = directory.path + "/plain.db"
        try Self.feedWhole(items, into: plainPath)

        let arraysPath = directory.path + "/arrays.db"
        let stage = try ProcessorStage(databasePath: arraysPath, pipeline: try Self.pipeline())
        let origin = Origin(site: "depot", charger: "CP-1")
        var pending: [ReleasedReading] = []
        var receiveTimes: [UInt64: Int64] = [:]
        for (index, item) in items.enumerated() {
            if let output = item.output {
                stage.accept(output, origin: origin, lsn: item.lsn, receivedAt: item.receivedAt)
                pending += output.readings.map { ReleasedReading(reading: $0, lsn: item.lsn) }
                receiveTimes[item.lsn] = item.receivedAt
            } else {
                stage.accept(tick: item.lsn, receivedAt: item.receivedAt)
            }
            // An array every 3 records, an apply every 7 with the watermark 5 records behind; for a stretch the
            // watermark stands still (nothing becomes due while arrays keep coming: they wait whole).
            if index % 3 == 2 {
                stage.accept(released: pending) { receiveTimes[$0]! }
                pending.removeAll()
            }
            let stuck = (100..<160).contains(index)
            if index % 7 == 6 || stuck { stage.apply(through: stuck ? items[99].lsn - 5 : item.lsn - 5) }
            if index == 159 {
                #expect(stage.heldReleasedArrays.arrays >= 20, "arrays wait while the watermark stands still")
            }
        }
        stage.accept(released: pending) { receiveTimes[$0]! }
        let last = items[items.count - 1]
        stage.apply(through: last.lsn)
        #expect(stage.heldReleasedArrays.arrays == 0 && stage.heldReleasedArrays.readings == 0,
                "\(stage.heldReleasedArrays) held after everything was applied")
        try stage.commit(receivedAt: last.receivedAt)
        stage.close()

        let sessions = try Self.rows(arraysPath, query)
        #expect(sessions.count == 1 && sessions.first?.first == "T-1")
        #expect(sessions == (try Self.rows(plainPath, query)))
        #expect(try Self.rows(arraysPath, intervalsQuery) == (try Self.rows(plainPath, intervalsQuery)))
    }

    /// A restarted stage takes the pipeline's session settings as they are now (an operator tuned one and
    /// restarted), not those of the snapshot; the power curve's step stays the restored sessions'.
    @Test func aRestartAppliesThePipelinesCurrentSessionSettings() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let first = try ProcessorStage(databasePath: path, pipeline: try Self.pipeline())
        try Self.feed(first, Self.items(), limit: 100)
        first.close()
        #expect(first.chain.sessions.configuration.completeAfterMs == 300_000)
        let tuned = try Self.pipeline("processors:\n  sessions:\n    complete_after: 2m\n    silence_timeout: 20m\n")
        let restarted = try ProcessorStage(databasePath: path, pipeline: tuned)
        defer { restarted.close() }
        #expect(restarted.chain.sessions.openSessions.count == 1, "the snapshot was restored")
        #expect(restarted.chain.sessions.configuration.completeAfterMs == 120_000)
        #expect(restarted.chain.sessions.configuration.silenceTimeoutMs == 1_200_000)
        #expect(restarted.chain.sessions.configuration.curveStepMs == first.chain.sessions.configuration.curveStepMs)
    }

    /// The anomaly rules and the fleet's ratings are the pipeline's after a restart too: a charger re-rated below
    /// what it draws is overpowered from the restart on; a rule switched off resolves what it had open.
    @Test func aRestartAppliesThePipelinesCurrentAnomalyRulesAndRatings() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let items = Self.items()
        let first = try ProcessorStage(databasePath: path, pipeline: try Self.pipeline())
        try Self.feed(first, items, limit: 100)
        first.close()
        let overpower = "SELECT started_at, threshold, resolved_at IS NULL FROM anomalies WHERE kind = 'overpower'"
        #expect(try Self.rows(path, overpower).isEmpty, "7.2 kW on an 11 kW connector")

        let rerated = try ProcessorStage(databasePath: path, pipeline: try Self.pipeline(ratedKW: 5))
        try Self.feed(rerated, items, from: 100, limit: 150)
        rerated.close()
        let opened = try Self.rows(path, overpower)
        #expect(opened.count == 1)
        #expect(opened.first?[1] == "5500.0", "5 kW + the 10 % tolerance")
        #expect(opened.first?[2] == "1", "still open")
        let restartedAt = Timestamp.format(items[100].receivedAt - 300)
        #expect((opened.first?[0] ?? "") >= restartedAt)

        let off = try Self.pipeline("processors:\n  anomalies:\n    overpower:\n      enabled: false\n", ratedKW: 5)
        let switchedOff = try ProcessorStage(databasePath: path, pipeline: off)
        try Self.feed(switchedOff, items, from: 150, limit: 200)
        switchedOff.close()
        let resolved = try Self.rows(path, overpower)
        #expect(resolved.count == 1, "no new overpower anomaly once the rule is off")
        #expect(resolved.first?[2] == "0", "resolved at the restart")
    }
}
