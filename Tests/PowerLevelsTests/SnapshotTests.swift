import Foundation
import PowerLevels
import Telemetry
import Testing

@Suite struct SnapshotTests {
    enum Step {
        case reading(Reading)
        case advance(Int64)
    }

    /// Two sites, three chargers (one with a main meter), phases, totals, register-only connectors, a reset,
    /// late readings and silences: 2 hours of event time, advanced every 10 s of receive time.
    static func stream() -> [Step] {
        var steps: [Step] = []
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ n: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % n
        }
        var registers: [Double] = [1_000, 2_000, 3_000, 40_000, 5_000]
        for step in Int64(0)..<720 {
            let time = t0 - 1_800_000 + step * 10_000
            let silent = step >= 300 && step < 420  // 20 min of silence on CP-2
            let w1 = Double(random(11_000)), w2 = Double(random(7_400)), w3 = Double(random(22_000))
            // CP-1 (site S1): per-phase power and register on EVSE 1, total on EVSE 2, main meter.
            for (phase, share) in [(Phase.l1, 0.3), (.l2, 0.3), (.l3, 0.4)] {
                steps.append(.reading(power(phase, charger: "CP-1", evse: 1, at: time, (w1 * share).rounded())))
            }
            registers[0] += w1 * 10 / 3_600
            steps.append(.reading(register(charger: "CP-1", evse: 1, at: time, registers[0].rounded())))
            if step % 3 == 0 { steps.append(.reading(power(charger: "CP-1", evse: 2, at: time, w2))) }
            registers[3] += (w1 + w2) * 10 / 3_600
            steps.append(.reading(power(charger: "CP-1", evse: 0, at: time, w1 + w2 + 150)))
            steps.append(.reading(register(charger: "CP-1", evse: 0, at: time, registers[3])))
            // CP-2 (site S1): register only, every 30 s, falls silent, then replays one late reading.
            if !silent && step % 3 == 1 {
                registers[1] += w3 * 30 / 3_600
                if step == 601 { registers[1] = 12 }  // a meter swap
                steps.append(.reading(register(charger: "CP-2", evse: 1, at: time, registers[1])))
            }
            if step == 450 { steps.append(.reading(register(charger: "CP-2", evse: 1, at: time - 900_000, 1))) }
            // CP-3 (site S2): total power every 20 s.
            if step % 2 == 0 { steps.append(.reading(power(site: "S2", charger: "CP-3", at: time, w3))) }
            steps.append(.advance(time + 12_000))
        }
        steps.append(.advance(Int64.max))
        return steps
    }

    struct Output: Equatable {
        var records: [PowerInterval] = []
        var loads: [SiteLoad?] = []
        var outcomes: [IngestOutcome?] = []
    }

    static func run(_ steps: ArraySlice<Step>, on p: inout PowerLevelProcessor, into out: inout Output) {
        for (n, step) in zip(steps.indices, steps) {
            switch step {
            case .reading(let r): out.outcomes.append(p.ingest(r))
            case .advance(let t): p.advance(to: t)
            }
            out.records += p.drainClosedIntervals()
            if n % 97 == 0 { out.loads += [p.siteLoad("S1"), p.siteLoad("S2")] }
        }
    }

    @Test func aRestoredSnapshotContinuesExactlyAsAnUninterruptedRun() throws {
        let steps = Self.stream()
        var whole = PowerLevelProcessor()
        var expected = Output()
        Self.run(steps[...], on: &whole, into: &expected)
        #expect(expected.records.count > 40)
        #expect(expected.records.contains { $0.level == .site && $0.energySource == .mixed })
        #expect(whole.counters.registerRegressions == 1 && whole.counters.late >= 1)

        for cut in [steps.count / 3, steps.count / 2 + 1] {
            var first = PowerLevelProcessor()
            var got = Output()
            Self.run(steps[..<cut], on: &first, into: &got)
            let data = try JSONEncoder().encode(first)
            var restored = try JSONDecoder().decode(PowerLevelProcessor.self, from: data)
            Self.run(steps[cut...], on: &restored, into: &got)
            #expect(got.records == expected.records)
            #expect(got.outcomes == expected.outcomes)
            #expect(got.loads == expected.loads)
            #expect(restored.counters == whole.counters)
        }
    }
}
