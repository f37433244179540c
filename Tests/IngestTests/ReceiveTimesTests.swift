import Testing
@testable import Ingest

/// The worker's receive times of records in the reordering window: in LSN order, looked up, dropped from the oldest.
@Suite struct ReceiveTimesTests {
    @Test func notedTimesAreFoundUntilTheWatermarkPassesThem() {
        var times = ReceiveTimes()
        #expect(times.isEmpty)
        for lsn in stride(from: UInt64(10), through: 100, by: 10) { times.note(lsn: lsn, receivedAt: Int64(lsn) * 1_000) }
        #expect(times.time(of: 50) == 50_000)
        #expect(times.time(of: 55) == nil)
        times.drop(through: 50)
        #expect(times.time(of: 50) == nil)
        #expect(times.time(of: 60) == 60_000)
        times.note(lsn: 60, receivedAt: 1)  // not newer than the newest: ignored
        #expect(times.time(of: 60) == 60_000)
        times.drop(through: 100)
        #expect(times.isEmpty)
    }

    @Test func aLongRunStaysCompact() {
        var times = ReceiveTimes()
        for lsn in UInt64(1)...100_000 {
            times.note(lsn: lsn, receivedAt: Int64(lsn))
            if lsn % 512 == 0 { times.drop(through: lsn - 300) }
        }
        #expect(times.time(of: 99_999) == 99_999)
        #expect(times.time(of: 99_000) == nil)
        #expect(times.heldCount <= 300 + 512 + 8_192)
    }
}
