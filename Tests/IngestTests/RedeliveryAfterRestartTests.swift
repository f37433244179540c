import ChunkStore
import Foundation
import Ingest
import Logging
import MosquittoTestSupport
import Pipeline
import SQLite
import Telemetry
import Testing

/// A QoS 1 redelivery after a restart: the broker resends a message an earlier run had accepted (and checkpointed),
/// which lands in the log as a new record. The reordering window's released history is part of the processors'
/// checkpoint, so its readings are recognised as duplicates and reach no stage a second time; records read again
/// after the restart are not redeliveries and still reach every stage that needs them.
@Suite struct RedeliveryAfterRestartTests {
    static let charger = "CP-1"

    /// A StartTransaction at `start` (transaction 42), its result, and MeterValues number k at `start` + 10 k s
    /// (register 1000 + 20 k Wh, 7.2 kW).
    struct Traffic {
        let start: Int64
        let now: Int64

        var startTransaction: String {
            #"[2,"s-1","StartTransaction",{"connectorId":1,"idTag":"T1","meterStart":1000,"timestamp":"\#(Timestamp.format(start))"}]"#
        }
        var result: String { #"[3,"s-1",{"transactionId":42,"idTagInfo":{"status":"Accepted"}}]"# }

        func meterValues(_ k: Int) -> String {
            let t = Timestamp.format(start + Int64(k) * 10_000)
            return #"[2,"m-\#(k)","MeterValues",{"connectorId":1,"transactionId":42,"meterValue":[{"timestamp":"\#(t)","sampledValue":[{"value":"\#(1000 + k * 20)","measurand":"Energy.Active.Import.Register","unit":"Wh"},{"value":"7200","measurand":"Power.Active.Import","unit":"W"}]}]}]"#
        }

        /// Receive times near the wall clock: the runtime's tick records carry it.
        func at(_ k: Int) -> Int64 { now + Int64(k) * 10 }
    }

    static func makeTraffic() -> Traffic {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // Event times ten minutes back: nothing is in the future, and every reading but the last ten seconds' is
        // released by the charger's own clock.
        return Traffic(start: now - 600_000, now: now)
    }

    static func pipeline() throws -> PipelineDefinition {
        try PipelineDefinition.load(yaml: IngestCoreRestartTests.yaml, fileName: "core.yaml", environment: [:])
    }

    /// One run of the runtime on `options`' data directory: `body` feeds it, then it stops (every stage checkpoints).
    /// The identities are checked unless the archive does not run (it is what counts readings stored).
    static func run(_ options: IngestOptions, _ body: (IngestCore) -> Void) throws -> IngestCounters {
        let core = try IngestCore(pipeline: try pipeline(), options: options, logger: Logger(label: "test"))
        try core.start()
        body(core)
        core.stop()
        if options.stages.contains(.archive) { IngestHarness.expectIdentities(core.counters) }
        return core.counters
    }

    /// The first run: the transaction and `meters` MeterValues, then a clean stop (every stage checkpoints).
    static func firstRun(_ options: IngestOptions, _ traffic: Traffic, meters: Int) throws -> IngestCounters {
        try run(options) { core in
            IngestCoreRestartTests.accept(core, "ocpp/\(charger)/in", traffic.startTransaction, at: traffic.at(0))
            IngestCoreRestartTests.accept(core, "ocpp/\(charger)/out", traffic.result, at: traffic.at(1))
            for k in 0..<meters {
                IngestCoreRestartTests.accept(core, "ocpp/\(charger)/in", traffic.meterValues(k), at: traffic.at(2 + k))
            }
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 2 + meters })
        }
    }

    /// The one session's figures, as text: late readings, quality flags, then the energies, peak power and charging
    /// time; empty when there is no session.
    static func session(_ options: IngestOptions) throws -> [String] {
        let database = try Database(path: options.dataDirectory + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare("""
            SELECT late_readings, quality_flags, energy_wh, integrated_energy_wh, peak_power_w, charging_s FROM sessions
            """)
        guard try statement.step() else { return [] }
        let figures = (0..<statement.columnCount).map { statement.isNull(at: $0) ? "NULL" : statement.text(at: $0) }
        #expect(try !statement.step(), "one session")
        return figures
    }

    /// The readings of a MeterValues message the processors had checkpointed, delivered again after a clean restart:
    /// counted as duplicates by the window, not applied to the session a second time (before, the session took them
    /// for late readings: `late_readings` 2, flag `reordered`).
    @Test func aRedeliveryOfACheckpointedMessageIsADuplicateAfterARestart() throws {
        let data = try TemporaryDirectory(prefix: "wattline-redelivery")
        defer { data.remove() }
        let options = IngestOptions(dataDirectory: data.path)
        let traffic = Self.makeTraffic()
        _ = try Self.firstRun(options, traffic, meters: 8)
        let before = try Self.session(options)
        #expect(before.first == "0", "no late readings")

        let counters = try Self.run(options) { core in
            // Message 3 again: the broker never saw its PUBACK. Then the charger carries on.
            IngestCoreRestartTests.accept(core, "ocpp/\(Self.charger)/in", traffic.meterValues(3), at: traffic.at(20))
            IngestCoreRestartTests.accept(core, "ocpp/\(Self.charger)/in", traffic.meterValues(8), at: traffic.at(21))
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == core.counters.recovered.current + 2 })
        }
        #expect(counters.redeliveries.current == 1, "the acceptor's window was seeded from the log")
        #expect(counters.readingsDuplicate.current == 2, "both readings of the redelivered message")
        // Still no late readings, no `reordered` flag (meters 7 and 8 moved the energy on).
        let after = try Self.session(options)
        #expect(after.prefix(2) == before.prefix(2), "the redelivered readings did not reach the session")
        #expect(after.count > 2 && after[2] == "140.0", "meters 0 ... 7")
    }

    /// The archive's checkpoint below the processors' (here it did not run at first): the next start reads the log
    /// again from the archive's checkpoint. Those records are no redeliveries, though the restored history holds
    /// their readings: they reach the archive, which ends with every reading once; the real redelivery after them
    /// is a duplicate.
    @Test func recordsReadAgainForTheArchiveAreNoRedeliveries() throws {
        let data = try TemporaryDirectory(prefix: "wattline-redelivery")
        defer { data.remove() }
        var options = IngestOptions(dataDirectory: data.path)
        options.stages = [.processors]
        let traffic = Self.makeTraffic()
        _ = try Self.firstRun(options, traffic, meters: 8)

        options.stages = [.archive, .processors]
        let counters = try Self.run(options) { core in
            IngestCoreRestartTests.accept(core, "ocpp/\(Self.charger)/in", traffic.meterValues(3), at: traffic.at(20))
            IngestCoreRestartTests.accept(core, "ocpp/\(Self.charger)/in", traffic.meterValues(8), at: traffic.at(21))
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == core.counters.recovered.current + 2 })
        }
        #expect(counters.recovered.current == 10, "the whole log read again for the archive")
        // Meters 0 ... 7 stored (8 still waits in the window), the redelivered 3 counted as duplicates once.
        #expect(counters.readingsStored.current == 16)
        #expect(counters.readingsDuplicate.current == 2)
        #expect(counters.readingsHeld.current == 2)
        let archive = ChunkArchive(directory: options.chunkDirectory)
        let stored = archive.samples(from: .min, to: .max) { _ in true }
        #expect(stored.map(\.series.measurand) == [.energyActiveImportRegister, .powerActiveImport])
        for item in stored {
            #expect(item.samples.map(\.timestamp) == (0..<8).map { traffic.start + Int64($0) * 10_000 })
        }
        let session = try Self.session(options)
        #expect(session.first == "0", "no late readings")
        #expect(session.count > 1 && !session[1].contains("reordered"))
    }

    /// Readings the window released of records after the processors' checkpoint (another charger's reading, of an
    /// earlier record, was still held at the stop) are left out of the checkpoint's history: their records are read
    /// again after the restart and reach the processors, which end as in an uninterrupted run.
    @Test func readingsReleasedPastTheCheckpointReachTheProcessorsAfterARestart() throws {
        let traffic = Self.makeTraffic()
        let voltage = { (k: Int) in
            #"[2,"v-\#(k)","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"\#(Timestamp.format(traffic.start + Int64(k) * 10_000))","sampledValue":[{"value":"230","measurand":"Voltage","unit":"V"}]}]}]"#
        }
        // CP-A's reading first, held at the stop (its clock does not move); CP-1's charging after it, released by
        // its own clock up to 40 s; CP-A and CP-1 carry on after the restart.
        let first: [(String, String)] = [
            ("ocpp/CP-1/in", traffic.startTransaction), ("ocpp/CP-1/out", traffic.result), ("ocpp/CP-A/in", voltage(0)),
        ] + (0..<6).map { ("ocpp/CP-1/in", traffic.meterValues($0)) }
        let second: [(String, String)] = [
            ("ocpp/CP-1/in", traffic.meterValues(6)), ("ocpp/CP-1/in", traffic.meterValues(8)), ("ocpp/CP-A/in", voltage(3)),
        ]
        func feed(_ core: IngestCore, _ messages: ArraySlice<(String, String)>) {
            for (k, message) in zip(messages.indices, messages) {
                IngestCoreRestartTests.accept(core, message.0, message.1, at: traffic.at(k))
            }
            #expect(IngestHarness.eventually(10) {
                core.counters.decoded.current == core.counters.recovered.current + messages.count
            })
        }
        let all = first + second
        let whole = try TemporaryDirectory(prefix: "wattline-redelivery")
        defer { whole.remove() }
        _ = try Self.run(IngestOptions(dataDirectory: whole.path)) { feed($0, all[...]) }

        let split = try TemporaryDirectory(prefix: "wattline-redelivery")
        defer { split.remove() }
        _ = try Self.run(IngestOptions(dataDirectory: split.path)) { feed($0, all[..<first.count]) }
        let counters = try Self.run(IngestOptions(dataDirectory: split.path)) { feed($0, all[first.count...]) }
        #expect(counters.recovered.current == 7, "read again from CP-A's held reading on")
        #expect(counters.readingsDuplicate.current == 10, "the archive had CP-1's released readings already")

        let expected = try Self.session(IngestOptions(dataDirectory: whole.path))
        #expect(expected.count > 3 && expected[3] == "120.0", "integrated over 0 ... 60 s at 7.2 kW")
        #expect(try Self.session(IngestOptions(dataDirectory: split.path)) == expected)
    }
}
