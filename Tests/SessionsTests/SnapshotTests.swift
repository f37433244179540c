import Foundation
import Sessions
import Telemetry
import Testing

/// Checkpoint and resume: identical results to an uninterrupted run, no duplicated session.
@Suite struct SnapshotTests {
    struct Outputs: Equatable {
        var events: [SessionEvent] = []
        var records: [SessionRecord] = []
        var open: [SessionRecord] = []
    }

    func run(_ messages: [DecodedMessage], restartAt split: Int?) throws -> Outputs {
        var tracker = SessionTracker(configuration: SessionConfiguration(idTagHashKey: "k"))
        var out = Outputs()
        for (n, message) in messages.enumerated() {
            if n == split {
                let data = try JSONEncoder().encode(tracker)
                tracker = try JSONDecoder().decode(SessionTracker.self, from: data)
                #expect(tracker.configuration.idTagHashKey == nil)
                tracker.configuration.idTagHashKey = "k"
            }
            tracker.feed(message)
            out.events += tracker.drainEvents()
            out.records += tracker.drainClosed()
        }
        tracker.advance(to: (messages.last?.receivedAt ?? 0) + 10 * 3_600_000)
        out.events += tracker.drainEvents()
        out.records += tracker.drainClosed()
        out.open = tracker.openSessions
        return out
    }

    @Test(arguments: ["ocpp16-session.jsonl", "ocpp201-session.jsonl", "everest.jsonl", "compact.jsonl"])
    func restartMidSession(fixture: String) throws {
        let messages = try decodeFixture(fixture)
        let reference = try run(messages, restartAt: nil)
        #expect(!reference.records.isEmpty)
        for split in [messages.count / 3, messages.count / 2, 2 * messages.count / 3] {
            let resumed = try run(messages, restartAt: split)
            #expect(resumed == reference, "restart before message \(split)")
        }
        #expect(reference.events.filter { $0.kind == .started }.count == 1)
        #expect(reference.records.last?.state == .finalized)
    }

    /// A hand-built session with open state across the snapshot: suspensions, curve, SoC, pending intervals.
    @Test func restartHandBuilt() throws {
        func steps() -> [(inout Driver) -> Void] {
            var list: [(inout Driver) -> Void] = []
            list.append { $0.tx(txEvent(.started, s(0), tx: "SN", meterStart: 0)) }
            list.append { $0.status(status(s(0), .charging)) }
            for k in Int64(1)...20 {
                list.append { d in
                    let wh = Double(min(k, 12)) * 100
                    d.read(reg(s(k * 60), wh, tx: "SN"), pwr(s(k * 60), k < 12 ? 6_000 : 0, tx: "SN"),
                           soc(s(k * 60), Double(40 + min(k, 12) * 4), tx: "SN"))
                    if k == 6 { d.status(status(s(370), .suspendedEV)) }
                    if k == 8 { d.status(status(s(490), .charging)) }
                }
            }
            list.append { $0.tx(txEvent(.ended, s(1_260), tx: "SN", meterStop: 1_200)) }
            list.append { $0.status(status(s(1_400), .available)) }
            return list
        }
        var reference = Driver()
        for step in steps() { step(&reference) }
        reference.drain()
        for split in [3, 9, 15] {
            var d = Driver()
            for (n, step) in steps().enumerated() {
                if n == split {
                    d.drain()
                    let data = try JSONEncoder().encode(d.tracker)
                    d.tracker = try JSONDecoder().decode(SessionTracker.self, from: data)
                }
                step(&d)
            }
            d.drain()
            #expect(d.events == reference.events)
            #expect(d.records == reference.records)
        }
        let r = reference.latest[0]
        #expect(r.energyWh == 1_200)
        #expect(r.chargingEndedAt == s(720))
        #expect(r.curve.points.count == 20)
    }
}
