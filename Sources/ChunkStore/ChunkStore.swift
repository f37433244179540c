import ChunkCodec
import Telemetry
import Zstd

/// The chunk stage's storage: every accepted sample, kept compactly and safely, queryable by `ChunkArchive`.
///
/// Samples are appended in memory per (partition, series); `flush` writes what arrived since the last flush to the
/// head file as one record carrying the checkpoint LSN (write, fsync), so the checkpoint follows the head flush and
/// the write-ahead log only has to keep seconds of traffic. Once a partition's hour is well past, compaction writes
/// it as a sealed chunk file, and rewrites the head file without it. After a crash the head file's intact records
/// bring the memory back and the checkpoint says where the log must be read again (from before any record whose
/// content could not be read, so its samples come back from the log).
///
/// Identity and deduplication: a sample is (series, timestamp). A sample newer than its series' last one is stored
/// at once; anything else is looked up (memory, then the partition's sealed files): the same value is a duplicate
/// (counted, not stored again — this is what makes re-reading the log after a restart harmless), another value a
/// conflict (stored, flagged).
///
/// Not thread-safe: the ingest worker's thread owns it.
public final class ChunkStore {
    public enum Outcome: Sendable, Equatable { case stored, duplicate, conflict }

    public let layout: ChunkLayout
    public let options: ChunkStoreOptions
    /// The LSN the last head flush made durable: records up to it need not be read again. Nil before the first.
    /// After recovery it never claims samples the head file held but could not give back (docs/chunk-files.md).
    public internal(set) var checkpoint: UInt64?
    /// What opening the store found and repaired (a torn head record cut off, leftovers removed), for the log.
    public internal(set) var recoveryNotes: [String] = []
    /// Files and problems found while looking samples up in sealed files (reported, never fatal).
    public internal(set) var lookupProblems: [ChunkStoreError] = []

    // Series interned to small ids, for the life of the process: a table per (site, charger) of its series
    // (`SeriesSlots`), and the last charger's table remembered. The archive's readings come grouped by charger, so a
    // reading costs a probe of a small table; a dictionary keyed by the whole series hashed two strings a reading
    // (about 940 instructions), one keyed by the series within its charger seeded a hasher (about 500).
    var chargerTables: [SiteCharger: Int] = [:]
    var seriesTables: [ChargerSeries] = []
    var lastTable: (site: String, charger: String, index: Int)?
    var seriesList: [Series] = []
    var lastSample: [StoredSample?] = []
    /// Ids the current head file has defined (a record defines an id the first time it uses it).
    var definedInHead: Set<UInt32> = []

    /// Unsealed samples by (partition, series): one flat table, so the hot path hashes once.
    var buffers: [BufferKey: PartitionBuffer] = [:]
    /// Buffers with samples not yet in the head file.
    var dirty: Set<BufferKey> = []
    /// The sealed files of each partition that has any, oldest first.
    var sealedPaths: [Int64: [String]] = [:]
    /// Receive time at which late samples for a sealed partition were first buffered.
    var lateSince: [Int64: Int64] = [:]
    var generation: UInt64 = 0
    /// Directories whose entries changed (files sealed into them, day directories made in them) and that were not
    /// fsynced yet: synced before the head generation that still holds those files' samples is replaced.
    var unsyncedDirectories: Set<String> = []
    /// Directory fsyncs made by compactions, counted as they succeed (tests: files sealed together share them).
    var directorySyncs = 0
    var head: DiskFile?
    var lastFlushAt: Int64?
    /// The later of the newest event time (not flagged future) and the newest receive time.
    public internal(set) var clock: Int64 = .min
    let compressor: ZstdCompressor
    var fileCache: [String: ChunkFile] = [:]

    struct BufferKey: Hashable {
        var partition: Int64
        var series: UInt32
    }

    /// The samples of one series in one partition that are not sealed yet.
    struct PartitionBuffer {
        /// Encoded blocks already in the head file.
        var blocks: [[UInt8]] = []
        /// Samples since the last flush.
        var pending = BlockColumns()
        var count = 0

        /// The samples at `timestamp`: pending ones by a scan of their column, blocks only when their header's time
        /// range holds it (a block that does not decode was reported when it was read back; it is skipped here).
        func samples(at timestamp: Int64, into found: inout [StoredSample]) {
            for (index, t) in pending.timestamps.enumerated() where t == timestamp { found.append(pending.sample(at: index)) }
            for block in blocks {
                guard let summary = try? BlockDecoder.summary(block),
                      summary.minTimestamp <= timestamp, timestamp <= summary.maxTimestamp,
                      let samples = try? BlockColumns.decode(block) else { continue }
                found += samples.filter { $0.timestamp == timestamp }
            }
        }

        /// Appends to the pending samples; true when they were empty (the buffer just became dirty).
        mutating func appendPending(_ sample: StoredSample) -> Bool {
            let wasEmpty = pending.isEmpty
            pending.append(sample)
            count += 1
            return wasEmpty
        }

        func allSamples() throws(ChunkStoreError) -> [StoredSample] {
            var samples: [StoredSample] = []
            for block in blocks {
                do { samples += try BlockColumns.decode(block) } catch {
                    throw .codec(path: "memory", reason: "a head block does not decode: \(error)")
                }
            }
            return samples + pending.samples
        }
    }

    /// Opens (creating when needed) the store in `directory`, recovering from its head file.
    public init(directory: String, options: ChunkStoreOptions = ChunkStoreOptions()) throws(ChunkStoreError) {
        layout = ChunkLayout(directory: directory)
        self.options = options
        do { compressor = try ZstdCompressor(level: 1, checksum: false) } catch {
            throw .io(path: directory, operation: "starting zstd for", reason: error.description)
        }
        for parent in try DiskDirectory.create(directory) { try DiskDirectory.sync(parent) }
        try recover()
    }

    deinit { head?.close() }

    /// True when samples were appended since the last flush.
    public var hasUnflushedSamples: Bool { !dirty.isEmpty }

    /// Samples held in memory (not yet sealed).
    public var bufferedSamples: Int { buffers.values.reduce(0) { $0 + $1.count } }

    /// Appends one sample; see the type's notes for what counts as a duplicate or a conflict.
    public func append(_ series: Series, timestamp: Int64, value: Double, attributes: StoredAttributes) -> Outcome {
        let id = intern(series)
        var sample = StoredSample(timestamp: timestamp, value: value, attributes: attributes)
        let partition = Partition(containing: timestamp).index
        let key = BufferKey(partition: partition, series: id)
        var outcome = Outcome.stored
        if let last = lastSample[Int(id)], timestamp > last.timestamp {
            // The common case: newer than anything stored for the series.
        } else if let last = lastSample[Int(id)], timestamp == last.timestamp, value.bitPattern == last.value.bitPattern {
            return .duplicate  // a redelivery of the newest sample: no lookup needed
        } else if lastSample[Int(id)] == nil && sealedPaths[partition] == nil
                    && buffers[key] == nil {
            // A series seen for the first time in this partition, which has no sealed file: nothing to compare with.
        } else {
            let existing = lookup(id, partition: partition, timestamp: timestamp)
            if existing.contains(where: { $0.value.bitPattern == value.bitPattern }) { return .duplicate }
            if !existing.isEmpty {
                outcome = .conflict
                sample.attributes = sample.attributes.with(flags: StoredAttributes.conflictFlag)
            }
        }
        if buffers[key, default: PartitionBuffer()].appendPending(sample) { dirty.insert(key) }
        if let last = lastSample[Int(id)], last.timestamp >= timestamp {} else { lastSample[Int(id)] = sample }
        if attributes.flags & StoredAttributes.futureFlag == 0 { clock = max(clock, timestamp) }
        return outcome
    }

    /// Convenience for a decoded reading with the sequencer's flags.
    public func append(_ reading: Reading, flags: UInt8) -> Outcome {
        append(reading.series, timestamp: reading.timestamp, value: reading.value,
               attributes: StoredAttributes(flags: flags, context: reading.context, decimals: reading.decimals))
    }

    func intern(_ series: Series) -> UInt32 {
        let table: Int
        if let last = lastTable, last.charger == series.charger, last.site == series.site {
            table = last.index
        } else {
            let key = SiteCharger(site: series.site, charger: series.charger)
            if let known = chargerTables[key] {
                table = known
            } else {
                table = seriesTables.count
                seriesTables.append(ChargerSeries())
                chargerTables[key] = table
            }
            lastTable = (series.site, series.charger, table)
        }
        let (slot, isNew) = seriesTables[table].slots.slot(inserting: series)
        if !isNew { return seriesTables[table].ids[Int(slot)] }
        let id = UInt32(seriesList.count)
        seriesTables[table].ids.append(id)
        seriesList.append(series)
        lastSample.append(nil)
        return id
    }

    /// Every stored sample of series `id` at `timestamp`: in memory, then in the partition's sealed files.
    func lookup(_ id: UInt32, partition: Int64, timestamp: Int64) -> [StoredSample] {
        var found: [StoredSample] = []
        if let buffer = buffers[BufferKey(partition: partition, series: id)] { buffer.samples(at: timestamp, into: &found) }
        guard let paths = sealedPaths[partition] else { return found }
        let series = seriesList[Int(id)]
        for path in paths {
            do {
                let chunk = try cachedFile(path)
                guard let index = chunk.seriesIndex(of: series) else { continue }
                try chunk.samples(seriesIndex: index, at: timestamp, into: &found)
            } catch {
                lookupProblems.append(error)
            }
        }
        return found
    }

    func cachedFile(_ path: String) throws(ChunkStoreError) -> ChunkFile {
        if let file = fileCache[path] { return file }
        if fileCache.count >= 16 { fileCache.removeAll() }
        let file = try ChunkFile(path: path)
        fileCache[path] = file
        return file
    }
}

/// One charger's series: numbered within the charger (`SeriesSlots`), and the store-wide id of each.
struct ChargerSeries {
    var slots = SeriesSlots()
    /// The id (index in `seriesList`) of each slot's series.
    var ids: [UInt32] = []
}

/// The site and charger of a series: the first level of the store's series ids.
struct SiteCharger: Hashable {
    var site: String
    var charger: String
}
