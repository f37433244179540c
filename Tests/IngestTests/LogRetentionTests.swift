@testable import Ingest
import Testing

/// `ingest.log_retention`: checkpointed records stay for the window of receive time, then may go.
struct LogRetentionTests {
    @Test func recordsOlderThanTheWindowMayGoAndNoOthers() {
        var retention = LogRetention(window: 10_000)
        for second in 0..<30 { retention.note(endingBefore: UInt64(second * 100 + 100), receivedAt: Int64(second) * 1_000) }
        // At 29 s, records received by 19 s (below LSN 2000) are older than the window.
        #expect(retention.removableBefore(now: 29_000) == 2_000)
        #expect(retention.removableBefore(now: 29_000) == 2_000)
    }

    @Test func noWindowKeepsNothingBack() {
        var retention = LogRetention(window: 0)
        retention.note(endingBefore: 100, receivedAt: 1_000)
        #expect(retention.removableBefore(now: 1_000) == nil)
    }

    @Test func beforeAnyMarkIsOldEnoughNothingMayGo() {
        var retention = LogRetention(window: 60_000)
        retention.note(endingBefore: 100, receivedAt: 1_000)
        #expect(retention.removableBefore(now: 2_000) == 0)
    }
}
