import Foundation
import Sessions
import Telemetry
import Testing

/// Late data, duplicates and the quirks of real fleets.
@Suite struct QuirkTests {
    /// A short transaction session on EVSE 1: meter 1000 → 1300 Wh over 0…240 s, power 4.5 kW sampled.
    func shortSession(_ d: inout Driver, tx: String = "Q", evse: Int = 1, from: Int64 = 0) {
        d.tx(txEvent(.started, s(from), evse: evse, tx: tx, meterStart: 1_000))
        for k in Int64(1)...3 {
            d.read(reg(s(from + k * 60), 1_000 + Double(k) * 75, evse: evse, tx: tx),
                   pwr(s(from + k * 60), 4_500, evse: evse, tx: tx))
        }
        d.tx(txEvent(.ended, s(from + 240), evse: evse, tx: tx, meterStop: 1_300, reason: "Local"))
    }

    /// The charger goes offline for two hours; the silence closes the session (timeout); its buffered data
    /// then reopens it: one session, with the gap as an interruption, exact energy.
    @Test func offlineChargerDeliversBufferedData() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "TX-A", chargingState: "Charging"))
        d.read(reg(s(0), 5_000, tx: "TX-A", context: .transactionBegin))
        d.read(reg(s(60), 5_100, tx: "TX-A"), reg(s(120), 5_200, tx: "TX-A"))
        var receive = s(120) + 100
        while receive < s(7_200) {
            receive += 60_000
            d.advance(receive)
        }
        d.drain()
        #expect(d.latest.first?.endReason == .timeout)
        #expect(d.latest.first?.endedAt == s(120))
        // Buffered: every minute to 3600 s, charging until 1800 s.
        let late = s(7_300)
        for k in Int64(3)...60 {
            let t = s(k * 60)
            d.tx(txEvent(.updated, t, tx: "TX-A", chargingState: "Charging", offline: true), at: late)
            d.read(reg(t, 5_000 + Double(min(k, 30)) * 100, tx: "TX-A"), at: late)
        }
        d.tx(txEvent(.ended, s(3_660), tx: "TX-A", reason: "EVDisconnected", chargingState: "Idle", offline: true),
             at: late)
        d.drain()
        #expect(d.latest.count == 1)
        let r = d.latest[0]
        #expect(r.state == .closed)
        #expect(r.endReason == .transaction)
        #expect(r.endedAt == s(3_660))
        #expect(r.unpluggedAt == s(3_660))
        #expect(r.energyWh == 3_000)
        #expect(r.chargingEndedAt == s(1_800))
        #expect(r.chargingMs == 1_800_000)
        #expect(r.idleMs == 1_860_000)
        #expect(r.interruptions == [SessionPeriod(start: s(120), end: s(180))])
        #expect(r.quality.contains([.reopened, .offlineData, .interrupted]))
        #expect(!r.quality.contains(.timedOut))
        #expect(r.amended == 1)
        #expect(d.kinds() == [.started, .ended, .chargingComplete, .ended])
        #expect(d.events.first { $0.kind == .chargingComplete }?.at == s(2_100))
    }

    /// With a longer silence timeout the same buffered data simply continues the open session.
    @Test func offlineWithinSilenceTimeout() {
        var d = Driver(SessionConfiguration(silenceTimeoutMs: 3 * 3_600_000))
        d.tx(txEvent(.started, s(0), tx: "TX-B"))
        d.read(reg(s(0), 0, tx: "TX-B", context: .transactionBegin))
        d.advance(s(7_000))
        for k in Int64(1)...10 { d.read(reg(s(k * 60), Double(k) * 100, tx: "TX-B"), at: s(7_200)) }
        d.tx(txEvent(.ended, s(660), tx: "TX-B", chargingState: "EVConnected", offline: true), at: s(7_200))
        d.drain()
        let r = d.latest[0]
        #expect(r.energyWh == 1_000)
        #expect(r.amended == 0)
        #expect(r.quality == [.offlineData])
        #expect(r.unpluggedAt == nil)
        #expect(r.idleMs == 60_000)
    }

    /// Late data after finalization marks the record amended and emits an amendment; the figures stay.
    @Test func lateDataAfterFinalization() {
        var d = Driver()
        shortSession(&d)
        d.status(status(s(300), .available))
        // Another EVSE keeps the charger's clock going past ended_at + 1 h.
        d.read(reg(s(240 + 3_600), 10, evse: 2))
        d.advance(s(240 + 3_600) + 100)
        d.drain()
        var r = d.latest[0]
        #expect(r.state == .finalized)
        #expect(r.peakPowerW == 4_500)
        d.read(pwr(s(150), 99_999, tx: "Q"), at: s(4_000))
        d.drain()
        r = d.latest[0]
        #expect(r.state == .finalized)
        #expect(r.amended == 1)
        #expect(r.peakPowerW == 4_500)
        #expect(r.energyWh == 300)
        let amendment = d.events.last
        #expect(amendment?.kind == .amendment)
        #expect(amendment?.at == s(150))
        #expect(amendment?.figures.powerW == 99_999)
    }

    /// Late data before finalization is merged into the closed record (amended, flagged).
    @Test func lateDataBeforeFinalization() {
        var d = Driver()
        shortSession(&d)
        d.drain()
        #expect(d.latest[0].peakPowerW == 4_500)
        d.read(pwr(s(150), 9_000, tx: "Q"), at: s(900))
        d.drain()
        let r = d.latest[0]
        #expect(r.state == .closed)
        #expect(r.peakPowerW == 9_000)
        #expect(r.amended == 1)
        #expect(r.quality.contains(.lateData))
    }

    /// The same message delivered twice and a repeated stop: counted once, close-out idempotent.
    @Test func duplicates() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "D", meterStart: 0))
        d.read(reg(s(60), 100, tx: "D"), pwr(s(60), 6_000, tx: "D"))
        d.read(reg(s(60), 100, tx: "D"), pwr(s(60), 6_000, tx: "D"))
        d.read(reg(s(120), 200, tx: "D"), pwr(s(120), 6_000, tx: "D"))
        let stop = txEvent(.ended, s(180), tx: "D", meterStop: 300)
        d.tx(stop)
        d.tx(stop)
        d.tx(txEvent(.started, s(0), tx: "D", meterStart: 0))
        d.drain()
        #expect(d.latest.count == 1)
        let r = d.latest[0]
        #expect(r.energyWh == 300)
        #expect(r.duplicates == 2)
        #expect(r.quality == [.duplicates])
        #expect(r.chargingMs == 180_000)
        #expect(d.kinds() == [.started, .ended])
        #expect(d.tracker.counters.duplicateEvents == 2)
    }

    /// Out-of-order readings in an open session are merged: same energy, counted as late.
    @Test func outOfOrder() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "O"))
        d.read(reg(s(120), 1_200, tx: "O"))
        d.read(reg(s(60), 1_100, tx: "O"))
        d.read(reg(s(0), 1_000, tx: "O", context: .transactionBegin))
        d.read(reg(s(180), 1_300, tx: "O"))
        d.tx(txEvent(.ended, s(240), tx: "O", meterStop: 1_300))
        d.drain()
        let r = d.latest[0]
        #expect(r.energyWh == 300)
        #expect(r.lateReadings == 2)
        #expect(r.quality.contains(.reordered))
    }

    /// A meter reset between sessions: the second start is below the first stop; each energy is right.
    @Test func meterResetBetweenSessions() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "M1", meterStart: 5_000))
        d.read(reg(s(60), 5_250, tx: "M1"))
        d.tx(txEvent(.ended, s(120), tx: "M1", meterStop: 5_500))
        d.tx(txEvent(.started, s(600), tx: "M2", meterStart: 0))
        d.read(reg(s(660), 200, tx: "M2"))
        d.tx(txEvent(.ended, s(720), tx: "M2", meterStop: 400))
        d.drain()
        #expect(d.latest.map(\.energyWh) == [500, 400])
        #expect(d.latest[0].quality == [])
        #expect(d.latest[1].quality == [.startBelowPreviousStop])
    }

    /// A register rollover inside a session: energy continues across it.
    @Test func registerRolloverInsideSession() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "RO", meterStart: 99_800))
        d.read(reg(s(60), 99_950, tx: "RO"))
        d.read(reg(s(120), 50, tx: "RO"))
        d.tx(txEvent(.ended, s(180), tx: "RO", meterStop: 200))
        d.drain()
        let r = d.latest[0]
        #expect(r.energyWh == 300)
        #expect(r.quality == [.registerReset])
    }

    /// meterStart 0 on a charger whose registers are cumulative: the start is flagged and not used.
    @Test func zeroBasedMeterStart() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "Z", meterStart: 0))
        d.read(reg(s(60), 1_250_100, tx: "Z"), reg(s(120), 1_250_200, tx: "Z"))
        d.tx(txEvent(.ended, s(180), tx: "Z", meterStop: 1_250_300))
        d.drain()
        let r = d.latest[0]
        #expect(r.energyWh == 200)
        #expect(r.quality == [.meterStartMismatch])
    }

    /// Cumulative start and stop with session-relative registers: stop − start is used.
    @Test func cumulativeStartStopRelativeRegisters() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "C", meterStart: 1_250_000))
        d.read(reg(s(60), 100, tx: "C"), reg(s(120), 200, tx: "C"))
        d.tx(txEvent(.ended, s(180), tx: "C", meterStop: 1_250_300))
        d.drain()
        let r = d.latest[0]
        #expect(r.energyWh == 300)
        #expect(r.quality.contains([.meterStartMismatch, .meterStopMismatch]))
    }

    /// OCPP 1.6: the transaction id only in the back-end's result; the stop is placed by it.
    @Test func transactionIdFromBackendResult() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), meterStart: 100))
        d.tx(txEvent(.idAssigned, s(0), tx: "77", idTagStatus: "Accepted", meterStart: 100), at: s(0) + 300)
        d.read(reg(s(60), 200), reg(s(120), 300))
        d.tx(txEvent(.ended, s(180), tx: "77", meterStop: 400))
        d.drain()
        let r = d.latest[0]
        #expect(r.transactionId == "77")
        #expect(r.idTagStatus == "Accepted")
        #expect(r.energyWh == 300)
        #expect(r.id == SessionHash.sessionId(charger: "CP-1", evse: 1, transactionId: "", startedAt: s(0)))
    }

    /// Without the result, the first meter values naming a transaction teach it.
    @Test func transactionIdFromFirstMeterValues() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), meterStart: 100))
        d.read(reg(s(60), 200, tx: "78"))
        d.tx(txEvent(.ended, s(120), tx: "78", meterStop: 300))
        d.drain()
        #expect(d.latest.count == 1)
        #expect(d.latest[0].transactionId == "78")
        #expect(d.latest[0].energyWh == 200)
    }

    /// A start resent after a lost response: one session; the back-end's second id wins, the first still matches.
    @Test func resentStart() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), meterStart: 500))
        d.tx(txEvent(.idAssigned, s(0), tx: "1", idTagStatus: "Accepted", meterStart: 500))
        d.tx(txEvent(.started, s(0), meterStart: 500), at: s(10))
        d.tx(txEvent(.idAssigned, s(0), tx: "2", idTagStatus: "Accepted", meterStart: 500), at: s(10) + 50)
        d.read(reg(s(60), 600, tx: "2"))
        d.tx(txEvent(.ended, s(120), tx: "1", meterStop: 700))
        d.drain()
        #expect(d.latest.count == 1)
        let r = d.latest[0]
        #expect(r.transactionId == "2")
        #expect(r.energyWh == 200)
        #expect(r.quality == [.resentStart])
        #expect(d.kinds() == [.started, .ended])
    }

    /// A start the back-end refused is flagged.
    @Test func startNotAccepted() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), meterStart: 0))
        d.tx(txEvent(.idAssigned, s(0), tx: "9", idTagStatus: "Invalid", meterStart: 0))
        d.tx(txEvent(.ended, s(30), tx: "9", meterStop: 0, reason: "DeAuthorized"))
        d.drain()
        #expect(d.latest[0].quality.contains(.notAccepted))
        #expect(d.latest[0].idTagStatus == "Invalid")
    }

    /// A stop with transactionId -1 on an unplaced EVSE closes the charger's only open session.
    @Test func stopWithMinusOne() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), meterStart: 0))
        d.read(reg(s(60), 100))
        d.tx(txEvent(.ended, s(120), evse: -1, tx: "-1", meterStop: 200))
        d.drain()
        #expect(d.latest.count == 1)
        #expect(d.latest[0].energyWh == 200)
        #expect(d.latest[0].quality.contains(.stopMatchedByCharger))
    }

    /// A stop without its start becomes a closed session of its own, flagged.
    @Test func stopWithoutStart() {
        var d = Driver()
        d.tx(txEvent(.ended, s(500), tx: "X9", meterStop: 4_000))
        d.drain()
        #expect(d.latest.count == 1)
        #expect(d.latest[0].start == .inferred)
        #expect(d.latest[0].quality.contains([.missingStart, .noEnergyData]))
        #expect(d.latest[0].meterStopWh == 4_000)
    }

    /// Register values after the stop and beyond meterStop are flagged on the closed session.
    @Test func valuesBeyondStop() {
        var d = Driver()
        shortSession(&d)
        d.read(reg(s(300), 1_350, tx: "Q"))
        d.drain()
        let r = d.latest[0]
        #expect(r.energyWh == 300)
        #expect(r.energyAfterStopWh == 50)
        #expect(r.quality == [.valuesAfterStop, .valuesBeyondStop])
    }

    /// Timestamps ahead of receive time are flagged (and do not move the finalization clock beyond tolerance).
    @Test func futureTimestamps() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "F1", meterStart: 0))
        d.read(reg(s(86_400), 100, tx: "F1"), at: s(60))
        d.drain()
        #expect(d.tracker.openSessions[0].quality.contains(.clockAhead))
    }

    /// SoC reaching 100 % completes charging; near-complete is emitted once.
    @Test func socCompletes() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "S", meterStart: 0))
        d.status(status(s(0), .charging))
        d.read(reg(s(60), 100, tx: "S"), pwr(s(60), 6_000, tx: "S"), soc(s(60), 95, tx: "S"))
        d.read(reg(s(120), 200, tx: "S"), pwr(s(120), 6_000, tx: "S"), soc(s(120), 100, tx: "S"))
        d.drain()
        #expect(d.kinds() == [.started, .nearComplete, .chargingComplete])
        #expect(d.events.last?.at == s(120))
    }

    /// Id tags are replaced by a keyed hash when configured (and never reach snapshots in clear).
    @Test func idTagPseudonym() throws {
        var d = Driver(SessionConfiguration(idTagHashKey: "secret-key"))
        shortSession(&d)
        d.drain()
        let tag = try #require(d.latest[0].idTag)
        #expect(tag == SessionHash.pseudonym(idTag: "TAG-1", key: "secret-key"))
        #expect(tag.hasPrefix("h:") && tag.count == 34)
        #expect(tag != SessionHash.pseudonym(idTag: "TAG-1", key: "other-key"))
        let snapshot = String(decoding: try JSONEncoder().encode(d.tracker), as: UTF8.self)
        #expect(!snapshot.contains("TAG-1"))
        #expect(!snapshot.contains("secret-key"))
    }

    /// Voltage, current and phase values are dismissed without touching sessions.
    @Test func irrelevantReadingsDismissed() {
        var d = Driver()
        d.read(Reading(series: series(.voltage, phase: .l1n), timestamp: s(0), value: 230, decimals: 1),
               Reading(series: series(.currentImport, phase: .l1), timestamp: s(0), value: 16, decimals: 1),
               Reading(series: series(.powerActiveImport, phase: .l1), timestamp: s(0), value: 3_000, decimals: 0),
               Reading(series: series(.energyActiveImportRegister, evse: 0), timestamp: s(0), value: 9, decimals: 0))
        #expect(d.tracker.counters.dismissed == 4)
        #expect(d.tracker.openSessions.isEmpty && d.tracker.openSessionCount == 0)
    }

    /// Register energy far from what measured power allows over the same intervals is flagged.
    @Test func energyMismatch() {
        var d = Driver()
        d.tx(txEvent(.started, s(0), tx: "E", meterStart: 0))
        d.read(pwr(s(0), 6_000, tx: "E"))
        d.read(reg(s(60), 100, tx: "E"), pwr(s(60), 6_000, tx: "E"))
        d.read(reg(s(120), 700, tx: "E"), pwr(s(120), 6_000, tx: "E"))
        d.tx(txEvent(.ended, s(180), tx: "E", meterStop: 800))
        d.drain()
        #expect(d.latest[0].energyWh == 800)
        #expect(d.latest[0].quality == [.energyMismatch])
    }
}
