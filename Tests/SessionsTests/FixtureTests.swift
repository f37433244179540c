import Foundation
import Sessions
import Telemetry
import Testing

/// Sessions from real decoded fixture streams (Fixtures/*.jsonl through Pipelines/default.yaml).
@Suite struct FixtureTests {
    /// OCPP 1.6J: the transaction id exists only in the back-end's StartTransaction result.
    @Test func ocpp16Session() throws {
        var tracker = SessionTracker()
        var events: [SessionEvent] = []
        var records: [SessionRecord] = []
        for message in try decodeFixture("ocpp16-session.jsonl") {
            tracker.feed(message)
            events += tracker.drainEvents()
            records += tracker.drainClosed()
        }
        let r = try #require(records.last)
        #expect(Set(records.map(\.id)).count == 1)
        #expect(r.id == SessionHash.sessionId(charger: "CP-DEPOT-01", evse: 1, transactionId: "", startedAt: t0 + 80_000))
        #expect(r.charger == "CP-DEPOT-01")
        #expect(r.evse == 1)
        #expect(r.state == .closed)
        #expect(r.start == .transaction)
        #expect(r.transactionId == "4711")
        #expect(r.idTag == "04A2B3C4D5")
        #expect(r.idTagStatus == "Accepted")
        #expect(r.pluggedAt == t0 + 60_000)
        #expect(r.startedAt == t0 + 80_000)
        #expect(r.chargingEndedAt == t0 + 320_000)
        #expect(r.endedAt == t0 + 500_000)
        #expect(r.unpluggedAt == t0 + 620_000)
        #expect(r.meterStartWh == 1_250_000)
        #expect(r.meterStopWh == 1_250_736)
        #expect(r.energyWh == 736)
        #expect(r.chargingMs == 240_000)
        #expect(r.suspendedEVMs == 0)
        #expect(r.idleMs == 300_000)
        #expect(r.peakPowerW == 11_040)
        #expect(approx(r.averagePowerW, 11_040))
        #expect(approx(r.integratedEnergyWh, 736))
        #expect(r.stopReason == "EVDisconnected")
        #expect(r.endReason == .transaction)
        #expect(r.signedEnd?.data.hasPrefix("OCMF|") == true)
        #expect(r.quality == [])
        #expect(r.curve.points.map(\.t) == [t0 + 120_000, t0 + 180_000, t0 + 240_000, t0 + 300_000, t0 + 360_000,
                                             t0 + 420_000])
        #expect(r.curve.points.first?.averageW == 11_040)
        #expect(events.map(\.kind) == [.started, .ended])
        #expect(events.map(\.at) == [t0 + 80_000, t0 + 500_000])
        #expect(tracker.counters.dismissed > 0)
    }

    /// OCPP 2.0.1: Occupied, then chargingState EVConnected → Charging → Idle on the Ended event.
    @Test func ocpp201Session() throws {
        var tracker = SessionTracker()
        var records: [SessionRecord] = []
        var events: [SessionEvent] = []
        for message in try decodeFixture("ocpp201-session.jsonl") {
            tracker.feed(message)
            records += tracker.drainClosed()
            events += tracker.drainEvents()
        }
        let start: Int64 = t0 + 2 * 3_600_000
        let r = try #require(records.last)
        #expect(records.allSatisfy { $0.id == r.id })
        #expect(r.id == SessionHash.sessionId(charger: "CP-HWY-01", evse: 1,
                                              transactionId: "8d5f0b52-6f8e-4a36-9c1e-0b7a3c2d1e4f", startedAt: start))
        #expect(r.transactionId == "8d5f0b52-6f8e-4a36-9c1e-0b7a3c2d1e4f")
        #expect(r.idTag == "DEADBEEF01")
        #expect(r.pluggedAt == start)
        #expect(r.startedAt == start)
        #expect(r.chargingEndedAt == start + 240_000)
        #expect(r.endedAt == start + 360_000)
        #expect(r.unpluggedAt == start + 360_000)
        #expect(r.energyWh == 9_008)
        #expect(r.chargingMs == 240_000)
        #expect(r.idleMs == 120_000)
        #expect(r.peakPowerW == 148_000)
        #expect(r.socStart == 23)
        #expect(r.socEnd == 43)
        #expect(r.taperSoC == 39)
        #expect(r.stopReason == "EVDisconnected")
        #expect(r.quality == [])
        #expect(events.map(\.kind) == [.started, .ended])
    }

    /// EVerest: no transactions; a session on power evidence, ended by `Finished`.
    @Test func everestSession() throws {
        var tracker = SessionTracker()
        var records: [SessionRecord] = []
        var events: [SessionEvent] = []
        let messages = try decodeFixture("everest.jsonl")
        for message in messages {
            tracker.feed(message)
            records += tracker.drainClosed()
            events += tracker.drainEvents()
        }
        let noon: Int64 = t0 + 4 * 3_600_000
        let r = try #require(records.last)
        #expect(Set(records.map(\.id)).count == 1)
        #expect(r.start == .evidence)
        #expect(r.evse == 1)
        #expect(r.startedAt == noon)
        #expect(r.endedAt == noon + 30_040)
        #expect(r.endReason == .finished)
        #expect(r.chargingEndedAt == noon + 30_040)
        #expect(r.chargingMs == 30_040)
        #expect(approx(r.energyWh, 61.2))
        #expect(r.peakPowerW == 11_040)
        #expect(r.chargerReportedEnergyWh == 703.8)
        #expect(approx(r.energyAfterStopWh, 30.6))
        #expect(r.quality == [.evidenceStart, .joinedInProgress, .valuesAfterStop, .valuesBeyondStop])
        #expect(events.map(\.kind) == [.started, .ended])
    }

    /// OCPP 2.0.1 events buffered offline: a session whose start was never seen (inferred from its events).
    @Test func ocpp201OfflineBuffered() throws {
        var tracker = SessionTracker()
        for message in try decodeFixture("ocpp201-offline.jsonl") { tracker.feed(message) }
        let open = tracker.openSessions
        #expect(open.count == 1)
        #expect(tracker.openSessionCount == 1)
        let r = try #require(open.first)
        #expect(r.evse == 2)
        #expect(r.start == .inferred)
        #expect(r.transactionId == "TX-OFF-1")
        #expect(r.startedAt == t0 + 3 * 3_600_000)
        #expect(r.energyWh == 5_000)
        #expect(r.chargingMs == 120_000)
        #expect(r.quality.contains([.missingStart, .offlineData]))
    }

    /// The compact form: started/ended events with a transaction id.
    @Test func compactSession() throws {
        var tracker = SessionTracker()
        var records: [SessionRecord] = []
        for message in try decodeFixture("compact.jsonl") {
            tracker.feed(message)
            records += tracker.drainClosed()
        }
        let r = try #require(records.last)
        #expect(r.transactionId == "C-1")
        #expect(r.energyWh == 122)
        #expect(r.peakPowerW == 7_320)
        #expect(r.endReason == .transaction)
        #expect(r.chargingMs == 60_000)
    }
}
