@testable import Alerts
import Foundation
import MosquittoTestSupport
import Testing
@testable import Processing

/// Alert events across a crash: a commit that queues events does not force a snapshot, and the events a restarted
/// stage makes again (applying the records after its checkpoint) are not queued a second time.
@Suite struct ProcessorStageAlertTests {
    static func alerts() -> AlertConfiguration {
        var hook = HookConfiguration(name: "ops", command: ["/bin/true"], events: [EventSelector.parse("session.*").0!])
        hook.timeoutMs = 1_000
        return AlertConfiguration(hooks: [hook])
    }

    static func outbox(_ path: String) throws -> [String] {
        try ProcessorStageTests.rows(path, "SELECT event_id FROM alert_outbox ORDER BY event_id").map { $0[0] }
    }

    @Test func eventsMadeAgainAfterACrashAreNotQueuedTwice() throws {
        let directory = try TemporaryDirectory(prefix: "alerts")
        defer { directory.remove() }
        let items = ProcessorStageTests.items()
        let pipeline = try ProcessorStageTests.pipeline()

        // Without a crash: every event the session makes.
        let whole = directory.path + "/whole.db"
        let reference = try ProcessorStage(databasePath: whole, pipeline: pipeline, alerts: Self.alerts())
        try ProcessorStageTests.feed(reference, items)
        reference.close()
        let everything = try Self.outbox(whole)
        #expect(everything.contains { $0.contains(":session.ended:") })

        // A commit after every record, the stage left to decide when to snapshot; then a crash after the session
        // ended (record 243), its events queued.
        let path = directory.path + "/crash.db"
        let first = try ProcessorStage(databasePath: path, pipeline: pipeline, alerts: Self.alerts())
        try ProcessorStageTests.feed(first, items, limit: 260, commitEvery: 1, checkpointing: false)
        first.close()
        #expect(try Self.outbox(path) == everything)
        // Only the first commit snapshotted (the snapshot interval is 5 minutes of receive time): queuing events
        // did not force one.
        #expect(try ProcessorStageTests.rows(path, "SELECT lsn FROM stage_checkpoints") == [["1"]])
        // The events queued after it are in the ledger, the session's end among them.
        let ended = try #require(everything.first { $0.contains(":session.ended:") })
        let ledger = try ProcessorStageTests.rows(path, "SELECT event_id FROM alert_ledger").map { $0[0] }
        #expect(ledger.contains(ended) && Set(ledger).isSubset(of: everything))

        // The hook took the session's end before the crash; the rest waits.
        try ProcessorStageTests.rows(path, "DELETE FROM alert_outbox WHERE event_id = '\(ended)'").forEach { _ in }
        // Restarted: records 2… are applied again and make every event after the checkpoint again.
        let resumed = try ProcessorStage(databasePath: path, pipeline: pipeline, alerts: Self.alerts())
        #expect(resumed.checkpoint == 1)
        try ProcessorStageTests.feed(resumed, items, from: 1, commitEvery: 1)
        resumed.close()
        #expect(try Self.outbox(path) == everything.filter { $0 != ended }, "an event was queued twice")
        // The final checkpoint covers every record: the ledger is empty again.
        #expect(try ProcessorStageTests.rows(path, "SELECT count(*) FROM alert_ledger") == [["0"]])
    }

    /// `session.cost_threshold` queued before a crash, the hook took it, and the restart comes with a higher
    /// threshold: the rerun reaches the new line well after the checkpoints have passed the ledger's row, and must
    /// still not queue the session's event again (one per session, whatever the threshold).
    @Test func aCostThresholdEventIsNotQueuedAgainUnderANewThreshold() throws {
        let directory = try TemporaryDirectory(prefix: "alerts")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let items = ProcessorStageTests.items()
        func stage(threshold: String) throws -> ProcessorStage {
            let pipeline = try ProcessorStageTests.pipeline(
                ProcessorStageBillingTests.tariffs + "processors:\n  sessions:\n    cost_threshold: \(threshold)\n")
            var hook = HookConfiguration(name: "billing", command: ["/bin/true"],
                                         events: [EventSelector.parse("session.cost_threshold").0!])
            hook.timeoutMs = 1_000
            return try ProcessorStage(databasePath: path, pipeline: pipeline, alerts: AlertConfiguration(hooks: [hook]))
        }
        // 2.00 is reached at the 85th reading (ProcessorStageBillingTests); crash after 100 records.
        let first = try stage(threshold: "2.00")
        try ProcessorStageTests.feed(first, items, limit: 100, commitEvery: 1, checkpointing: false)
        first.close()
        let queued = try Self.outbox(path)
        #expect(queued.count == 1 && queued.first?.hasSuffix(":session.cost_threshold") == true)
        #expect(try ProcessorStageTests.rows(path, "SELECT count(*) FROM alert_ledger") == [["1"]])
        try ProcessorStageTests.rows(path, "DELETE FROM alert_outbox").forEach { _ in }
        // 3.00 is reached much later; every commit checkpoints, so the ledger's row goes long before that.
        let resumed = try stage(threshold: "3.00")
        try ProcessorStageTests.feed(resumed, items, from: 1, commitEvery: 1)
        resumed.close()
        #expect(try Self.outbox(path).isEmpty, "the session's cost_threshold event was queued twice")
        #expect(try ProcessorStageTests.rows(path, "SELECT count(*) FROM alert_ledger") == [["0"]])
        // The session did pass 3.00 (4.80 kWh at up to 0.40 and a 1.00 flat fee, plus VAT): without the mark the
        // rerun would have made the event.
        let total = try ProcessorStageTests.rows(path, "SELECT cost_total FROM sessions").first?.first
        #expect(total.flatMap(Double.init).map { $0 >= 3.00 } == true)
    }
}
