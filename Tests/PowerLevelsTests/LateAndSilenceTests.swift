import PowerLevels
import Telemetry
import Testing

@Suite struct LateAndSilenceTests {
    @Test func silenceClosesIntervalsThroughAdvance() {
        var p = PowerLevelProcessor()  // closeDelay 5 min
        p.ingest(power(at: s(10), 7_200))
        p.advance(to: t0 + quarter + 299_999)
        #expect(p.closedIntervals.isEmpty)
        p.advance(to: t0 + quarter + 300_000)
        let records = p.drainClosedIntervals()
        let r = try! #require(records.connector(start: t0))
        #expect(r.flags.contains(.closedBySilence))
        #expect(approx(r.energyWh, 7_200.0 * 120 / 3_600))  // one sample, held 120 s
        #expect(r.sampleCount == 1 && r.averageW == 7_200)
        #expect(records.group(.charger, charger: "CP-1", start: t0)?.peakW == 7_200)
        #expect(records.group(.site, start: t0) != nil)
        #expect(records.count == 3)
        p.advance(to: t0 + 10 * quarter)
        #expect(p.closedIntervals.isEmpty, "nothing closes twice")
    }

    @Test func lateReadingsNeverReopenClosedIntervals() {
        var p = PowerLevelProcessor()
        let id = p.id()
        p.feed([power(at: s(100), 6_000), register(at: s(100), 1_000)])
        p.advance(to: t0 + quarter + 300_000)
        let closed = p.drainClosedIntervals()
        let first = try! #require(closed.connector(start: t0))
        #expect(approx(first.energyWh, 200))  // 6000 W held 120 s
        // The charger comes back with buffered readings from the closed interval.
        #expect(p.ingest(power(at: s(500), 9_000)) == .late)
        #expect(p.ingest(register(at: s(800), 1_500)) == .late)
        #expect(p.counters.late == 2)
        #expect(p.counters.lateRegisterBaselines == 1)
        #expect(p.connectorLoad(id).powerW == 6_000, "late power is not taken")
        #expect(p.connectorLoad(id).registerWh == 1_500, "a late register becomes the baseline")
        // The baseline interpolates the next boundary: 1500 + 200 × 100/200 = 1600 Wh at 900 s.
        p.ingest(register(at: s(1_000), 1_700))
        #expect(p.ingest(register(at: s(1_000), 1_700)) == .duplicate)
        #expect(p.ingest(register(at: s(950), 1_650)) == .late)
        p.ingest(power(at: s(1_000), 3_600))
        #expect(p.ingest(power(at: s(990), 3_600)) == .late)
        p.ingest(register(at: s(1_900), 2_600))  // 2500 Wh at 1800 s
        let records = p.drainClosedIntervals()
        #expect(records.connector(start: t0) == nil, "the closed interval is never emitted again")
        let next = try! #require(records.connector(start: t0 + quarter))
        #expect(approx(next.energyWh, 900) && next.energySource == .register)
        #expect(next.sampleCount == 1)
    }

    @Test func unusedSeriesAndUnattributedEVSEsAreRefused() {
        var p = PowerLevelProcessor()
        #expect(p.ingest(Reading(series: series(.voltage), timestamp: t0, value: 230, decimals: 0)) == nil)
        #expect(p.ingest(Reading(series: series(.powerActiveImport, .n), timestamp: t0, value: 1, decimals: 0)) == nil)
        #expect(p.ingest(power(evse: -1, at: t0, 5)) == nil)
        #expect(p.counters.unattributed == 1)
        #expect(p.connectorIDs.isEmpty)
    }
}
