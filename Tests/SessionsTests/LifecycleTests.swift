import Sessions
import Telemetry
import Testing

@Suite struct LifecycleTests {
    /// A 1.6-style session with suspensions by the EV and by the charger, then idle until unplug.
    @Test func suspendedByEVAndByCharger() {
        var d = Driver()
        d.status(status(s(0), .preparing))
        d.tx(txEvent(.started, s(10), meterStart: 1_000))
        d.tx(txEvent(.idAssigned, s(10), tx: "11", idTagStatus: "Accepted", meterStart: 1_000))
        d.status(status(s(10), .charging))
        d.read(pwr(s(10), 7_200, tx: "11"))
        d.read(reg(s(70), 1_120, tx: "11"), pwr(s(70), 7_200, tx: "11"))
        d.read(reg(s(130), 1_240, tx: "11"), pwr(s(130), 0, tx: "11"))
        d.status(status(s(130), .suspendedEV))
        d.read(reg(s(190), 1_240, tx: "11"), pwr(s(190), 0, tx: "11"))
        d.read(reg(s(250), 1_240, tx: "11"), pwr(s(250), 7_200, tx: "11"))
        d.status(status(s(250), .charging))
        d.read(reg(s(310), 1_360, tx: "11"), pwr(s(310), 0, tx: "11"))
        d.status(status(s(310), .suspendedEVSE))
        d.read(reg(s(370), 1_360, tx: "11"), pwr(s(370), 0, tx: "11"))
        d.read(reg(s(430), 1_360, tx: "11"), pwr(s(430), 7_200, tx: "11"))
        d.status(status(s(430), .charging))
        d.read(reg(s(490), 1_480, tx: "11"), pwr(s(490), 7_200, tx: "11"))
        d.read(reg(s(550), 1_600, tx: "11"), pwr(s(550), 0, tx: "11"))
        d.read(reg(s(610), 1_600, tx: "11"), pwr(s(610), 0, tx: "11"))
        d.status(status(s(610), .suspendedEV))
        d.tx(txEvent(.ended, s(670), tx: "11", meterStop: 1_600, reason: "Local"))
        d.status(status(s(670), .finishing))
        d.status(status(s(700), .available))
        d.drain()

        #expect(d.latest.count == 1)
        let r = d.latest[0]
        #expect(r.id == SessionHash.sessionId(charger: "CP-1", evse: 1, transactionId: "", startedAt: s(10)))
        #expect(r.state == .closed)
        #expect(r.transactionId == "11")
        #expect(r.startedAt == s(10))
        #expect(r.pluggedAt == s(0))
        #expect(r.chargingEndedAt == s(550))
        #expect(r.endedAt == s(670))
        #expect(r.unpluggedAt == s(700))
        #expect(r.energyWh == 600)
        #expect(r.energySource == .register)
        #expect(r.chargingMs == 300_000)
        #expect(r.suspendedEVMs == 120_000)
        #expect(r.suspendedEVSEMs == 120_000)
        #expect(r.idleMs == 150_000)
        #expect(r.peakPowerW == 7_200)
        #expect(approx(r.averagePowerW, 7_200))
        #expect(r.stopReason == "Local")
        #expect(r.endReason == .transaction)
        #expect(r.quality == [])
        #expect(d.kinds() == [.started, .ended])
    }

    /// Charging completes (5 min below threshold), the open row shows idle, idle runs to the unplug.
    @Test func idleAfterCharging() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), meterStart: 0))
        d.tx(txEvent(.idAssigned, s(0), tx: "5", idTagStatus: "Accepted", meterStart: 0))
        d.status(status(s(0), .charging))
        for k in Int64(1)...20 {
            let wh = Double(min(k, 5) * 100)
            d.read(reg(s(k * 60), wh, tx: "5"), pwr(s(k * 60), k < 5 ? 6_000 : 0, tx: "5"))
            if k == 5 { d.status(status(s(330), .suspendedEV)) }
        }
        let open = d.tracker.openSessions
        #expect(open.count == 1)
        #expect(open.first?.phase == .idle)
        #expect(open.first?.complete == true)
        d.tx(txEvent(.ended, s(1_260), tx: "5", meterStop: 500, reason: "Local"))
        d.status(status(s(1_500), .available))
        d.drain()
        let r = d.latest[0]
        #expect(r.chargingEndedAt == s(300))
        #expect(r.chargingMs == 300_000)
        #expect(r.energyWh == 500)
        #expect(r.idleMs == 1_200_000)
        #expect(r.suspendedEVMs == 0)
        #expect(r.unpluggedAt == s(1_500))
        #expect(d.kinds() == [.started, .chargingComplete, .ended])
        let complete = d.events.first { $0.kind == .chargingComplete }
        #expect(complete?.at == s(600))
        #expect(complete?.figures.chargingEndedAt == s(300))
    }

    /// Power returns after completion: a resume event, then completion again.
    @Test func chargingResumes() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "R1", meterStart: 0))
        var wh = 0.0
        for k in Int64(1)...30 {
            let flowing = k <= 2 || (k >= 10 && k <= 11)
            if flowing { wh += 100 }
            d.read(reg(s(k * 60), wh, tx: "R1"))
        }
        d.drain()
        #expect(d.kinds() == [.started, .chargingComplete, .chargingResumed, .chargingComplete])
        let times = d.events.filter { $0.kind != .started }.map(\.at)
        #expect(times == [s(420), s(540), s(960)])
        let open = d.tracker.openSessions[0]
        #expect(open.chargingMs == 240_000)
        #expect(open.chargingEndedAt == s(660))
        #expect(open.peakPowerW == 6_000)
    }

    /// No stop: closed with reason timeout after the charger's silence, at its last data.
    @Test func timeoutWithoutStop() {
        var d = Driver(SessionConfiguration(silenceTimeoutMs: 600_000))
        d.tx(txEvent(.started, s(0), tx: "T1", meterStart: 100))
        d.read(reg(s(60), 200, tx: "T1"), pwr(s(60), 6_000, tx: "T1"))
        d.read(reg(s(120), 300, tx: "T1"), pwr(s(120), 6_000, tx: "T1"))
        d.advance(s(120) + 100 + 599_999)
        #expect(d.tracker.openSessions.count == 1)
        d.advance(s(120) + 100 + 600_000)
        d.drain()
        #expect(d.tracker.openSessions.isEmpty)
        let r = d.latest[0]
        #expect(r.endReason == .timeout)
        #expect(r.endedAt == s(120))
        #expect(r.energyWh == 200)
        #expect(r.quality.contains([.timedOut, .missingStop]))
        #expect(d.events.last?.kind == .ended)
        #expect(d.events.last?.figures.reason == "timeout")
        #expect(d.tracker.counters.timeouts == 1)
    }

    /// Two EVSEs of one charger charging at the same time stay apart.
    @Test func twoEVSEsAtOnce() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), evse: 1, tx: "A", meterStart: 1_000))
        d.tx(txEvent(.started, s(30), evse: 2, tx: "B", idTag: "TAG-2", meterStart: 9_000))
        for k in Int64(1)...5 {
            d.read(reg(s(k * 60), 1_000 + Double(k) * 100, evse: 1, tx: "A"))
            d.read(reg(s(30 + k * 60), 9_000 + Double(k) * 200, evse: 2, tx: "B"))
        }
        d.tx(txEvent(.ended, s(300), evse: 1, tx: "A", meterStop: 1_500))
        d.tx(txEvent(.ended, s(330), evse: 2, tx: "B", meterStop: 10_000))
        d.drain()
        #expect(d.latest.count == 2)
        let a = d.latest.first { $0.evse == 1 }
        let b = d.latest.first { $0.evse == 2 }
        #expect(a?.energyWh == 500)
        #expect(b?.energyWh == 1_000)
        #expect(a?.chargingMs == 300_000)
        #expect(b?.chargingMs == 300_000)
        #expect(a?.idTag == "TAG-1")
        #expect(b?.idTag == "TAG-2")
        #expect(a?.id != b?.id)
    }

    /// A fault that clears inside the transaction: one session, one interruption.
    @Test func faultThatClears() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "F", meterStart: 0))
        d.status(status(s(0), .charging))
        d.read(reg(s(60), 100, tx: "F"), reg(s(120), 200, tx: "F"), reg(s(180), 300, tx: "F"))
        var fault = status(s(200), .faulted)
        fault.errorCode = "GroundFailure"
        d.status(fault)
        d.read(reg(s(240), 300, tx: "F"), reg(s(300), 300, tx: "F"))
        d.status(status(s(320), .charging))
        d.read(reg(s(360), 340, tx: "F"), reg(s(420), 440, tx: "F"))
        d.tx(txEvent(.ended, s(480), tx: "F", meterStop: 540, reason: "Local"))
        d.drain()
        #expect(d.latest.count == 1)
        let r = d.latest[0]
        #expect(r.interruptions == [SessionPeriod(start: s(200), end: s(320))])
        #expect(r.interruptedMs == 120_000)
        #expect(r.quality.contains(.interrupted))
        #expect(r.energyWh == 540)
        #expect(d.kinds() == [.started, .ended])
    }

    /// Interruption.Begin/End contexts also make an interruption period.
    @Test func interruptionContexts() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "I", meterStart: 0))
        d.read(reg(s(60), 100, tx: "I"))
        d.read(reg(s(90), 150, tx: "I", context: .interruptionBegin))
        d.read(reg(s(150), 150, tx: "I", context: .interruptionEnd))
        d.tx(txEvent(.ended, s(210), tx: "I", meterStop: 250))
        d.drain()
        #expect(d.latest[0].interruptions == [SessionPeriod(start: s(90), end: s(150))])
        #expect(d.latest[0].energyWh == 250)
    }

    /// Evidence-based sessions for chargers without transactions (compact meters, EVerest).
    @Test func evidenceSessionFromStatusAndPower() {
        var d = Driver()
        d.status(status(s(0), .preparing, charger: "M-1"))
        d.read(reg(s(50), 2_000, charger: "M-1"), pwr(s(50), 50, charger: "M-1"))
        d.read(reg(s(60), 2_000, charger: "M-1"), pwr(s(60), 3_600, charger: "M-1"))
        d.read(reg(s(120), 2_060, charger: "M-1"), pwr(s(120), 3_600, charger: "M-1"))
        d.read(reg(s(180), 2_120, charger: "M-1"), pwr(s(180), 0, charger: "M-1"))
        d.status(status(s(240), .available, charger: "M-1"))
        d.drain()
        #expect(d.latest.count == 1)
        let r = d.latest[0]
        #expect(r.start == .evidence)
        #expect(r.startedAt == s(0))
        #expect(r.pluggedAt == s(0))
        #expect(r.endReason == .unplugged)
        #expect(r.unpluggedAt == s(240))
        #expect(r.endedAt == s(240))
        #expect(r.energyWh == 120)
        #expect(r.chargingEndedAt == s(180))
        #expect(r.chargingMs == 120_000)
        #expect(r.idleMs == 60_000)
        #expect(r.quality.contains(.evidenceStart))
    }
}
