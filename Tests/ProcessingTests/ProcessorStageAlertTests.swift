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
}
