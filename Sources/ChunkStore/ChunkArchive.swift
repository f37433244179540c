import Telemetry

/// Read-only access to a chunk directory — sealed files, out-of-order files and the head file — for queries,
/// exports and statistics, safe to use while a live store writes (it never repairs or removes anything).
///
/// Sources are merged per series in timestamp order; identical copies of a sample (one present both in a sealed
/// file and in a head file that was being rewritten) appear once. A corrupt file or record is skipped and listed
/// in `problems`, with its name and offset.
public final class ChunkArchive {
    public let layout: ChunkLayout
    public private(set) var problems: [ChunkStoreError] = []
    private var head: [Int64: [(series: Series, block: [UInt8])]]?
    private var headBytes = 0
    private var listed: [Int64: [ChunkLayout.FileName]]?

    public init(directory: String) {
        layout = ChunkLayout(directory: directory)
    }

    /// One series' samples.
    public struct SeriesSamples: Sendable {
        public var series: Series
        public var samples: [StoredSample]
    }

    /// Partitions holding data in [from, to), oldest first (sealed files and the head file).
    public func partitions(from: Int64, to: Int64) -> [Partition] {
        var indices = Set(sealedFiles().keys)
        indices.formUnion(headBlocks().keys)
        return indices.map(Partition.init(index:)).filter { $0.end > from && $0.start < to }.sorted()
    }

    /// The samples in [from, to) of every series `matches` accepts, per series in file order (site, charger, EVSE,
    /// connector, measurand, phase, location), across all partitions. Conflicting values (flagged) are left out
    /// unless `includeConflicts`.
    public func samples(from: Int64, to: Int64, includeConflicts: Bool = false,
                        where matches: (Series) -> Bool) -> [SeriesSamples] {
        var bySeries: [Series: [StoredSample]] = [:]
        for partition in partitions(from: from, to: to) {
            for item in read(partition, from: from, to: to, includeConflicts: includeConflicts, where: matches) {
                bySeries[item.series, default: []] += item.samples
            }
        }
        return bySeries.map { SeriesSamples(series: $0.key, samples: $0.value) }
            .sorted { ChunkStore.seriesOrder($0.series, $1.series) }
    }

    /// One partition's samples in [from, to) for the series `matches` accepts: what `export` streams, one partition
    /// at a time, so its memory is bounded by an hour of data whatever the range.
    public func read(_ partition: Partition, from: Int64, to: Int64, includeConflicts: Bool = false,
                     where matches: (Series) -> Bool) -> [SeriesSamples] {
        var bySeries: [Series: [StoredSample]] = [:]
        for file in sealedFiles()[partition.index] ?? [] {
            do {
                let chunk = try ChunkFile(path: file.path)
                for (index, series) in chunk.series.enumerated() where matches(series) {
                    var found: [StoredSample] = []
                    try chunk.samples(seriesIndex: index, from: from, to: to, into: &found)
                    bySeries[series, default: []] += found
                }
            } catch {
                problems.append(error)
            }
        }
        for (series, block) in headBlocks()[partition.index] ?? [] where matches(series) {
            do {
                bySeries[series, default: []] += try BlockColumns.decode(block)
                    .filter { $0.timestamp >= from && $0.timestamp < to }
            } catch {
                problems.append(.codec(path: layout.directory, reason: "a head block of \(series.charger) does not decode: \(error)"))
            }
        }
        return bySeries.compactMap { series, samples in
            var merged = ChunkStore.sortedUnique(samples)
            if !includeConflicts { merged.removeAll { $0.attributes.isConflict } }
            return merged.isEmpty ? nil : SeriesSamples(series: series, samples: merged)
        }.sorted { ChunkStore.seriesOrder($0.series, $1.series) }
    }

    /// The sealed files by partition (the directory is listed once: `export` reads hour after hour).
    private func sealedFiles() -> [Int64: [ChunkLayout.FileName]] {
        if let listed { return listed }
        let files = Dictionary(grouping: layout.sealedFiles(), by: \.partition.index)
        listed = files
        return files
    }

    /// The newest head file's intact blocks by partition (read once).
    private func headBlocks() -> [Int64: [(series: Series, block: [UInt8])]] {
        if let head { return head }
        var blocks: [Int64: [(series: Series, block: [UInt8])]] = [:]
        if let newest = layout.headFiles().last {
            do {
                let contents = try HeadLog.read(path: newest.path)
                headBytes = contents.size
                var local: [UInt32: Series] = [:]
                for record in contents.records {
                    guard let payload = HeadPayload.decode(record.payload) else { break }
                    for definition in payload.definitions { local[definition.id] = definition.series }
                    for block in payload.blocks {
                        guard let series = local[block.seriesID] else { continue }
                        blocks[block.partition, default: []].append((series, block.block))
                    }
                }
            } catch {
                problems.append(error)
            }
        }
        head = blocks
        return blocks
    }

    /// What the archive holds.
    public struct Statistics: Sendable, Equatable {
        public var sealedFiles = 0
        public var outOfOrderFiles = 0
        public var partitions = 0
        public var series = 0
        public var sealedSamples = 0
        public var sealedBytes = 0
        public var headSamples = 0
        public var headBytes = 0
        public var corruptFiles = 0
        public var oldest: Int64?
        public var newest: Int64?

        /// Bytes per sample of sealed files, counted whole (header, frames, index, trailer).
        public var bytesPerSample: Double { sealedSamples == 0 ? 0 : Double(sealedBytes) / Double(sealedSamples) }
    }

    /// Counts files, series, samples and bytes; `verify` decodes every block of every sealed file too.
    public func statistics(verify: Bool = false) -> Statistics {
        var statistics = Statistics()
        var series = Set<Series>()
        var partitions = Set<Int64>()
        for file in sealedFiles().values.joined() {
            do {
                let chunk = try ChunkFile(path: file.path)
                if verify { try chunk.verify() }
                if chunk.kind == .sealed { statistics.sealedFiles += 1 } else { statistics.outOfOrderFiles += 1 }
                partitions.insert(file.partition.index)
                series.formUnion(chunk.series)
                statistics.sealedSamples += chunk.sampleCount
                statistics.sealedBytes += chunk.size
                let range = chunk.timeRange
                if let range {
                    statistics.oldest = min(statistics.oldest ?? range.lowerBound, range.lowerBound)
                    statistics.newest = max(statistics.newest ?? range.upperBound, range.upperBound)
                }
            } catch {
                statistics.corruptFiles += 1
                problems.append(error)
            }
        }
        for (partition, blocks) in headBlocks() {
            partitions.insert(partition)
            for (item, block) in blocks {
                series.insert(item)
                if let samples = try? BlockColumns.decode(block) {
                    statistics.headSamples += samples.count
                    for sample in samples {
                        statistics.oldest = min(statistics.oldest ?? sample.timestamp, sample.timestamp)
                        statistics.newest = max(statistics.newest ?? sample.timestamp, sample.timestamp)
                    }
                }
            }
        }
        statistics.headBytes = headBytes
        statistics.partitions = partitions.count
        statistics.series = series.count
        return statistics
    }
}

extension ChunkFile {
    /// The earliest and latest timestamp in the file, nil when empty.
    var timeRange: ClosedRange<Int64>? {
        guard let low = entries.map(\.minTimestamp).min(), let high = entries.map(\.maxTimestamp).max() else { return nil }
        return low...high
    }
}
