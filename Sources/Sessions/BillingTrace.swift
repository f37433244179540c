/// What billing needs of a session that the record's totals do not keep: *when* things happened — the phase
/// changes and a bounded selection of readings (session energy, power, SoC, current). Part of the session's state, so of
/// the checkpoint snapshot: a restart or a replay prices from the same points.
///
/// **Bounds.** Phase changes are always kept. Readings are kept at most one per `readingStepMs` (the first of each
/// step, 1 minute to start with), plus every reading at which the session's energy first reaches one of the
/// tariffs' kWh thresholds or its power or current crosses one of their power or current thresholds
/// (`SessionConfiguration`'s `billingEnergyThresholdsWh`, `billingPowerThresholdsW`, `billingCurrentThresholdsA`):
/// where a tariff split can fall, so those splits land on the same sample as with every reading. Past `maxPoints`
/// the step doubles and kept readings are thinned (phase changes and threshold readings stay). The newest reading is always held in `latest`, so the cost so far
/// includes the energy up to the last reading.
public struct BillingTrace: Sendable, Codable, Equatable {
    /// One kept point: a phase change (`phase` set) or a reading.
    public struct Point: Sendable, Codable, Equatable {
        /// ms UTC (event time).
        public var t: Int64
        /// The new phase, for a phase change.
        public var phase: ChargePhase?
        /// The session's energy so far (Wh, from its first register reading, resets bridged).
        public var energyWh: Double?
        public var powerW: Double?
        public var soc: Double?
        /// Current (A, summed over phases); only traced when a tariff restricts by current.
        public var currentA: Double?
        /// True for a reading kept because a tariff threshold may fall on it (never thinned).
        public var threshold: Bool?
    }

    public private(set) var points: [Point] = []
    /// The newest reading (not yet a kept point when it fell inside the current step).
    public private(set) var latest: Point?
    public private(set) var readingStepMs: Int64 = 60_000
    /// The session's charging threshold (W): measured power above it is charging.
    public var chargingThresholdW: Double = 100
    /// The energy thresholds (Wh) already reached.
    var energyThresholdsReached = 0

    /// At most this many points before readings are thinned.
    public static let maxPoints = 2_048

    public init(startedAt: Int64, phase: ChargePhase, chargingThresholdW: Double = 100) {
        points = [Point(t: startedAt, phase: phase)]
        self.chargingThresholdW = chargingThresholdW
    }

    /// The session's phase changed at `t`.
    mutating func phase(_ phase: ChargePhase, at t: Int64) {
        points.append(Point(t: t, phase: phase))
        trim()
    }

    /// A reading of the session at `t` (in order; late readings are not traced).
    mutating func reading(t: Int64, energyWh: Double?, powerW: Double?, soc: Double?, currentA: Double? = nil,
                          configuration: SessionConfiguration) {
        // Values not in this reading are held forward from the one before.
        var point = Point(t: t, energyWh: energyWh ?? latest?.energyWh, powerW: powerW ?? latest?.powerW,
                          soc: soc ?? latest?.soc, currentA: currentA ?? latest?.currentA)
        let previousPower = latest?.powerW
        let previousCurrent = latest?.currentA
        latest = point
        var isThreshold = false
        let energyThresholds = configuration.billingEnergyThresholdsWh
        if energyWh != nil, let energy = point.energyWh {
            while energyThresholdsReached < energyThresholds.count, energy >= energyThresholds[energyThresholdsReached] {
                energyThresholdsReached += 1
                isThreshold = true
            }
        }
        if let power = point.powerW, let before = previousPower,
           configuration.billingPowerThresholdsW.contains(where: { (before < $0) != (power < $0) }) {
            isThreshold = true
        }
        if let current = point.currentA, let before = previousCurrent,
           configuration.billingCurrentThresholdsA.contains(where: { (before < $0) != (current < $0) }) {
            isThreshold = true
        }
        if isThreshold { point.threshold = true }
        let step = Self.floor(t, readingStepMs)
        let lastReadingStep = points.last(where: { $0.phase == nil }).map { Self.floor($0.t, readingStepMs) }
        if let last = points.last, last.t == t, last.phase == nil {
            if last.threshold == true { point.threshold = true }
            points[points.count - 1] = point
        } else if isThreshold || lastReadingStep != step {
            points.append(point)
            trim()
        }
    }

    private static func floor(_ t: Int64, _ step: Int64) -> Int64 {
        let q = t / step
        return (t % step < 0 ? q - 1 : q) * step
    }

    /// Doubles the reading step and thins kept readings to it while there are too many points.
    private mutating func trim() {
        while points.count > Self.maxPoints {
            readingStepMs *= 2
            var kept: [Point] = []
            kept.reserveCapacity(points.count)
            var lastStep: Int64?
            for point in points {
                if point.phase != nil || point.threshold == true {
                    kept.append(point)
                    continue
                }
                let step = Self.floor(point.t, readingStepMs)
                if step != lastStep { kept.append(point) }
                lastStep = step
            }
            if kept.count == points.count { return }
            points = kept
        }
    }
}
