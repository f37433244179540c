import Testing
@testable import wattline

/// The progress bar is a pure function of the counts and the time taken.
struct ReplayProgressTests {
    @Test func aLineShowsCountsRateAndETA() {
        #expect(ReplayProgress.line(done: 45_000, total: 100_000, elapsed: 3.6, barWidth: 20)
            == "[#########...........] 45,000/100,000 messages  12,500 msg/s  ETA 5s")
    }

    @Test func beforeAnyTimeHasPassedThereIsNoRate() {
        #expect(ReplayProgress.line(done: 0, total: 1_234_567, elapsed: 0, barWidth: 4) == "[....] 0/1,234,567 messages")
    }

    @Test func aResumedReplayCountsOnlyItsOwnRate() {
        // 600,000 were fed by an earlier run; this one fed 100,000 in 10 s: 10,000 msg/s, 300,000 to go.
        #expect(ReplayProgress.line(done: 700_000, total: 1_000_000, resumedAt: 600_000, elapsed: 10, barWidth: 10)
            == "[#######...] 700,000/1,000,000 messages  10,000 msg/s  ETA 30s")
    }

    @Test func finishedAndLongDurations() {
        #expect(ReplayProgress.line(done: 10, total: 10, elapsed: 1, barWidth: 4) == "[####] 10/10 messages  10 msg/s  ETA 0s")
        #expect(ReplayProgress.duration(187) == "3m07s")
        #expect(ReplayProgress.duration(7_500) == "2h05m")
    }

    @Test func summaryTextNamesEveryFigure() {
        var summary = ReplaySummary(total: 100, fed: 40, resumedAt: 60, interrupted: false)
        summary.rejectedByReason = ["not_a_number": 2, "malformed_json": 1]
        summary.sessions = 3
        summary.anomalies = 1
        summary.revenue = [("EUR", "12.5"), ("NOK", "100")]
        summary.seconds = 2
        #expect(summary.lines.contains("resumed: the first 60 of 100 messages were fed by an earlier run"))
        #expect(summary.lines.contains("rejected by reason: malformed_json 1, not_a_number 2"))
        #expect(summary.lines.contains("sessions 3, anomalies 1"))
        #expect(summary.lines.contains("revenue: 12.5 EUR, 100 NOK"))
        #expect(summary.lines.last == "time taken 2.0 s (20 msg/s)")
    }
}
