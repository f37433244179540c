import Telemetry
import Testing
@testable import Sessions

/// `advance(to:)` passes over EVSEs whose recent sessions have nothing due (`recentDue`). A tracker that looks at
/// every EVSE at every advance (its deadlines forgotten before each) must produce the same records and events, at
/// the same points: sessions closed by their stop, by silence (finalized on receive time, the charger silent) and
/// by the charger's clock, late data merged into closed sessions, finalization, and eviction after retention.
@Suite struct AdvanceTests {
    /// A deterministic stream: four EVSEs on two chargers, 24 sessions of 5 to 40 minutes, a third of them without a
    /// stop (closed by silence), some with late readings, CP-2 going quiet for hours in between.
    static func script() -> [(receive: Int64, apply: (inout Driver) -> Void)] {
        var steps: [(Int64, (inout Driver) -> Void)] = []
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((seed >> 33) % UInt64(bound))
        }
        let places: [(charger: String, evse: Int)] = [("CP-1", 1), ("CP-1", 2), ("CP-1", 3), ("CP-2", 1)]
        var clock = [Int64](repeating: 0, count: places.count)
        for n in 0..<24 {
            let p = n % places.count
            let (charger, evse) = places[p]
            let tx = "T-\(n)"
            let start = clock[p] + 60 + next(charger == "CP-2" ? 14_400 : 1_800)
            let minutes = 5 + next(36)
            let meter = Double(n) * 100_000
            steps.append((s(start) + 100, { d in
                d.tx(txEvent(.started, s(start), evse: evse, tx: tx, meterStart: meter, charger: charger))
            }))
            for k in 1...minutes {
                let t = start + k * 60
                steps.append((s(t) + 100, { d in
                    d.read(reg(s(t), meter + Double(k) * 120, evse: evse, tx: tx, charger: charger),
                           pwr(s(t), 7_200, evse: evse, tx: tx, charger: charger))
                }))
            }
            let end = start + minutes * 60 + 30
            if n % 3 != 2 {
                steps.append((s(end) + 100, { d in
                    d.tx(txEvent(.ended, s(end), evse: evse, tx: tx, meterStop: meter + Double(minutes) * 120,
                                 reason: "Local", charger: charger))
                }))
            }
            if n % 4 == 1 {
                // A reading of the session delivered late, ten minutes after its end.
                let t = start + 90
                steps.append((s(end + 600) + 100, { d in
                    d.read(pwr(s(t), 11_000, evse: evse, tx: tx, charger: charger), at: s(end + 600) + 100)
                }))
            }
            clock[p] = end
        }
        return steps.sorted { $0.0 < $1.0 }
    }

    @Test func passingOverEVSEsWithNothingDueChangesNothing() {
        let configuration = SessionConfiguration(silenceTimeoutMs: 1_200_000, finalizeAfterMs: 900_000,
                                                 retainAfterFinalizeMs: 1_800_000)
        var skipping = Driver(configuration)
        var looking = Driver(configuration)
        let steps = Self.script()
        var receive = steps[0].receive
        var index = 0
        let last = steps[steps.count - 1].receive + 6 * 3_600_000
        var advances = 0
        var mismatches = 0
        while receive <= last {
            while index < steps.count, steps[index].receive <= receive {
                steps[index].apply(&skipping)
                steps[index].apply(&looking)
                index += 1
            }
            skipping.advance(receive)
            looking.tracker.recentDue.removeAll()
            looking.advance(receive)
            skipping.drain()
            looking.drain()
            // Step by step: the same records (state and all) drained at the same advance, not only in the end.
            if skipping.records != looking.records || skipping.events != looking.events { mismatches += 1 }
            advances += 1
            receive += 20_000
        }
        #expect(advances > 1_000)
        #expect(mismatches == 0)
        #expect(skipping.records == looking.records)
        #expect(skipping.events == looking.events)
        // The script reaches every path it is meant to.
        let latest = looking.latest
        #expect(latest.count == 24)
        #expect(latest.allSatisfy { $0.state == .finalized })
        #expect(latest.contains { $0.endReason == .timeout })
        #expect(latest.contains { $0.amended > 0 || $0.lateReadings > 0 })
        #expect(looking.tracker.evses.allSatisfy { $0.recent.isEmpty }, "every session evicted after retention")
    }
}
