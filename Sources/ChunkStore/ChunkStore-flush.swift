import Telemetry

extension ChunkStore {
    /// True when `flushInterval` of receive time has passed since the last flush (or there was none).
    public func flushIsDue(at receivedAt: Int64) -> Bool {
        guard let lastFlushAt else { return true }
        return receivedAt - lastFlushAt >= options.flushInterval
    }

    /// Writes every sample appended since the last flush to the head file with `checkpoint` (write and fsync), then
    /// seals what is due. On error nothing is lost: the samples stay pending and the checkpoint where it was.
    public func flush(checkpoint lsn: UInt64, receivedAt: Int64) throws(ChunkStoreError) {
        clock = max(clock, receivedAt)
        var payload = HeadPayload()
        let keys = dirty.sorted { ($0.partition, $0.series) < ($1.partition, $1.series) }
        var newlyDefined: [UInt32] = []
        var flushed: [BufferKey] = []
        for key in keys {
            guard let buffer = buffers[key], !buffer.pending.isEmpty else { continue }
            if !definedInHead.contains(key.series) && !newlyDefined.contains(key.series) {
                newlyDefined.append(key.series)
                payload.definitions.append((key.series, seriesList[Int(key.series)]))
            }
            var block: [UInt8] = []
            buffer.pending.encode(into: &block)
            payload.blocks.append((key.partition, key.series, block))
            flushed.append(key)
        }
        try appendHeadRecord(checkpoint: lsn, payload: payload)
        // Only now, with the record durable, do the pending samples become head blocks.
        for (key, block) in zip(flushed, payload.blocks) {
            buffers[key]!.blocks.append(block.block)
            buffers[key]!.pending.removeAll()
            if sealedPaths[key.partition] != nil && lateSince[key.partition] == nil { lateSince[key.partition] = receivedAt }
        }
        definedInHead.formUnion(newlyDefined)
        dirty.removeAll(keepingCapacity: true)
        checkpoint = lsn
        lastFlushAt = receivedAt
        try compactIfDue(receivedAt: receivedAt)
    }

    private func appendHeadRecord(checkpoint lsn: UInt64, payload: HeadPayload) throws(ChunkStoreError) {
        guard let head else { throw .io(path: layout.directory, operation: "flushing to the head file in", reason: "no head file is open") }
        let record: [UInt8]
        do { record = try HeadLog.record(checkpoint: lsn, payload: payload.encoded(), compressor: compressor) } catch {
            throw .io(path: head.path, operation: "compressing a record for", reason: error.description)
        }
        try head.write(record)
        try head.sync()
    }

    /// Partitions whose time has come: never sealed and `sealDelay` past their end, or sealed with late samples
    /// waiting for `lateCompactionDelay`.
    func duePartitions(receivedAt: Int64) -> [Int64] {
        Set(buffers.keys.map(\.partition)).filter { index in
            let partition = Partition(index: index)
            if sealedPaths[index] != nil {
                return receivedAt - (lateSince[index] ?? receivedAt) >= options.lateCompactionDelay
            }
            return clock >= partition.end &+ options.sealDelay
        }.sorted()
    }

    /// Seals due partitions into chunk files, then starts a new head generation without them; expires old files.
    ///
    /// Each file is fsynced as it is written; the directories they were renamed into (and those that gained a new
    /// day directory) are fsynced once each, after the last file and before the head generation that still holds
    /// their samples is replaced. A compaction that seals days of backlog at once (a charger catching up, a replay)
    /// thus costs one directory fsync per day, not two fsyncs per file.
    ///
    /// The directories wait in `unsyncedDirectories`, a stored property: a compaction that fails partway (a full disk)
    /// has already let go of the samples of the files it sealed, which only the current head file still holds, so
    /// their directories stay pending until a later compaction or `rotateHead` syncs them.
    func compactIfDue(receivedAt: Int64) throws(ChunkStoreError) {
        let due = duePartitions(receivedAt: receivedAt)
        for index in due { try seal(Partition(index: index)) }
        try syncDirectories()
        if !due.isEmpty { try rotateHead() }
        try expire()
    }

    /// Fsyncs every directory whose entries changed since it was last synced, deepest first (a new day directory's
    /// files, then its entry in the parent); each leaves the pending set only once its fsync succeeded.
    func syncDirectories() throws(ChunkStoreError) {
        for path in unsyncedDirectories.sorted(by: >) { try syncDirectory(path) }
    }

    func syncDirectory(_ path: String) throws(ChunkStoreError) {
        try DiskDirectory.sync(path)
        unsyncedDirectories.remove(path)
        directorySyncs += 1
    }

    /// Writes partition's buffered samples as one chunk file (sealed, or out-of-order when it was sealed before).
    /// The directories to fsync before the file may be relied on are added to `unsyncedDirectories`.
    func seal(_ partition: Partition) throws(ChunkStoreError) {
        let keys = buffers.keys.filter { $0.partition == partition.index }
        guard !keys.isEmpty else { return }
        let path = layout.path(partition: partition, generation: generation)
        // A file of this hour was sealed under this generation already and the head has not moved on since (a
        // compaction failed after it): writing the name again would replace that file, whose samples only the
        // head still holds. Left buffered; sealed under the next generation.
        if DiskDirectory.exists(path) { return }
        var content: [ChunkFileWriter.SeriesSamples] = []
        for key in keys {
            let id = key.series
            let buffer = buffers[key]!
            var samples = try buffer.allSamples()
            samples = Self.sortedUnique(samples)
            content.append(.init(series: seriesList[Int(id)], samples: samples))
        }
        content.sort { Self.seriesOrder($0.series, $1.series) }
        unsyncedDirectories.formUnion(try DiskDirectory.create(layout.dayDirectory(partition)))
        let kind: ChunkFileKind = sealedPaths[partition.index] == nil ? .sealed : .outOfOrder
        try ChunkFileWriter.write(path: path, kind: kind, partition: partition, generation: generation, content: content,
                                  unsyncedDirectories: &unsyncedDirectories)
        sealedPaths[partition.index, default: []].append(path)
        for key in keys { buffers[key] = nil }
        lateSince[partition.index] = nil
        if options.rollups { try writeRollups(partition, sealed: kind == .sealed ? content : nil) }
    }

    /// Writes the partition's one-minute rollups from all its raw files (or from `sealed`, the content of its only
    /// file), replacing any earlier rollup file of the partition.
    func writeRollups(_ partition: Partition, sealed: [ChunkFileWriter.SeriesSamples]?) throws(ChunkStoreError) {
        var content = sealed ?? []
        if sealed == nil {
            let archive = ChunkArchive(directory: layout.directory)
            content = archive.read(partition, from: partition.start, to: partition.end, includeConflicts: true) { _ in true }
                .map { ChunkFileWriter.SeriesSamples(series: $0.series, samples: $0.samples) }
        }
        let rollups = content.map { item in
            ChunkFileWriter.SeriesSamples(series: item.series, samples: RollupPoint.points(of: item.samples).flatMap(\.samples))
        }
        let rollupLayout = ChunkLayout(directory: layout.directory + "/rollups")
        let path = rollupLayout.path(partition: partition, generation: generation)
        let earlier = rollupLayout.sealedFiles().filter { $0.partition == partition && $0.path != path }
        unsyncedDirectories.formUnion(try DiskDirectory.create(rollupLayout.dayDirectory(partition)))
        try ChunkFileWriter.write(path: path, kind: .sealed, partition: partition, generation: generation,
                                  content: rollups, unsyncedDirectories: &unsyncedDirectories)
        guard !earlier.isEmpty else { return }
        // The new file's name is made durable before the one it replaces goes: a power failure never leaves neither.
        try syncDirectory(directory(of: path))
        for file in earlier { try DiskDirectory.remove(file.path) }
    }

    /// Starts head generation + 1 holding what is still unsealed, then removes the old head file.
    func rotateHead() throws(ChunkStoreError) {
        // Files sealed into directories not yet synced hold samples that only the old head holds besides.
        try syncDirectories()
        let oldPath = head?.path
        generation += 1
        var payload = HeadPayload()
        var defined: Set<UInt32> = []
        for (key, buffer) in buffers.sorted(by: { ($0.key.partition, $0.key.series) < ($1.key.partition, $1.key.series) }) {
            if defined.insert(key.series).inserted { payload.definitions.append((key.series, seriesList[Int(key.series)])) }
            for block in buffer.blocks { payload.blocks.append((key.partition, key.series, block)) }
        }
        let path = layout.headPath(generation: generation)
        var bytes = HeadLog.header(generation: generation)
        do {
            bytes += try HeadLog.record(checkpoint: checkpoint ?? 0, payload: payload.encoded(), compressor: compressor)
        } catch {
            throw .io(path: path, operation: "compressing the first record of", reason: error.description)
        }
        try DiskDirectory.writeAtomically(bytes, to: path)
        head?.close()
        head = try DiskFile.openForAppending(path)
        definedInHead = defined
        if let oldPath { try DiskDirectory.remove(oldPath) }
    }

    /// Deletes whole partitions that fell out of `retention`, and rollups that fell out of `rollupRetention`.
    func expire() throws(ChunkStoreError) {
        if let rollupRetention = options.rollupRetention, options.rollups, clock != .min {
            let rollupLayout = ChunkLayout(directory: layout.directory + "/rollups")
            for file in rollupLayout.sealedFiles() where file.partition.end <= clock &- rollupRetention {
                try DiskDirectory.remove(file.path)
                DiskDirectory.removeEmptyDirectory(rollupLayout.dayDirectory(file.partition))
            }
        }
        guard let retention = options.retention, clock != .min else { return }
        let horizon = clock &- retention
        for (index, paths) in sealedPaths where Partition(index: index).end <= horizon {
            for path in paths { try DiskDirectory.remove(path) }
            fileCache = fileCache.filter { !paths.contains($0.key) }
            sealedPaths[index] = nil
            DiskDirectory.removeEmptyDirectory(layout.dayDirectory(Partition(index: index)))
        }
    }

    /// Sorted by timestamp (stable: conflicts keep their arrival order), identical copies removed.
    static func sortedUnique(_ samples: [StoredSample]) -> [StoredSample] {
        // The common case, a series' samples as they arrived, one per instant and in order: nothing to sort or drop.
        var ordered = true
        samples.withUnsafeBufferPointer { samples in
            for k in samples.indices.dropFirst() where samples[k].timestamp <= samples[k - 1].timestamp {
                ordered = false
                break
            }
        }
        if ordered { return samples }
        let sorted = samples.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            .map(\.element)
        var result: [StoredSample] = []
        result.reserveCapacity(sorted.count)
        var sameInstant = 0  // where the samples of the current timestamp start in `result`
        for sample in sorted {
            if let last = result.last, last.timestamp == sample.timestamp {
                if result[sameInstant...].contains(where: { $0.isIdentical(to: sample) }) { continue }
            } else {
                sameInstant = result.count
            }
            result.append(sample)
        }
        return result
    }

    /// A stable order of series inside files: site, charger, EVSE, connector, measurand, phase, location.
    static func seriesOrder(_ a: Series, _ b: Series) -> Bool {
        if (a.site, a.charger, a.evse, a.connector) != (b.site, b.charger, b.evse, b.connector) {
            return (a.site, a.charger, a.evse, a.connector) < (b.site, b.charger, b.evse, b.connector)
        }
        return (a.measurand.rawValue, a.phase?.rawValue ?? "", a.location.rawValue)
            < (b.measurand.rawValue, b.phase?.rawValue ?? "", b.location.rawValue)
    }
}
