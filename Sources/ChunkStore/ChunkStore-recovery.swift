extension ChunkStore {
    /// Brings the store back to where the last head flush left it.
    ///
    /// - Temporary files (a seal or head rewrite cut short) are removed.
    /// - The newest head file with an intact header is read; a torn or corrupt tail is cut off and reported.
    /// - Its blocks for partitions already sealed *from this generation* are skipped: a crash between writing a
    ///   sealed file and the new head generation leaves them in both places.
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
        for (number, record) in contents.records.enumerated() {
            guard let payload = HeadPayload.decode(record.payload) else {
                recoveryNotes.append("head file \(path): record \(number) cannot be parsed; later records are ignored")
                break
            }
            for definition in payload.definitions { local[definition.id] = intern(definition.series) }
            for block in payload.blocks where !skip.contains(block.partition) {
                guard let id = local[block.seriesID] else {
                    recoveryNotes.append("head file \(path): a block names undefined series \(block.seriesID); skipped")
                    continue
                }
                let samples: [StoredSample]
                do { samples = try BlockColumns.decode(block.block) } catch {
                    recoveryNotes.append("head file \(path): a block of record \(number) does not decode (\(error)); skipped")
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
            checkpoint = record.checkpoint
        }
        if contents.generation == generation {
            head = try DiskFile.openForAppending(path)
            definedInHead = Set(local.values)
        } else {
            // Sealed files of a newer generation than the head: a rotation was cut short. Start the next generation
            // from what memory now holds.
            generation -= 1
            try rotateHead()
            try DiskDirectory.remove(path)
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
