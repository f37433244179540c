import Foundation
import Ingest
import Logging
import MosquittoTestSupport
import Pipeline
import SQLite
import Telemetry
import Testing
import WriteAheadLog

/// The ingest core fed directly (no broker), stopped and started again on the same data directory.
@Suite struct IngestCoreRestartTests {
    static let yaml = """
        broker:
          url: mqtt://127.0.0.1:1883
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
          - template: ocpp/{charger}/out
            format: ocpp-j
            direction: backend
        """

    static func accept(_ core: IngestCore, _ topic: String, _ text: String, at time: Int64, qos: UInt8 = 1) {
        let topicBytes = Array(topic.utf8)
        let payload = Array(text.utf8)
        let accepted = topicBytes.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in
                core.acceptor.accept(receivedAt: time, topic: t, payload: p, qos: qos, retained: false)
            }
        }
        #expect(accepted)
    }

    /// Only QoS 1 and 2 messages are ever delivered again by a broker: an exact repeat of one counts as a
    /// redelivery, after a restart too (the window is seeded from the log); a repeated QoS 0 message does not.
    @Test func onlyQoS1RepeatsCountAsRedeliveries() throws {
        let data = try TemporaryDirectory(prefix: "wattline-core")
        defer { data.remove() }
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "core.yaml", environment: [:])
        let options = IngestOptions(dataDirectory: data.path)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let atMostOnce = #"[2,"h-0","Heartbeat",{}]"#
        let atLeastOnce = #"[2,"h-1","Heartbeat",{}]"#
        do {
            let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
            try core.start()
            Self.accept(core, "ocpp/CP-1/in", atMostOnce, at: now, qos: 0)
            Self.accept(core, "ocpp/CP-1/in", atMostOnce, at: now + 1, qos: 0)
            Self.accept(core, "ocpp/CP-1/in", atLeastOnce, at: now + 2, qos: 1)
            Self.accept(core, "ocpp/CP-1/in", atLeastOnce, at: now + 3, qos: 1)
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 4 })
            #expect(core.counters.redeliveries.current == 1, "the QoS 1 repeat only")
            core.stop()
        }
        let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
        try core.start()
        defer { core.stop() }
        Self.accept(core, "ocpp/CP-1/in", atMostOnce, at: now + 4, qos: 0)
        Self.accept(core, "ocpp/CP-1/in", atLeastOnce, at: now + 5, qos: 1)
        #expect(IngestHarness.eventually(10) { core.counters.decoded.current == core.counters.recovered.current + 2 })
        #expect(core.counters.redeliveries.current == 1, "the QoS 1 repeat, recognised from the log after the restart")
        IngestHarness.expectIdentities(core.counters)
    }

    /// A StartTransaction whose result arrives only after a restart still gets its transaction id: the checkpoint
    /// stays below a CALL still waiting for its result, so the new run reads the CALL again.
    @Test func aResultAfterARestartStillFindsItsCall() throws {
        let data = try TemporaryDirectory(prefix: "wattline-core")
        defer { data.remove() }
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "core.yaml", environment: [:])
        let options = IngestOptions(dataDirectory: data.path)
        let start = #"[2,"s-1","StartTransaction",{"connectorId":1,"idTag":"T1","meterStart":1000,"timestamp":"2026-11-21T12:00:00Z"}]"#
        let heartbeat = #"[2,"h-1","Heartbeat",{}]"#
        // Receive times near the wall clock: the runtime's tick records carry it, and a CALL holds the checkpoint
        // back for a minute of receive time.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
            try core.start()
            Self.accept(core, "ocpp/CP-1/in", start, at: now)
            Self.accept(core, "ocpp/CP-1/in", heartbeat, at: now + 1)
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 2 })
            #expect(core.counters.events.current == 1, "the StartTransaction event")
            core.stop()
        }
        let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
        try core.start()
        defer { core.stop() }
        #expect(IngestHarness.eventually(10) { core.counters.recovered.current == 2 }, "both records read again")
        Self.accept(core, "ocpp/CP-1/out", #"[3,"s-1",{"transactionId":42,"idTagInfo":{"status":"Accepted"}}]"#,
                    at: now + 2)
        #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 3 })
        // StartTransaction (read again) + the idAssigned event of its result.
        #expect(core.counters.events.current == 2)
        IngestHarness.expectIdentities(core.counters)
    }

    /// A StopTransaction after a restart names only its transaction: the tap learns where it runs from the open
    /// session the processors restored, so the stop's transactionData readings reach the session on its EVSE
    /// (without it they had no EVSE and were counted unattributed).
    @Test func aStopAfterARestartFindsItsEVSE() throws {
        let data = try TemporaryDirectory(prefix: "wattline-core")
        defer { data.remove() }
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "core.yaml", environment: [:])
        let options = IngestOptions(dataDirectory: data.path)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let iso = { (ms: Int64) in Timestamp.format(ms) }
        do {
            let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
            try core.start()
            Self.accept(core, "ocpp/CP-1/in", #"[2,"s-1","StartTransaction",{"connectorId":2,"idTag":"T1","meterStart":1000,"timestamp":"\#(iso(now))"}]"#, at: now)
            Self.accept(core, "ocpp/CP-1/out", #"[3,"s-1",{"transactionId":42,"idTagInfo":{"status":"Accepted"}}]"#, at: now + 100)
            // A second transaction on connector 1, so the stop cannot be matched by "the charger's only session".
            Self.accept(core, "ocpp/CP-1/in", #"[2,"s-2","StartTransaction",{"connectorId":1,"idTag":"T2","meterStart":500,"timestamp":"\#(iso(now + 1_000))"}]"#, at: now + 1_000)
            Self.accept(core, "ocpp/CP-1/out", #"[3,"s-2",{"transactionId":41,"idTagInfo":{"status":"Accepted"}}]"#, at: now + 1_100)
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 4 })
            core.stop()
        }
        let stop = #"[2,"e-1","StopTransaction",{"transactionId":42,"meterStop":4000,"timestamp":"\#(iso(now + 600_000))","reason":"Local","transactionData":[{"timestamp":"\#(iso(now + 600_000))","sampledValue":[{"value":"4000","context":"Transaction.End","measurand":"Energy.Active.Import.Register","unit":"Wh"},{"value":"80","context":"Transaction.End","measurand":"SoC","location":"EV","unit":"Percent"}]}]}]"#
        let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
        try core.start()
        Self.accept(core, "ocpp/CP-1/in", stop, at: now + 600_100)
        // The back-end's answer: until it comes the stage holds the CALL back (its result might carry data).
        Self.accept(core, "ocpp/CP-1/out", #"[3,"e-1",{"idTagInfo":{"status":"Accepted"}}]"#, at: now + 600_200)
        // And a later message, so the transactionData reading leaves the reordering window before the stop.
        let later = #"[2,"n-1","StatusNotification",{"connectorId":2,"errorCode":"NoError","status":"Available","timestamp":"\#(iso(now + 700_000))"}]"#
        Self.accept(core, "ocpp/CP-1/in", later, at: now + 700_000)
        #expect(IngestHarness.eventually(10) { core.counters.decoded.current >= 3 })
        core.stop()
        let database = try Database(path: data.path + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare(
            "SELECT evse, transaction_id, state, end_reason, energy_wh, soc_end FROM sessions ORDER BY transaction_id")
        var rows: [[String]] = []
        while try statement.step() { rows.append((0..<6).map { statement.isNull(at: $0) ? "NULL" : statement.text(at: $0) }) }
        #expect(rows.count == 2)
        #expect(rows.first?[0] == "1")
        #expect(rows.first?[1] == "41")
        #expect(rows.first?[2] == "open")
        let stopped = try #require(rows.last)
        #expect(stopped[0] == "2")
        #expect(stopped[1] == "42")
        #expect(stopped[2] != "open")
        #expect(stopped[3] == "transaction")
        #expect(Double(stopped[4]) == 3000)
        // The transactionData (placed through the restored session: it names only the transaction) reached it.
        #expect(Double(stopped[5]) == 80)
    }
}

/// Damage inside the backlog a start reads again: the records after it are processed, only the damaged one is
/// lost. (The worker used to drop its reader at the damage; a new reader met the same damage, and when the ring's
/// next record came the worker moved on to it, taking every record between for lost.)
@Suite struct DamagedBacklogTests {
    @Test func recordsAfterADamagedOneAreStillProcessed() throws {
        let data = try TemporaryDirectory(prefix: "wattline-damage")
        defer { data.remove() }
        let pipeline = try PipelineDefinition.load(yaml: IngestCoreRestartTests.yaml, fileName: "core.yaml", environment: [:])
        let options = IngestOptions(dataDirectory: data.path)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var descriptors: [LogDescriptor] = []
        do {
            let log = try WriteAheadLog(directory: options.logDirectory, syncPolicy: .never)
            for k in 0..<300 {
                let text = #"[2,"h-\#(k)","Heartbeat",{}]"#
                descriptors.append(try log.append(InboundMessage(receivedAt: now + Int64(k) * 10, topic: "ocpp/CP-1/in",
                                                                 qos: 1, retained: false, payload: Array(text.utf8))))
            }
            try log.close()
        }
        // One payload byte of record 101 flipped: its checksum fails, the records around it are intact.
        let damaged = descriptors[100]
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: options.logDirectory)
            .first { $0.hasSuffix(".wal") })
        let handle = try #require(FileHandle(forUpdatingAtPath: options.logDirectory + "/" + segment))
        try handle.seek(toOffset: damaged.offset + UInt64(damaged.length) - 3)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: damaged.offset + UInt64(damaged.length) - 3)
        try handle.write(contentsOf: [byte ^ 0x5A])
        try handle.close()

        let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
        try core.start()
        defer { core.stop() }
        // Ticks reach the ring every second meanwhile: the worker must not skip to them past the backlog.
        #expect(IngestHarness.eventually(15) { core.counters.decoded.current == 299 },
                "decoded \(core.counters.decoded.current) of the 299 intact records")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(core.counters.decoded.current == 299)
        #expect(core.counters.recovered.current == 299)
        IngestHarness.expectIdentities(core.counters)
    }
}
