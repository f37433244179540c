/// How `wattline query --step` folds the samples of each step into one value.
public enum Aggregation: String, Sendable, CaseIterable {
    case avg, min, max, last

    /// One step's result: the step's start (aligned to multiples of the step since the epoch), its value and how
    /// many samples it folded.
    public struct Point: Sendable, Equatable {
        public var start: Int64
        public var value: Double
        public var count: Int
    }

    /// Folds time-ordered `samples` into steps of `step` ms. NaN samples are skipped by avg, min and max (and kept by
    /// last); a step holding only NaN yields NaN. Empty steps yield nothing.
    public func fold(_ samples: [StoredSample], step: Int64) -> [Point] {
        precondition(step > 0, "step must be positive")
        var points: [Point] = []
        var current: (start: Int64, sum: Double, low: Double, high: Double, last: Double, numbers: Int, count: Int)?
        func finish() {
            guard let c = current else { return }
            let value: Double
            switch self {
            case .avg: value = c.numbers == 0 ? .nan : c.sum / Double(c.numbers)
            case .min: value = c.numbers == 0 ? .nan : c.low
            case .max: value = c.numbers == 0 ? .nan : c.high
            case .last: value = c.last
            }
            points.append(Point(start: c.start, value: value, count: c.count))
        }
        for sample in samples {
            let (q, r) = sample.timestamp.quotientAndRemainder(dividingBy: step)
            let start = (r < 0 ? q - 1 : q) &* step
            if current?.start != start {
                finish()
                current = (start, 0, .infinity, -.infinity, sample.value, 0, 0)
            }
            current!.count += 1
            current!.last = sample.value
            if !sample.value.isNaN {
                current!.sum += sample.value
                current!.low = Swift.min(current!.low, sample.value)
                current!.high = Swift.max(current!.high, sample.value)
                current!.numbers += 1
            }
        }
        finish()
        return points
    }
}
