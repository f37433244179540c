/// The vehicle's state of charge over the last ten minutes, and the time to full it predicts.
///
/// The estimate is linear at the rate between the oldest sample of the window and the newest, so it follows the
/// taper near full instead of the session's average. Without a sample inside the window other than the newest, the
/// one just before the window stands in. Bounded: at most one sample per 15 s is kept (the newest always is).
public struct SoCRate: Sendable, Codable, Equatable {
    public static let windowMs: Int64 = 600_000
    static let spacingMs: Int64 = 15_000

    struct Sample: Sendable, Codable, Equatable {
        var t: Int64
        var soc: Double
    }

    /// Oldest first; at most one sample older than the window (the stand-in).
    private(set) var samples: [Sample] = []

    public init() {}

    /// Samples held (bounded by the window and the spacing).
    public var sampleCount: Int { samples.count }

    /// Adds a reading in event time; an older one than the newest is ignored (late data does not move the estimate).
    public mutating func add(t: Int64, soc: Double) {
        guard soc.isFinite else { return }
        if let last = samples.last, t < last.t { return }
        if let last = samples.last, last.t == t {
            samples[samples.count - 1].soc = soc
        } else if samples.count >= 2, t - samples[samples.count - 2].t < Self.spacingMs {
            samples[samples.count - 1] = Sample(t: t, soc: soc)
        } else {
            samples.append(Sample(t: t, soc: soc))
        }
        while samples.count >= 3, samples[1].t < t - Self.windowMs { samples.removeFirst() }
    }

    /// Seconds to 100 % at the recent rate; nil at or above 100 %, or when the state of charge did not rise.
    public var secondsToFull: Double? {
        guard let newest = samples.last, let reference = samples.first, samples.count >= 2 else { return nil }
        let from = samples.count >= 3 && reference.t < newest.t - Self.windowMs ? samples[1] : reference
        return Self.secondsToFull(from: (from.t, from.soc), to: (newest.t, newest.soc))
    }

    /// Seconds to 100 % from `to`, at the rate between the two samples (times in ms); nil without a rise.
    public static func secondsToFull(from: (t: Int64, soc: Double), to: (t: Int64, soc: Double)) -> Double? {
        guard to.soc < 100, to.t > from.t, to.soc > from.soc else { return nil }
        let perMs = (to.soc - from.soc) / Double(to.t - from.t)
        return ((100 - to.soc) / perMs / 1_000).rounded()
    }
}
