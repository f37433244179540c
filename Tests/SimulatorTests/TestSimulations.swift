import Simulator
import Telemetry

/// The simulations the tests share.
enum TestSimulations {
    /// 2026-11-21T10:00:00Z, a Saturday morning (11:00 in Berlin).
    static let start: Int64 = 1_795_255_200_000
    static let hour: Int64 = 3_600_000

    /// An hour of 20 chargers on 3 sites.
    static func hourOfTwentyChargers(seed: UInt64 = 42) throws -> FleetSimulation {
        try FleetSimulation(settings: SimulationSettings(chargerCount: 20, siteCount: 3, start: start, duration: hour,
                                                         seed: seed))
    }

    /// A whole day of 20 chargers, for the rarer turns of a session (pauses, cars left plugged in, remote stops).
    static func dayOfTwentyChargers(seed: UInt64 = 7) throws -> FleetSimulation {
        try FleetSimulation(settings: SimulationSettings(chargerCount: 20, siteCount: 3, start: start - 10 * hour,
                                                         duration: 24 * hour, seed: seed))
    }
}
