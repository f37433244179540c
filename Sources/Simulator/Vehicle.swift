/// The car that plugs in: its battery and what its chargers (on board for AC, the battery for DC) accept.
struct Vehicle: Sendable {
    /// Usable battery capacity, Wh.
    var capacityWh: Double
    /// Phases its on-board charger draws on (1 or 3).
    var acPhases: Int
    /// Most current per phase its on-board charger draws, A.
    var acCurrentA: Double
    /// Peak DC charging power, W.
    var dcPeakW: Double
    /// Nominal pack voltage: about 400 or 800 V.
    var packVoltageV: Double

    static func random(using random: inout SimulationRandom) -> Vehicle {
        let capacity = random.uniform(40...100) * 1000
        let singlePhase = random.chance(0.2)
        let current: Double = singlePhase ? (random.chance(0.6) ? 32 : 16) : (random.chance(0.65) ? 16 : 32)
        let highVoltage = random.chance(0.3)
        return Vehicle(
            capacityWh: capacity, acPhases: singlePhase ? 1 : 3, acCurrentA: current,
            dcPeakW: highVoltage ? random.uniform(150...270) * 1000 : random.uniform(50...150) * 1000,
            packVoltageV: highVoltage ? random.uniform(720...800) : random.uniform(360...400))
    }

    /// Pack voltage at state of charge `soc` (0...1): it rises as the battery fills.
    func packVoltage(at soc: Double) -> Double {
        packVoltageV * (0.86 + 0.18 * soc)
    }
}
