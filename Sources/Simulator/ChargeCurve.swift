import Foundation

/// The power a car draws as a function of its state of charge (SoC), piecewise linear, with the time to charge
/// between two states in closed form.
///
/// On a segment where power is linear in SoC, `dSoC/dt = P(SoC) / whPerSoc`, so power changes exponentially in
/// time: `P(t) = P0 * exp(k t / whPerSoc)` for slope `k`. Charging time and the SoC after a given time are therefore
/// exact, with no stepping, and the energy the meter counts is simply `ΔSoC * whPerSoc`.
struct ChargeCurve: Sendable {
    /// Breakpoints: SoC from 0 to 1, ascending.
    let socs: [Double]
    /// Power at each breakpoint, W (> 0).
    let watts: [Double]
    /// Energy the meter counts per unit of SoC (capacity over charging efficiency), Wh.
    let whPerSoc: Double

    init(socs: [Double], watts: [Double], whPerSoc: Double) {
        precondition(socs.count == watts.count && socs.count >= 2 && socs.first == 0 && socs.last == 1)
        self.socs = socs
        self.watts = watts.map { max($0, 500) }
        self.whPerSoc = whPerSoc
    }

    /// AC: the on-board charger's constant power, tapering above 90 % to 30 % of it at full.
    static func ac(power: Double, whPerSoc: Double) -> ChargeCurve {
        ChargeCurve(socs: [0, 0.9, 1], watts: [power, power, power * 0.3], whPerSoc: whPerSoc)
    }

    /// DC: the car's peak power up to its knee, falling to 20 % of it at full; bounded by the charger's power and
    /// by its current at the charging voltage (`voltage` of SoC). Tabulated every 5 % of SoC.
    static func dc(vehicle: Vehicle, knee: Double, chargerW: Double, chargerA: Double, whPerSoc: Double,
                   voltage: (Double) -> Double) -> ChargeCurve {
        var socs: [Double] = []
        var watts: [Double] = []
        for step in 0...20 {
            let soc = Double(step) / 20
            let car = soc <= knee ? vehicle.dcPeakW : vehicle.dcPeakW * (1 - 0.8 * (soc - knee) / (1 - knee))
            socs.append(soc)
            watts.append(min(car, chargerW, chargerA * voltage(soc)))
        }
        return ChargeCurve(socs: socs, watts: watts, whPerSoc: whPerSoc)
    }

    /// The segment holding `soc`: the index of its lower breakpoint.
    private func segment(at soc: Double) -> Int {
        var index = 0
        while index < socs.count - 2 && soc >= socs[index + 1] { index += 1 }
        return index
    }

    private func slope(_ index: Int) -> Double {
        (watts[index + 1] - watts[index]) / (socs[index + 1] - socs[index])
    }

    /// Power drawn at `soc`, W.
    func power(at soc: Double) -> Double {
        let s = min(max(soc, 0), 1)
        let index = segment(at: s)
        return watts[index] + slope(index) * (s - socs[index])
    }

    /// Seconds of charging from `from` to `to` (both 0...1, `from <= to`).
    func seconds(from: Double, to: Double) -> Double {
        var soc = min(max(from, 0), 1)
        let target = min(max(to, soc), 1)
        var total = 0.0
        while soc < target {
            let index = segment(at: soc)
            let end = min(socs[index + 1], target)
            total += secondsWithinSegment(index, from: soc, to: end)
            soc = end
        }
        return total
    }

    private func secondsWithinSegment(_ index: Int, from: Double, to: Double) -> Double {
        let k = slope(index)
        let p0 = power(at: from)
        if abs(k) < 1e-6 {
            return whPerSoc * (to - from) / p0 * 3600
        }
        let p1 = watts[index] + k * (to - socs[index])
        return whPerSoc / k * log(p1 / p0) * 3600
    }

    /// SoC after charging for `seconds` from `from` (capped at 1).
    func advance(from: Double, seconds: Double) -> Double {
        var soc = min(max(from, 0), 1)
        var left = seconds
        while left > 0 && soc < 1 {
            let index = segment(at: soc)
            let end = socs[index + 1]
            let needed = secondsWithinSegment(index, from: soc, to: end)
            if needed <= left {
                left -= needed
                soc = end
                continue
            }
            let k = slope(index)
            let p0 = power(at: soc)
            let hours = left / 3600
            if abs(k) < 1e-6 {
                soc += p0 * hours / whPerSoc
            } else {
                soc += (p0 * exp(k * hours / whPerSoc) - p0) / k
            }
            return min(soc, end)
        }
        return min(soc, 1)
    }
}
