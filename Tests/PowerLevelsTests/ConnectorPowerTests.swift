import PowerLevels
import Telemetry
import Testing

@Suite struct ConnectorPowerTests {
    @Test func phasesAreSummedWhenNoTotalIsSent() {
        var p = PowerLevelProcessor()
        p.feed([power(.l1, at: s(0), 1_000), power(.l2, at: s(0), 2_000), power(.l3, at: s(0), 3_000)])
        let id = p.id()
        var load = p.connectorLoad(id)
        #expect(load.powerW == 6_000)
        #expect(load.l1W == 1_000 && load.l2W == 2_000 && load.l3W == 3_000)
        #expect(load.samples1m == 1, "three phases at one instant are one sample")
        p.feed([power(.l1, at: s(10), 1_000), power(.l2, at: s(10), 1_000), power(.l3, at: s(10), 1_000)])
        load = p.connectorLoad(id)
        #expect(load.powerW == 3_000)
        #expect(load.samples1m == 2)
        #expect(load.average1mW == 4_500)
        #expect(load.peak1mW == 6_000)
        #expect(!load.derived)
    }

    @Test func aReportedTotalWinsOverThePhases() {
        var p = PowerLevelProcessor()
        // Phases first, then the total at the same instant: the sample is the total.
        p.feed([power(.l1, at: s(0), 2_000), power(.l2, at: s(0), 2_000), power(.l3, at: s(0), 2_000),
                power(at: s(0), 7_000)])
        let id = p.id()
        #expect(p.connectorLoad(id).powerW == 7_000)
        // From now on phases are shown but never summed: the sample is the total alone.
        p.feed([power(.l1, at: s(10), 3_000), power(.l2, at: s(10), 3_000), power(.l3, at: s(10), 3_000)])
        #expect(p.connectorLoad(id).powerW == 7_000)
        #expect(p.connectorLoad(id).l1W == 3_000)
        p.feed([power(at: s(10), 8_000)])
        let load = p.connectorLoad(id)
        #expect(load.powerW == 8_000)
        #expect(load.samples1m == 2)
        #expect(load.average1mW == 7_500)
        #expect(load.peak1mW == 8_000)
    }

    @Test func powerIsDerivedFromRegisterDeltasWhenNoPowerIsSent() {
        var p = PowerLevelProcessor()
        let id = p.id()
        #expect(p.ingest(register(at: s(0), 10_000)) == .accepted)
        #expect(p.connectorLoad(id).powerW == nil, "one register reading gives no power")
        p.ingest(register(at: s(60), 10_100))
        #expect(p.connectorLoad(id).powerW == 6_000)  // 100 Wh in 60 s
        p.ingest(register(at: s(120), 10_150))
        let load = p.connectorLoad(id)
        #expect(load.powerW == 3_000)  // 50 Wh in 60 s
        #expect(load.derived)
        #expect(load.timestamp == s(120))
        // The window at 120 s holds seconds 61…120: only the 3000 W sample.
        #expect(load.samples1m == 1 && load.average1mW == 3_000)
        #expect(p.counters.derivedSamples == 2)
    }

    @Test func rollingMinuteAverageAndPeak() {
        var p = PowerLevelProcessor()
        for k in Int64(0)..<8 { p.ingest(power(at: s(k * 10), Double(k + 1) * 1_000)) }  // 1000…8000 W at 0…70 s
        let id = p.id()
        // At 70 s the window is seconds 11…70: samples at 20…70 s, 3000…8000 W.
        var load = p.connectorLoad(id)
        #expect(load.samples1m == 6)
        #expect(load.average1mW == 5_500)
        #expect(load.peak1mW == 8_000)
        load = p.connectorLoad(id, at: s(75))
        #expect(load.samples1m == 6 && load.average1mW == 5_500)
        // At 80 s: seconds 21…80, the 20 s sample has left.
        load = p.connectorLoad(id, at: s(80))
        #expect(load.samples1m == 5 && load.average1mW == 6_000 && load.peak1mW == 8_000)
        load = p.connectorLoad(id, at: s(129))
        #expect(load.samples1m == 1 && load.average1mW == 8_000)
        load = p.connectorLoad(id, at: s(130))
        #expect(load.samples1m == 0 && load.average1mW == nil && load.peak1mW == nil)
        #expect(load.stale, "held 20 s (2 × 10 s), 60 s later it is stale")
        // A peak in the middle is found and then leaves the window.
        p.ingest(power(at: s(80), 20_000))
        p.ingest(power(at: s(90), 1_000))
        #expect(p.connectorLoad(id).peak1mW == 20_000)
        #expect(p.connectorLoad(id, at: s(139)).peak1mW == 20_000)  // seconds 80…139
        #expect(p.connectorLoad(id, at: s(140)).peak1mW == 1_000)
    }
}
