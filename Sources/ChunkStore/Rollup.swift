import Telemetry

/// One-minute rollups: per series and minute the min, max, mean, last value and sample count, kept in chunk files
/// of their own under `chunks/rollups/` so they can outlive the raw samples (`storage.rollup_retention`).
///
/// A rollup file has the sealed-file format; each minute of a series is five samples at the minute's start, told
/// apart by bits 24–31 of their attributes (1 min, 2 max, 3 avg, 4 last, 5 count). Conflicting values are left out.
/// A partition's rollups are computed from all its raw files, so late data rewrites them whole.
public struct RollupPoint: Sendable, Equatable {
    public var start: Int64
    public var min: Double
    public var max: Double
    public var avg: Double
    public var last: Double
    public var count: Int

    public static let step: Int64 = 60_000

    public func value(_ aggregation: Aggregation) -> Double {
        switch aggregation {
        case .avg: avg
        case .min: min
        case .max: max
        case .last: last
        }
    }

    enum Kind: UInt32, CaseIterable { case min = 1, max, avg, last, count }

    /// The rollup points of time-ordered raw samples.
    static func points(of samples: [StoredSample]) -> [RollupPoint] {
        let clean = samples.filter { !$0.attributes.isConflict }
        let folded = Aggregation.allCases.map { $0.fold(clean, step: step) }
        guard let avg = folded.first(where: { _ in true }) else { return [] }
        let byKind = Dictionary(uniqueKeysWithValues: zip(Aggregation.allCases, folded))
        return avg.indices.map { index in
            RollupPoint(start: avg[index].start, min: byKind[.min]![index].value, max: byKind[.max]![index].value,
                        avg: byKind[.avg]![index].value, last: byKind[.last]![index].value, count: avg[index].count)
        }
    }

    /// Merges consecutive minutes into steps of `step` ms (a multiple of a minute), aligned to the epoch: min of
    /// minima, max of maxima, the count-weighted mean, the last minute's last value, the summed count.
    public static func merge(_ points: [RollupPoint], step: Int64) -> [RollupPoint] {
        var merged: [RollupPoint] = []
        var weighted = 0.0
        for point in points {
            let (q, r) = point.start.quotientAndRemainder(dividingBy: step)
            let start = (r < 0 ? q - 1 : q) &* step
            if merged.last?.start != start {
                if !merged.isEmpty { merged[merged.count - 1].avg = weighted / Double(Swift.max(1, merged[merged.count - 1].count)) }
                merged.append(RollupPoint(start: start, min: point.min, max: point.max, avg: 0, last: point.last, count: 0))
                weighted = 0
            }
            var current = merged[merged.count - 1]
            current.min = Swift.min(current.min, point.min)
            current.max = Swift.max(current.max, point.max)
            current.last = point.last
            current.count += point.count
            weighted += point.avg * Double(point.count)
            merged[merged.count - 1] = current
        }
        if !merged.isEmpty { merged[merged.count - 1].avg = weighted / Double(Swift.max(1, merged[merged.count - 1].count)) }
        return merged
    }

    /// The five samples that store this point.
    var samples: [StoredSample] {
        [(Kind.min, min), (.max, max), (.avg, avg), (.last, last), (.count, Double(count))].map { kind, value in
            StoredSample(timestamp: start, value: value, attributes: StoredAttributes(rawValue: kind.rawValue << 24))
        }
    }

    /// Reassembles points from stored rollup samples (in file order).
    static func decode(_ samples: [StoredSample]) -> [RollupPoint] {
        var points: [RollupPoint] = []
        for sample in samples {
            if points.last?.start != sample.timestamp {
                points.append(RollupPoint(start: sample.timestamp, min: .nan, max: .nan, avg: .nan, last: .nan, count: 0))
            }
            switch Kind(rawValue: sample.attributes.rawValue >> 24) {
            case .min: points[points.count - 1].min = sample.value
            case .max: points[points.count - 1].max = sample.value
            case .avg: points[points.count - 1].avg = sample.value
            case .last: points[points.count - 1].last = sample.value
            case .count: points[points.count - 1].count = Int(sample.value)
            case nil: break
            }
        }
        return points
    }
}

extension ChunkArchive {
    /// The archive of one-minute rollups beside this one (`chunks/rollups`).
    public var rollups: ChunkArchive { ChunkArchive(directory: layout.directory + "/rollups") }

    /// One-minute rollup points in [from, to) of the series `matches` accepts; call on `rollups`.
    public func rollupPoints(from: Int64, to: Int64, where matches: (Series) -> Bool) -> [(series: Series, points: [RollupPoint])] {
        samples(from: from, to: to, includeConflicts: true, where: matches).map { ($0.series, RollupPoint.decode($0.samples)) }
    }
}
