import Foundation
@testable import Sessions
import Telemetry
import Testing

/// Checkpoint and resume: identical results to an uninterrupted run, no duplicated session.
@Suite struct SnapshotTests {
    struct Outputs: Equatable {
        var events: [SessionEvent] = []
        var records: [SessionRecord] = []
        var open: [SessionRecord] = []
    }

    /// The encoder of a snapshot: the runtime's (curves and billing points packed) or plain JSON (how snapshots were
    /// written before 2026-12-07; they must still restore).
    static func encoder(compact: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        if compact { encoder.userInfo[.compactSnapshot] = true }
        return encoder
    }

    func run(_ messages: [DecodedMessage], restartAt split: Int?, compact: Bool = true) throws -> Outputs {
        var tracker = SessionTracker(configuration: SessionConfiguration(idTagHashKey: "k"))
        var out = Outputs()
        for (n, message) in messages.enumerated() {
            if n == split {
                let data = try Self.encoder(compact: compact).encode(tracker)
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
            for compact in [true, false] {
                let resumed = try run(messages, restartAt: split, compact: compact)
                #expect(resumed == reference, "restart before message \(split), compact \(compact)")
            }
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
                    let data = try Self.encoder(compact: split != 9).encode(d.tracker)
                    #expect(String(decoding: data, as: UTF8.self).contains("\"packed\"") == (split != 9))
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

    /// The packed forms carry every field (nil, false and true thresholds, every phase, SoC present or not) and
    /// refuse a truncated value.
    @Test func packedSeriesRoundTrip() throws {
        var trace = BillingTrace(startedAt: 1_000, phase: .preparing)
        var configuration = SessionConfiguration()
        configuration.billingEnergyThresholdsWh = [500]
        for (k, phase) in ChargePhase.allCases.enumerated() {
            trace.reading(t: 2_000 + Int64(k) * 70_000, energyWh: Double(k) * 100.5,
                          powerW: k.isMultiple(of: 2) ? nil : 7_000, soc: k == 3 ? 55.5 : nil,
                          currentA: k == 4 ? 31.25 : nil, configuration: configuration)
            trace.phase(phase, at: 2_500 + Int64(k) * 70_000)
        }
        #expect(trace.points.contains { $0.threshold == true })
        let curve = PowerCurve(stepMs: 60_000, points: [
            CurvePoint(t: 0, averageW: 1.5, maxW: 2, samples: 3, soc: nil),
            CurvePoint(t: 60_000, averageW: -0.0, maxW: .greatestFiniteMagnitude, samples: .max, soc: 99.9),
        ])
        struct Both: Codable, Equatable { var trace: BillingTrace; var curve: PowerCurve }
        let both = Both(trace: trace, curve: curve)
        let data = try Self.encoder(compact: true).encode(both)
        #expect(!String(decoding: data, as: UTF8.self).contains("\"points\""))
        #expect(try JSONDecoder().decode(Both.self, from: data) == both)
        let packed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let curveObject = try #require(packed["curve"] as? [String: Any])
        let text = try #require(curveObject["packed"] as? String)
        let blob = try #require(Data(base64Encoded: text))
        var cut = curveObject
        cut["packed"] = blob.dropLast().base64EncodedString()
        var broken = packed
        broken["curve"] = cut
        let brokenData = try JSONSerialization.data(withJSONObject: broken)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Both.self, from: brokenData) }
        // A damaged count (two billion points in five bytes) is refused, not reserved for.
        let huge = Data([1, 0xFF, 0xFF, 0xFF, 0x7F]).base64EncodedString()
        let hugeCurve = Data(#"{"stepMs":60000,"packed":"\#(huge)"}"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(PowerCurve.self, from: hugeCurve) }
    }
}
