@testable import Simulator
import Testing

/// The closed forms against a plain numerical integration of dSoC/dt = P(SoC) / whPerSoc.
@Suite struct ChargeCurveTests {
    static let vehicle = Vehicle(capacityWh: 77_000, acPhases: 3, acCurrentA: 16, dcPeakW: 175_000, packVoltageV: 740)

    static let curves: [ChargeCurve] = [
        .ac(power: 11_000, whPerSoc: 77_000 / 0.9),
        .dc(vehicle: vehicle, knee: 0.5, chargerW: 150_000, chargerA: 300, whPerSoc: 77_000 / 0.94,
            voltage: { vehicle.packVoltage(at: $0) }),
        .dc(vehicle: vehicle, knee: 0.55, chargerW: 50_000, chargerA: 125, whPerSoc: 77_000 / 0.94,
            voltage: { vehicle.packVoltage(at: $0) * 0.5 }),
    ]

    /// Seconds from `a` to `b` by Euler steps of 0.1 s.
    static func integrate(_ curve: ChargeCurve, from a: Double, to b: Double) -> Double {
        var soc = a
        var seconds = 0.0
        while soc < b {
            soc += curve.power(at: soc) * 0.1 / 3600 / curve.whPerSoc
            seconds += 0.1
        }
        return seconds
    }

    @Test(arguments: curves.indices)
    func timeToChargeMatchesIntegration(index: Int) {
        let curve = Self.curves[index]
        for (a, b) in [(0.1, 0.8), (0.3, 1.0), (0.85, 0.95), (0.5, 0.5)] {
            let exact = curve.seconds(from: a, to: b)
            let numeric = Self.integrate(curve, from: a, to: b)
            #expect(abs(exact - numeric) <= max(1, exact * 0.001), "\(a)→\(b): \(exact) s vs \(numeric) s")
        }
    }

    @Test(arguments: curves.indices)
    func advanceInvertsSeconds(index: Int) {
        let curve = Self.curves[index]
        for (a, b) in [(0.1, 0.8), (0.2, 0.97), (0.6, 0.62)] {
            let seconds = curve.seconds(from: a, to: b)
            #expect(abs(curve.advance(from: a, seconds: seconds) - b) < 1e-9)
            #expect(curve.advance(from: a, seconds: seconds / 2) < b)
        }
        #expect(curve.advance(from: 0.9, seconds: 1e9) == 1)
    }

    @Test func powerTapersAndStaysWithinLimits() {
        let ac = Self.curves[0]
        #expect(ac.power(at: 0.5) == 11_000)
        #expect(ac.power(at: 0.95) < 11_000)
        #expect(abs(ac.power(at: 1) - 3300) < 1e-6)
        let dc = Self.curves[1]
        #expect(dc.power(at: 0.2) == 150_000)
        // 175 kW at the knee (50 %), falling to 20 % of it at full: 63 kW at 90 %.
        #expect(abs(dc.power(at: 0.9) - 63_000) < 1)
        #expect(zip(dc.watts.dropFirst(10), dc.watts.dropFirst(11)).allSatisfy { $0 >= $1 })
        let boosted = Self.curves[2]
        // 125 A at about 320-380 V: the current limit binds before the 50 kW rating.
        #expect(boosted.power(at: 0.1) < 50_000)
        #expect(boosted.socs.indices.allSatisfy { boosted.watts[$0] <= 50_000 })
    }
}
