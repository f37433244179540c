import Sessions
import Testing

/// `session.near_complete`: raised when the estimated time to full drops to the configured window, with the SoC
/// rule as the fallback when no estimate can be made.
@Suite struct NearCompleteTests {
    /// A session whose SoC rises `perMinute` % every minute from `from` until `to`.
    func charge(_ d: inout Driver, from: Double, to: Double, perMinute: Double) {
        d.tx(txEvent(.started, s(0), tx: "N", meterStart: 0))
        d.status(status(s(0), .charging))
        var level = from, minute: Int64 = 1
        while level <= to {
            d.read(reg(s(minute * 60), Double(minute) * 200, tx: "N"), pwr(s(minute * 60), 12_000, tx: "N"),
                   soc(s(minute * 60), level, tx: "N"))
            level += perMinute
            minute += 1
        }
        d.drain()
    }

    /// At 2 %/min the estimate reaches 10 min at 80 %, before the SoC rule's 90 %.
    @Test func fastChargeFiresOnTheEstimateBeforeTheSoCRule() throws {
        var d = Driver()
        charge(&d, from: 50, to: 99, perMinute: 2)
        let near = try #require(d.events.first { $0.kind == .nearComplete })
        #expect(d.events.filter { $0.kind == .nearComplete }.count == 1)
        #expect(near.figures.soc == 80)
        #expect(near.figures.timeToFullS == 600)
        #expect(near.figures.threshold == 600)
    }

    /// At 0.5 %/min the SoC passes 90 % with 20 minutes to go: nothing until the estimate reaches 10 minutes at 95 %.
    @Test func slowChargeWaitsForTheEstimate() throws {
        var d = Driver()
        charge(&d, from: 85, to: 99, perMinute: 0.5)
        let near = try #require(d.events.first { $0.kind == .nearComplete })
        #expect(near.figures.soc == 95)
        #expect(near.figures.timeToFullS == 600)
    }

    /// A SoC that does not rise (the vehicle holds it) gives no estimate: the SoC rule fires, without a time to full.
    @Test func flatSoCFallsBackToTheSoCRule() throws {
        var d = Driver()
        charge(&d, from: 91, to: 91, perMinute: 1)
        let near = try #require(d.events.first { $0.kind == .nearComplete })
        #expect(near.figures.soc == 91)
        #expect(near.figures.timeToFullS == nil)
        #expect(near.figures.threshold == 90)
    }

    /// With the estimate switched off, the SoC rule alone decides; with both off, nothing is raised.
    @Test func configuration() throws {
        var estimateOff = Driver(SessionConfiguration(nearCompleteWithinMs: nil))
        charge(&estimateOff, from: 50, to: 99, perMinute: 2)
        #expect(estimateOff.events.first { $0.kind == .nearComplete }?.figures.soc == 90)
        var bothOff = Driver(SessionConfiguration(nearCompleteWithinMs: nil, nearCompleteSoC: nil))
        charge(&bothOff, from: 50, to: 99, perMinute: 2)
        #expect(!bothOff.kinds().contains(.nearComplete))
    }

    /// The estimate uses the last 10 minutes: a fast start does not hide a taper.
    @Test func rateFollowsTheTaper() {
        var rate = SoCRate()
        // 60 → 80 % in the first 10 minutes, then 0.5 %/min.
        for minute in 0...10 { rate.add(t: Int64(minute) * 60_000, soc: 60 + Double(minute) * 2) }
        #expect(rate.secondsToFull == 600)  // 80 %, 2 %/min → 10 min
        for minute in 11...30 { rate.add(t: Int64(minute) * 60_000, soc: 80 + Double(minute - 10) * 0.5) }
        // 90 % at 0.5 %/min → 20 min.
        #expect(rate.secondsToFull == 1_200)
    }

    /// Samples are thinned to one per 15 s, late ones ignored, and a sparse reporter uses the sample before the window.
    @Test func boundedSparseAndLate() {
        var rate = SoCRate()
        for second in 0..<3_600 { rate.add(t: Int64(second) * 1_000, soc: 10 + Double(second) / 100) }
        #expect(rate.sampleCount <= 48)  // 600 s / 15 s, the stand-in and the newest
        #expect(rate.secondsToFull.map { abs($0 - 5_401) <= 1 } == true)  // 45.99 % at 0.01 %/s
        var sparse = SoCRate()
        sparse.add(t: 0, soc: 40)
        sparse.add(t: 1_800_000, soc: 70)  // 30 min apart: 1 %/min
        #expect(sparse.secondsToFull == 1_800)
        sparse.add(t: 60_000, soc: 10)  // late: ignored
        #expect(sparse.secondsToFull == 1_800)
        var full = SoCRate()
        full.add(t: 0, soc: 99)
        full.add(t: 60_000, soc: 100)
        #expect(full.secondsToFull == nil)
    }
}

