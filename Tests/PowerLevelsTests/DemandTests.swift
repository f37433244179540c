import PowerLevels
import Telemetry
import Testing

@Suite struct DemandTests {
    @Test func demandInterpolatesTheRegisterAtBothBoundaries() {
        var p = PowerLevelProcessor()
        // Register: 1000 Wh at −100 s, 1300 at 200 s → 1100 Wh at the boundary 0 s.
        // 2000 at 800 s, 2400 at 1000 s → 2200 Wh at the boundary 900 s. Energy 1100 Wh, demand 4400 W.
        p.feed([register(at: s(-100), 1_000),
                register(at: s(200), 1_300), power(at: s(200), 3_600),
                register(at: s(800), 2_000), power(at: s(800), 4_200)])
        #expect(p.closedIntervals.connector(start: t0) == nil, "waits for the register after its end")
        p.feed([register(at: s(1_000), 2_400)])
        let records = p.drainClosedIntervals()
        let r = try! #require(records.connector(start: t0))
        #expect(r.end == t0 + quarter)
        #expect(approx(r.energyWh, 1_100))
        #expect(approx(r.demandW, 4_400))
        #expect(r.energySource == .register)
        #expect(r.averageW == 3_900)
        #expect(r.peakW == 4_200)
        #expect(r.sampleCount == 2)
        #expect(!r.derived, "the measured value replaced the derived one at 200 s")
        #expect(r.flags == [])
        // The interval before had no start register and no power: no energy.
        let before = try! #require(records.connector(start: t0 - quarter))
        #expect(before.energyWh == nil && before.energySource == PowerLevels.EnergySource.none)
    }

    @Test func withoutARegisterEnergyIsIntegratedFromPower() {
        var p = PowerLevelProcessor()
        for k in Int64(0)...15 { p.ingest(power(at: s(k * 60), 3_600)) }  // every minute, 0…900 s
        let r = try! #require(p.closedIntervals.connector(start: t0))
        // Held 120 s then 2 × 60 s: the whole 900 s at 3600 W is 900 Wh.
        #expect(approx(r.energyWh, 900))
        #expect(approx(r.demandW, 3_600))
        #expect(r.energySource == .integratedPower)
        #expect(r.flags.contains(.integratedEnergy))
        #expect(r.sampleCount == 15)
    }

    @Test func aRegisterResetGivesNoDerivedPowerAndFallsBack() {
        var p = PowerLevelProcessor()
        let id = p.id()
        p.ingest(register(at: s(-100), 4_900))
        p.ingest(register(at: s(100), 5_000))  // 1800 W; boundary 0 s at 4950 Wh
        p.ingest(register(at: s(200), 5_100))  // 3600 W
        #expect(p.ingest(register(at: s(300), 50)) == .registerRegression)
        #expect(p.connectorLoad(id).timestamp == s(200), "no derived power across a reset")
        #expect(p.counters.registerRegressions == 1)
        p.ingest(register(at: s(400), 150))  // 3600 W again
        #expect(p.connectorLoad(id).powerW == 3_600 && p.connectorLoad(id).timestamp == s(400))
        p.ingest(register(at: s(1_000), 750))  // boundary 900 s at 650 Wh
        let r = try! #require(p.closedIntervals.connector(start: t0))
        // Register end − start would straddle the reset: integrated instead.
        // 1800 W × 100 s + 3600 W × 100 s + 3600 W × 20 s (hold 120 s) + 3600 W × 120 s = 50 + 100 + 20 + 120 Wh.
        #expect(approx(r.energyWh, 290))
        #expect(r.energySource == .integratedPower)
        #expect(r.flags.isSuperset(of: [.registerReset, .integratedEnergy, .derivedPower]))
        #expect(r.derived)
        #expect(r.sampleCount == 3 && r.averageW == 3_000 && r.peakW == 3_600)
        // The next interval starts cleanly from the interpolated boundary.
        p.ingest(register(at: s(1_900), 1_650))  // boundary 1800 s: 750 + 900 × 800/900 = 1550
        let next = try! #require(p.closedIntervals.connector(start: t0 + quarter))
        #expect(approx(next.energyWh, 900) && next.energySource == .register)
    }

    @Test func registerGapsAreNotInterpolatedAcross() {
        var p = PowerLevelProcessor(configuration: .init(maxRegisterGapMs: 600_000))
        p.ingest(register(at: s(100), 1_000))
        #expect(p.ingest(register(at: s(1_000), 2_000)) == .registerGap)  // 900 s > 600 s
        #expect(p.counters.registerGaps == 1)
        let r = try! #require(p.closedIntervals.connector(start: t0))
        #expect(r.energyWh == nil && r.flags.contains(.registerGap))
    }
}
