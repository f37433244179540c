import Telemetry

/// A simulated fleet's MQTT traffic: every message its chargers (and, for OCPP, the back-end) publish, as Wattline
/// would receive it, in receive-time order.
///
/// Deterministic: the same settings give a byte-identical stream, on any machine. Iterating is lazy and cheap (an
/// optimised build makes an hour of 20 chargers, about 4 000 messages, in 5 ms; a debug build in about 0.1 s), so a
/// stream may be as long as `duration` says: memory holds only the messages of the next few seconds.
///
///     let simulation = try FleetSimulation(settings: SimulationSettings(start: start, duration: 3_600_000, seed: 7))
///     try simulation.fleet.declarationYAML().write(...)   // the pipeline's fleet file
///     for message in simulation { ... }                   // or record(to:) a fixture
public struct FleetSimulation: Sequence, Sendable {
    public let settings: SimulationSettings
    public let fleet: SimulatedFleet

    public init(settings: SimulationSettings) throws(SimulationSettingsError) {
        try settings.validate()
        self.settings = settings
        fleet = try SimulatedFleet(chargerCount: settings.chargerCount, siteCount: settings.siteCount, seed: settings.seed)
    }

    public func makeIterator() -> SimulationIterator {
        SimulationIterator(fleet: fleet, settings: settings)
    }

    /// Paces a live replay of this stream at `settings.speed`.
    public var pacer: SimulationPacer {
        SimulationPacer(speed: settings.speed, simulatedStart: settings.start)
    }
}
