import Foundation
import Sessions
import Telemetry
import Testing

/// The billing trace a session keeps: phase changes always, readings bounded, threshold readings kept.
@Suite struct BillingTraceTests {
    /// A session with a register reading every 10 s for 30 minutes (100 Wh each, 36 kW).
    func charging(_ configuration: SessionConfiguration = SessionConfiguration(), minutes: Int64 = 30) -> Driver {
        var d = Driver(configuration)
        d.tx(txEvent(.started, s(0), tx: "BT", meterStart: 0))
        d.status(status(s(0), .charging))
        for k in Int64(1)...(minutes * 6) { d.read(reg(s(k * 10), Double(k) * 100, tx: "BT")) }
        return d
    }

    func trace(_ d: Driver) throws -> BillingTrace {
        let record = try #require(d.tracker.openSessions.first)
        return try #require(d.tracker.billingTrace(for: record)?.trace)
    }

    @Test func readingsAreKeptAtMostOncePerMinuteAndTheNewestIsHeld() throws {
        let trace = try trace(charging())
        let readings = trace.points.filter { $0.phase == nil }
        // 180 readings over 30 minutes: the first of each minute (0:10 opens minute 0, then 1:00, 2:00, ... 30:00).
        #expect(readings.count == 31)
        #expect(Set(readings.map { ($0.t - t0) / 60_000 }).count == readings.count)
        #expect(trace.latest?.t == s(1_800))
        #expect(trace.latest?.energyWh == 18_000)
        #expect(trace.points.contains { $0.phase == .charging })
    }

    @Test func theReadingReachingATariffThresholdIsKept() throws {
        var configuration = SessionConfiguration()
        configuration.billingEnergyThresholdsWh = [1_250]
        let trace = try trace(charging(configuration))
        // 1 250 Wh is first reached at 13 × 100 Wh (2:10), inside minute 2 whose first reading (2:00) is also kept.
        let kept = trace.points.filter { $0.threshold == true }
        #expect(kept.map(\.t) == [s(130)])
        #expect(kept.first?.energyWh == 1_300)
        #expect(trace.points.contains { $0.t == s(120) })
    }

    @Test func aLongSessionIsThinnedToTheBound() throws {
        let d = charging(minutes: 60 * 40)
        let trace = try trace(d)
        #expect(trace.points.count <= BillingTrace.maxPoints)
        #expect(trace.readingStepMs == 120_000)
        #expect(trace.latest?.t == s(40 * 3_600))
    }

    /// A snapshot written before traces existed (no `billing` key in the session state) still decodes.
    @Test func aSnapshotWithoutTracesDecodes() throws {
        let d = charging(minutes: 2)
        let data = try JSONEncoder().encode(d.tracker)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var evses = try #require(object["evses"] as? [[String: Any]])
        var open = try #require(evses[0]["open"] as? [String: Any])
        #expect(open["billing"] != nil)
        open.removeValue(forKey: "billing")
        evses[0]["open"] = open
        object["evses"] = evses
        let old = try JSONSerialization.data(withJSONObject: object)
        let tracker = try JSONDecoder().decode(SessionTracker.self, from: old)
        let record = try #require(tracker.openSessions.first)
        #expect(tracker.billingTrace(for: record) != nil)
        #expect(tracker.billingTrace(for: record)?.trace == nil)
    }

    /// An unplug applied before the StopTransaction of the same instant closes the session first; the stop then
    /// completes it, and its meter value still reaches the trace at its time (the cost ends at the stop's energy,
    /// not the last meter value's).
    @Test func aStopAfterTheUnplugStillTracesItsMeterValue() throws {
        var d = charging(minutes: 10)
        d.status(status(s(660), .available))
        d.tx(txEvent(.ended, s(660), tx: "BT", meterStop: 6_200, reason: "EVDisconnected"))
        d.drain()
        let record = try #require(d.latest.first)
        #expect(record.endReason == .transaction)
        let trace = try #require(d.tracker.billingTrace(for: record)?.trace)
        #expect(trace.latest?.t == s(660))
        #expect(trace.latest?.energyWh == 6_200)
    }
}
