import Foundation

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

/// The JSON form by default; in a checkpoint snapshot (`CodingUserInfoKey.compactSnapshot`) the points are one
/// packed value. Both forms decode.
extension BillingTrace {
    enum CodingKeys: String, CodingKey {
        case points, packed, latest, readingStepMs, chargingThresholdW, energyThresholdsReached
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let packed = try c.decodeIfPresent(Data.self, forKey: .packed) {
            points = try Self.unpack(packed)
        } else {
            points = try c.decode([Point].self, forKey: .points)
        }
        latest = try c.decodeIfPresent(Point.self, forKey: .latest)
        readingStepMs = try c.decode(Int64.self, forKey: .readingStepMs)
        chargingThresholdW = try c.decode(Double.self, forKey: .chargingThresholdW)
        energyThresholdsReached = try c.decode(Int.self, forKey: .energyThresholdsReached)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if encoder.isCompactSnapshot {
            try c.encode(Self.pack(points), forKey: .packed)
        } else {
            try c.encode(points, forKey: .points)
        }
        try c.encodeIfPresent(latest, forKey: .latest)
        try c.encode(readingStepMs, forKey: .readingStepMs)
        try c.encode(chargingThresholdW, forKey: .chargingThresholdW)
        try c.encode(energyThresholdsReached, forKey: .energyThresholdsReached)
    }

    /// Version 1: per point t (8 bytes), a flags byte (bits 0–3: energy, power, SoC, current present; bits 4–5:
    /// threshold nil, false, true), the phase (0 for none, else its index in `ChargePhase.allCases` + 1), then the
    /// present values (8 bytes each) in that order.
    static func pack(_ points: [Point]) -> Data {
        var w = PackedWriter(version: 1, count: points.count, bytesPerItem: 18)
        for p in points {
            w.int64(p.t)
            var flags: UInt8 = (p.threshold.map { $0 ? 2 : 1 } ?? 0) << 4
            if p.energyWh != nil { flags |= 1 }
            if p.powerW != nil { flags |= 2 }
            if p.soc != nil { flags |= 4 }
            if p.currentA != nil { flags |= 8 }
            w.uint8(flags)
            w.uint8(p.phase.map { UInt8(ChargePhase.allCases.firstIndex(of: $0)! + 1) } ?? 0)
            if let v = p.energyWh { w.double(v) }
            if let v = p.powerW { w.double(v) }
            if let v = p.soc { w.double(v) }
            if let v = p.currentA { w.double(v) }
        }
        return w.data
    }

    static func unpack(_ data: Data) throws -> [Point] {
        var r = try PackedReader(data, version: 1, what: "billing trace", minItemBytes: 10)
        var points: [Point] = []
        points.reserveCapacity(r.count)
        for _ in 0..<r.count {
            let t = try r.int64()
            let flags = try r.uint8()
            let phaseIndex = Int(try r.uint8())
            guard phaseIndex <= ChargePhase.allCases.count, flags >> 4 <= 2 else {
                throw PackedReader.Malformed(what: "billing trace")
            }
            let energy = flags & 1 != 0 ? try r.double() : nil
            let power = flags & 2 != 0 ? try r.double() : nil
            let soc = flags & 4 != 0 ? try r.double() : nil
            let current = flags & 8 != 0 ? try r.double() : nil
            points.append(Point(t: t, phase: phaseIndex == 0 ? nil : ChargePhase.allCases[phaseIndex - 1],
                                energyWh: energy, powerW: power, soc: soc, currentA: current,
                                threshold: flags >> 4 == 0 ? nil : flags >> 4 == 2))
        }
        try r.finish()
        return points
    }
}
