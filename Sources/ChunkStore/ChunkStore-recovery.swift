extension ChunkStore {
    /// The checkpoint of the store in `directory`, read without opening it (nothing is recovered, removed or
    /// written): the last intact record of its newest readable head file; nil when there is none. A start peeks at
    /// a stage it does not run, so that a new log is numbered past what that stage has (`LogNumbering`). Damage that
    /// recovery would settle below is not looked for: this may be higher than where an opened store resumes.
    public static func checkpointOnDisk(directory: String) -> UInt64? {
        let layout = ChunkLayout(directory: directory)
        for head in layout.headFiles().reversed() {
            guard let contents = try? HeadLog.read(path: head.path) else { continue }
            return contents.records.last?.checkpoint
        }
        return nil
    }

    /// Brings the store back to where the last head flush left it.
    ///
    /// - Temporary files (a seal or head rewrite cut short) are removed.
    /// - The newest head file with an intact header is read; a torn or corrupt tail is cut off and reported.
    /// - Its blocks for partitions already sealed *from this generation* are skipped: a crash between writing a
    ///   sealed file and the new head generation leaves them in both places.
    /// - A record whose checksum passes but whose content cannot be read (a block that does not decode, one naming
    ///   a series never defined, a payload that does not parse) is damage: what can be read is kept, and the
    ///   checkpoint is the last one *before* the first damaged record (none when it is the first), since a record's
    ///   samples come from log records after the previous record's checkpoint. The ingest worker then reads those
    ///   samples again from the write-ahead log, and the duplicate check keeps what was readable from being stored
    ///   twice. The damage is reported once, and a new head generation without it replaces the file.
    /// - Older head files are removed.
    func recover() throws(ChunkStoreError) {
        for leftover in layout.leftovers() + ChunkLayout(directory: layout.directory + "/rollups").leftovers() {
            try DiskDirectory.remove(leftover)
            recoveryNotes.append("removed \(leftover), left behind by an interrupted write")
        }
        var sealedByGeneration: [UInt64: Set<Int64>] = [:]
        var newestFileGeneration: UInt64 = 0
        for file in layout.sealedFiles() {
            sealedPaths[file.partition.index, default: []].append(file.path)
            sealedByGeneration[file.generation, default: []].insert(file.partition.index)
            newestFileGeneration = max(newestFileGeneration, file.generation)
        }

        var heads = layout.headFiles()
        var contents: HeadLog.Contents?
        while let candidate = heads.popLast() {
            do {
                contents = try HeadLog.read(path: candidate.path)
                break
            } catch {
                recoveryNotes.append("\(error); trying an older head file")
                try DiskDirectory.remove(candidate.path)
            }
        }
        for older in heads { try DiskDirectory.remove(older.path) }

        guard let contents else {
            generation = newestFileGeneration + 1
            try startHead()
            return
        }
        generation = max(contents.generation, newestFileGeneration + 1)
        let path = layout.headPath(generation: contents.generation)
        if let problem = contents.problem {
            recoveryNotes.append("head file \(path): \(problem); cut at byte \(contents.validLength) of \(contents.size)")
            let file = try DiskFile.openForAppending(path)
            try file.truncate(to: contents.validLength)
            try file.sync()
            file.close()
        }
        let skip = sealedByGeneration[contents.generation] ?? []
        var local: [UInt32: UInt32] = [:]  // the head file's series ids → this process's
        var damage = HeadDamage()
        for (number, record) in contents.records.enumerated() {
            guard let payload = HeadPayload.decode(record.payload) else {
                // The records after it may use series it defines, or ids it gives another series: they go too.
                damage.records(from: number, count: contents.records.count - number, checkpoint: record.checkpoint,
                               reason: "its payload does not parse")
                break
            }
            for definition in payload.definitions { local[definition.id] = intern(definition.series) }
            for block in payload.blocks where !skip.contains(block.partition) {
                let hour = Partition(index: block.partition)
                guard let id = local[block.seriesID] else {
                    damage.block(of: number, checkpoint: record.checkpoint,
                                 reason: "a block for \(hour) names series \(block.seriesID), which no record defines")
                    continue
                }
                let samples: [StoredSample]
                do { samples = try BlockColumns.decode(block.block) } catch {
                    let series = seriesList[Int(id)]
                    damage.block(of: number, checkpoint: record.checkpoint, reason: "the block of \(series.charger) "
                                 + "\(series.measurand.rawValue) for \(hour) does not decode (\(error))")
                    continue
                }
                let key = BufferKey(partition: block.partition, series: id)
                buffers[key, default: PartitionBuffer()].blocks.append(block.block)
                buffers[key]!.count += samples.count
                for sample in samples {
                    if let last = lastSample[Int(id)], last.timestamp >= sample.timestamp { continue }
                    lastSample[Int(id)] = sample
                    if sample.attributes.flags & StoredAttributes.futureFlag == 0 { clock = max(clock, sample.timestamp) }
                }
            }
            if damage.isEmpty { checkpoint = record.checkpoint }
        }
        if contents.generation == generation && damage.isEmpty {
            head = try DiskFile.openForAppending(path)
            // Ids this process gives the same series the file does; any other is defined again on first use.
            definedInHead = Set(local.filter { $0.key == $0.value }.values)
        } else {
            // Sealed files of a newer generation than the head (a rotation was cut short), or damage: start the next
            // generation from what memory now holds, under the checkpoint recovery settled on (written atomically;
            // until the old file is removed, the new one is the newest and wins).
            generation = max(contents.generation, newestFileGeneration)
            try rotateHead()
            try DiskDirectory.remove(path)
            if !damage.isEmpty {
                recoveryNotes.append(damage.report(path: path, checkpoint: checkpoint, newHead: layout.headPath(generation: generation)))
            }
        }
        for key in buffers.keys where sealedPaths[key.partition] != nil { lateSince[key.partition] = clock }
    }

    /// A fresh, empty head file of the current generation.
    private func startHead() throws(ChunkStoreError) {
        let path = layout.headPath(generation: generation)
        try DiskDirectory.writeAtomically(HeadLog.header(generation: generation), to: path)
        head = try DiskFile.openForAppending(path)
    }
}

/// What recovery could not read in a head file's intact records, reported as one line.
struct HeadDamage {
    /// The first damaged record: its number, the checkpoint it carries, and what was wrong with it.
    private(set) var first: (record: Int, checkpoint: UInt64, reason: String)?
    private var blocks = 0
    /// Records dropped whole: from the first one that does not parse to the end.
    private var records: (from: Int, count: Int)?

    var isEmpty: Bool { first == nil }

    /// A block of `record` that cannot be read.
    mutating func block(of record: Int, checkpoint: UInt64, reason: String) {
        if first == nil { first = (record, checkpoint, reason) }
        blocks += 1
    }

    /// `record` and the `count - 1` after it, dropped whole.
    mutating func records(from record: Int, count: Int, checkpoint: UInt64, reason: String) {
        if first == nil { first = (record, checkpoint, reason) }
        records = (record, count)
    }

    func report(path: String, checkpoint: UInt64?, newHead: String) -> String {
        guard let first else { return "head file \(path): no damage" }
        var lost: [String] = []
        if blocks > 0 { lost.append("\(blocks) block\(blocks == 1 ? "" : "s") dropped") }
        if let records {
            lost.append("\(records.count) record\(records.count == 1 ? "" : "s") dropped from record \(records.from) on")
        }
        let resume = checkpoint.map {
            "goes back to LSN \($0), the last record's before the damage, so the write-ahead log is read again from there"
        } ?? "is none (the damage is in the first record), so the write-ahead log is read again from its oldest record"
        return "head file \(path): record \(first.record) (checkpoint LSN \(first.checkpoint)) cannot be read: "
            + "\(first.reason); \(lost.joined(separator: ", ")). The checkpoint \(resume); what could be read is now "
            + "in \(newHead)"
    }
}
