import PowerLevels
import Telemetry
import Testing

@Suite struct AggregationTests {
    @Test func theMainMeterIsKeptApart() {
        var p = PowerLevelProcessor()
        p.feed([power(evse: 0, at: s(0), 10_000), register(evse: 0, at: s(0), 50_000),
                power(evse: 1, at: s(0), 3_000), register(evse: 1, at: s(0), 1_000),
                power(evse: 2, at: s(0), 4_000), register(evse: 2, at: s(0), 2_000)])
        let one = p.id(evse: 1)
        #expect(p.chargerLoadW(of: one) == 7_000)
        #expect(p.siteLoadW(of: one) == 7_000)
        let charger = try! #require(p.chargerLoad(site: "S1", charger: "CP-1"))
        #expect(charger.loadW == 7_000 && charger.liveConnectors == 2 && charger.mainMeterW == 10_000)
        let site = try! #require(p.siteLoad("S1"))
        #expect(site.site.loadW == 7_000 && site.site.mainMeterW == 10_000)
        #expect(site.connectors.map(\.evse) == [0, 1, 2])
        #expect(site.connectors[0].isMainMeter)

        // Registers at the next boundary: exact interval energies (boundaries hit exactly).
        p.feed([register(evse: 0, at: s(900), 52_500), register(evse: 1, at: s(900), 1_750),
                register(evse: 2, at: s(900), 3_000)])
        p.advance(to: t0 + quarter + 300_000)
        let records = p.drainClosedIntervals()
        #expect(records.connector(evse: 0, start: t0)?.level == .mainMeter)
        #expect(approx(records.connector(evse: 0, start: t0)?.energyWh, 2_500))
        let c = try! #require(records.group(.charger, charger: "CP-1", start: t0))
        #expect(approx(c.energyWh, 1_750))  // 750 + 1000, the main meter's 2500 apart
        #expect(approx(c.demandW, 7_000))
        #expect(approx(c.mainMeterEnergyWh, 2_500))
        #expect(c.connectorCount == 2)
        #expect(c.peakW == 7_000)
        #expect(c.energySource == .register)
        let site2 = try! #require(records.group(.site, start: t0))
        #expect(approx(site2.energyWh, 1_750) && approx(site2.mainMeterEnergyWh, 2_500))
        #expect(p.siteLoad("S1")?.site.maxDemandW.map { approx($0, 7_000) } == true)
    }

    @Test func loadsAreHeldForABoundedTimeThenDropped() {
        var p = PowerLevelProcessor()  // hold: 2 × reporting interval, at most 120 s
        p.feed([power(charger: "A", evse: 1, at: s(0), 1_000)])
        p.feed([power(charger: "B", evse: 1, at: s(3), 4_000)])
        p.feed([power(charger: "A", evse: 2, at: s(5), 2_000)])
        let a1 = p.id("A", evse: 1), b1 = p.id("B", evse: 1)
        #expect(p.siteLoadW(of: a1) == 7_000)
        #expect(p.chargerLoadW(of: a1) == 3_000)
        p.feed([power(charger: "A", evse: 1, at: s(10), 1_000)])  // reports every 10 s: held 20 s, until 30 s
        p.feed([power(charger: "B", evse: 1, at: s(33), 4_000)])  // site clock 33 s: A1 is stale
        #expect(p.siteLoadW(of: b1) == 6_000)
        #expect(p.chargerLoadW(of: a1) == 3_000, "charger A's own clock is still at 10 s")
        #expect(p.counters.staleExpiries == 1)
        let site = try! #require(p.siteLoad("S1"))
        #expect(site.site.liveConnectors == 2 && site.site.staleConnectors == 1)
        #expect(site.site.intervalPeakW == 7_000)
        #expect(site.connectors.first { $0.charger == "A" && $0.evse == 1 }?.stale == true)
        // Silence: receive time moves on.
        p.advance(to: s(40))
        #expect(p.chargerLoadW(of: a1) == 2_000)
        p.advance(to: s(126))  // A2 held 120 s (one sample) until 125 s, B1 2 × 30 s until 93 s
        #expect(p.siteLoadW(of: a1) == 0 && p.chargerLoadW(of: a1) == 0)
        // A sample already stale for its site when it arrives is not added.
        p.feed([power(charger: "C", evse: 1, at: s(400), 500), power(charger: "A", evse: 1, at: s(200), 9_000)])
        #expect(p.siteLoadW(of: a1) == 500)
        #expect(p.chargerLoadW(of: a1) == 9_000)
        #expect(p.counters.staleOnArrival == 1)
    }

    @Test func theSitePeakIsTheCoincidentPeakAndDemandIsSummed() {
        var p = PowerLevelProcessor()
        // Two chargers whose peaks do not coincide: the site peak is 9000 W, not 5000 + 8000.
        p.feed([power(charger: "A", at: s(0), 5_000), power(charger: "B", at: s(0), 4_000),
                power(charger: "A", at: s(30), 1_000), power(charger: "B", at: s(30), 8_000),
                power(charger: "A", at: s(60), 1_000), power(charger: "B", at: s(60), 8_000)])
        p.advance(to: t0 + quarter + 300_000)
        let records = p.drainClosedIntervals()
        let site = try! #require(records.group(.site, start: t0))
        #expect(site.peakW == 9_000)
        // Integrated: A 5000 W × 30 s + 1000 W × (30 s + 60 s hold) = 41.67 + 25 Wh;
        // B 4000 W × 30 s + 8000 W × (30 s + 60 s) = 33.33 + 200 Wh.
        let expected: Double = (5_000 * 30 + 1_000 * 90 + 4_000 * 30 + 8_000 * 90) / 3_600
        #expect(approx(site.energyWh, expected))
        #expect(site.energySource == .integratedPower)
        #expect(site.connectorCount == 2)
        #expect(records.group(.charger, charger: "A", start: t0)?.peakW == 5_000)
        #expect(records.filter { $0.level == .site }.count == 1)
    }
}
