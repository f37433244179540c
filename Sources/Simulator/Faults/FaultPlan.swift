/// Which faults a simulation injects, drawn from the seed: `rate` faults per charger per simulated hour, the kinds
/// dealt out in turn (`FaultKind.injected`), so any run with at least that many faults has every kind.
///
/// Each fault goes to the fitting charger with the fewest faults so far (ties broken by the seed), at a time drawn
/// uniformly after the first ten minutes; a charger whose clock is skewed gets no other fault, so the others keep
/// true times. The same settings give the same plan.
struct FaultPlan: Sendable {
    private(set) var faults: [PlannedFault] = []

    init(settings: SimulationSettings, fleet: SimulatedFleet) {
        guard settings.faultRate > 0, settings.duration > 0, settings.end != .max else { return }
        var random = SimulationRandom(seed: settings.seed, stream: RandomStream.faults)
        let hours = Double(settings.duration) / 3_600_000
        let count = max(1, Int((settings.faultRate * Double(fleet.chargers.count) * hours).rounded()))
        // Faults start after ten minutes (the detector has a baseline) and 35 minutes before the end where possible,
        // so the longest has time to show.
        let earliest = settings.start + min(600_000, settings.duration / 4)
        let latest = max(earliest, settings.end - min(35 * 60_000, settings.duration / 3))
        var load = Array(repeating: 0, count: fleet.chargers.count)
        var skewed = Set<Int>()
        for number in 0..<count {
            let kind = FaultKind.injected[number % FaultKind.injected.count]
            let start = earliest + Int64(random.uniform() * Double(latest - earliest))
            let seed = random.next()
            guard kind != .brokerDrops else {
                faults.append(PlannedFault(kind: kind, charger: nil, evse: nil, start: start, seed: seed))
                continue
            }
            let candidates = fleet.chargers.indices.filter {
                kind.fits(fleet.chargers[$0]) && !skewed.contains($0) && (kind != .clockSkew || load[$0] == 0)
            }
            guard let fewest = candidates.map({ load[$0] }).min() else { continue }
            let least = candidates.filter { load[$0] == fewest }
            let charger = least[random.integer(0...least.count - 1)]
            load[charger] += 1
            if kind == .clockSkew { skewed.insert(charger) }
            var evse: Int?
            if kind.layer == .meter || kind.layer == .status {
                let evses = fleet.chargers[charger].evses.filter { kind.fits($0) }
                evse = evses[random.integer(0...evses.count - 1)].id
            }
            faults.append(PlannedFault(kind: kind, charger: charger, evse: evse,
                                       start: kind == .clockSkew ? settings.start : start, seed: seed))
        }
    }

    /// The faults of one layer.
    func faults(in layer: FaultKind.Layer) -> [PlannedFault] {
        faults.filter { $0.kind.layer == layer }
    }
}

extension FaultPlan {
    /// How far behind a skewed charger's clock runs, ms.
    static let clockSkew: Int64 = 10 * 60_000
}
