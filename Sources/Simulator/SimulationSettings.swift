/// What to simulate: how big the fleet is, which stretch of time, how fast to replay it, and the seed.
public struct SimulationSettings: Sendable, Hashable {
    /// The largest fleet accepted.
    public static let maxChargers = 10_000

    /// Chargers in the fleet, 1...10 000.
    public var chargerCount: Int
    /// Sites the chargers are spread over, 1...`chargerCount`.
    public var siteCount: Int
    /// Simulated start, milliseconds since the Unix epoch (UTC).
    public var start: Int64
    /// Simulated time covered, ms: messages are received in `start ..< start + duration`. `Int64.max` runs
    /// (practically) forever.
    public var duration: Int64
    /// Simulated seconds per wall-clock second for live replay (`SimulationPacer`); `.infinity` means no waiting.
    public var speed: Double
    /// Same seed, same fleet and byte-identical stream.
    public var seed: UInt64
    /// OCPP MeterValueSampleInterval: periodic meter values during a transaction, ms.
    public var meterValueInterval: Int64
    /// OCPP Heartbeat interval, ms.
    public var heartbeatInterval: Int64
    /// How often an EVerest charger publishes `powermeter` and `session_info`, ms.
    public var everestInterval: Int64
    /// Faults injected per charger per simulated hour (`FaultPlan`); 0 injects none.
    public var faultRate: Double

    public init(chargerCount: Int = 20, siteCount: Int = 3, start: Int64, duration: Int64, speed: Double = 1,
                seed: UInt64 = 1, meterValueInterval: Int64 = 60_000, heartbeatInterval: Int64 = 60_000,
                everestInterval: Int64 = 10_000, faultRate: Double = 0) {
        self.chargerCount = chargerCount
        self.siteCount = siteCount
        self.start = start
        self.duration = duration
        self.speed = speed
        self.seed = seed
        self.meterValueInterval = meterValueInterval
        self.heartbeatInterval = heartbeatInterval
        self.everestInterval = everestInterval
        self.faultRate = faultRate
    }

    /// The end of the simulated stretch (exclusive), saturating at `Int64.max`.
    public var end: Int64 {
        let (sum, overflow) = start.addingReportingOverflow(duration)
        return overflow ? Int64.max : sum
    }

    /// Throws the first setting that is out of range.
    public func validate() throws(SimulationSettingsError) {
        guard (1...Self.maxChargers).contains(chargerCount) else { throw .chargerCount(chargerCount) }
        guard (1...chargerCount).contains(siteCount) else { throw .siteCount(siteCount, chargerCount: chargerCount) }
        guard duration >= 0 else { throw .duration(duration) }
        guard speed > 0, !speed.isNaN else { throw .speed(speed) }
        guard faultRate >= 0, faultRate.isFinite else { throw .faultRate(faultRate) }
        for (name, value) in [("meter value interval", meterValueInterval), ("heartbeat interval", heartbeatInterval),
                              ("EVerest interval", everestInterval)] where value < 1000 {
            throw .interval(name: name, milliseconds: value)
        }
    }
}
