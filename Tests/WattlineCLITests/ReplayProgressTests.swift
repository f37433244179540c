import Testing
@testable import wattline

/// The progress bar is a pure function of the counts, the share of the fixture files read and the time taken
/// (the number of messages is known only at the end: the fixtures are read as they are fed).
struct ReplayProgressTests {
    @Test func aLineShowsTheShareReadCountsRateAndETA() {
        // 45 % of the files read in 3.6 s: 55 % to go at that pace is 4.4 s.
        #expect(ReplayProgress.line(done: 45_000, fraction: 0.45, elapsed: 3.6, barWidth: 20)
            == "[#########...........] 45%  45,000 messages  12,500 msg/s  ETA 5s")
    }

    @Test func beforeAnyTimeHasPassedThereIsNoRate() {
        #expect(ReplayProgress.line(done: 0, fraction: 0, elapsed: 0, barWidth: 4) == "[....] 0%  0 messages")
    }

    @Test func aResumedReplayCountsOnlyItsOwnRate() {
        // 600,000 were fed by an earlier run, and skipping them read half the files; this run fed 100,000 in
        // 10 s and read another quarter: 10,000 msg/s, and a quarter to go at that pace.
        #expect(ReplayProgress.line(done: 700_000, resumedAt: 600_000, fraction: 0.75, fractionAtStart: 0.5, elapsed: 10,
                                    barWidth: 10)
            == "[#######...] 75%  700,000 messages  10,000 msg/s  ETA 10s")
    }

    @Test func withoutAFileSizeThereIsNoBarAndNoETA() {
        // Standard input or a pipe: the share read is unknown.
        #expect(ReplayProgress.line(done: 1_234_567, fraction: nil, elapsed: 2) == "1,234,567 messages  617,284 msg/s")
    }

    @Test func finishedAndLongDurations() {
        #expect(ReplayProgress.line(done: 10, fraction: 1, elapsed: 1, barWidth: 4) == "[####] 100%  10 messages  10 msg/s  ETA 0s")
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

    /// Interrupted, the total is not known: the fixtures were not read to the end.
    @Test func anInterruptedSummaryHasNoTotal() {
        var summary = ReplaySummary(total: nil, fed: 40, resumedAt: 60, interrupted: true)
        summary.notes = ["note: a.jsonl: 1 message(s) ..."]
        #expect(summary.lines[1] == "note: a.jsonl: 1 message(s) ...")
        #expect(summary.lines.contains("resumed: the first 60 messages were fed by an earlier run"))
        #expect(summary.lines.contains("interrupted after 100 messages; run the same command again to resume"))
    }
}
