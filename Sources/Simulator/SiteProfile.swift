/// What kind of place a simulated site is: it decides the chargers' hardware and when drivers arrive.
public enum SiteProfile: String, Sendable, Hashable, CaseIterable {
    /// Car parks, workplaces and streets: AC wallboxes and some 50 kW DC chargers; arrivals peak in the morning and
    /// the early evening.
    case urban
    /// A motorway service area: DC chargers of 50 to 350 kW; arrivals spread over the day.
    case highway

    /// Relative arrival rate for each local hour of the day, 0...23.
    var hourlyWeights: [Double] {
        switch self {
        case .urban:
            [0.15, 0.1, 0.08, 0.08, 0.1, 0.3, 0.8, 1.6, 2.2, 1.8, 1.4, 1.3,
             1.4, 1.3, 1.2, 1.3, 1.6, 1.9, 1.8, 1.4, 1.0, 0.7, 0.45, 0.25]
        case .highway:
            [0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.2, 1.5, 1.6, 1.7, 1.8,
             1.9, 1.8, 1.7, 1.8, 1.9, 1.9, 1.6, 1.3, 1.0, 0.8, 0.6, 0.4]
        }
    }

    /// Mean sessions per connector and day.
    func sessionsPerDay(dc: Bool) -> Double {
        switch (self, dc) {
        case (.urban, false): 3
        case (.urban, true): 8
        case (.highway, false): 4
        case (.highway, true): 10
        }
    }

    /// Arrivals per hour on one connector at local hour `hour`.
    func arrivalsPerHour(dc: Bool, hour: Int) -> Double {
        let weights = hourlyWeights
        return sessionsPerDay(dc: dc) * weights[hour] / weights.reduce(0, +)
    }

    /// The highest hourly rate of the day (the bound the arrival sampler thins from).
    func peakArrivalsPerHour(dc: Bool) -> Double {
        let weights = hourlyWeights
        return sessionsPerDay(dc: dc) * (weights.max() ?? 1) / weights.reduce(0, +)
    }
}
