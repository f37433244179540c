import Foundation
import MosquittoTestSupport
import Telemetry
import Testing
@testable import ChunkStore

/// Builds series and samples for the store's tests.
enum Samples {
    static let hour: Int64 = 3_600_000
    /// 2026-11-21T00:00:00Z.
    static let day: Int64 = 1_795_219_200_000

    static func series(_ charger: String = "CP-1", _ measurand: Measurand = .voltage, phase: Phase? = .l1,
                       connector: Int = 1) -> Series {
        Series(site: "depot", charger: charger, evse: connector, connector: connector, measurand: measurand, phase: phase)
    }

    static let plain = StoredAttributes(flags: 0, context: .samplePeriodic, decimals: 1)

    /// A voltage-like walk every `interval` ms.
    static func walk(count: Int, start: Int64, interval: Int64, seed: UInt64) -> [StoredSample] {
        var state = seed
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let tenths = 2300 + Int64(state >> 60) - 8
            return StoredSample(timestamp: start + Int64(i) * interval, value: Double(tenths) / 10, attributes: plain)
        }
    }
}

@Suite struct ChunkStoreTests {
    /// Everything appended comes back from the archive bit for bit: from the head file, then from sealed files.
    @Test func samplesComeBackExactlyFromHeadAndSealedFiles() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 60_000))
        let voltage = Samples.series()
        let energy = Samples.series("CP-2", .energyActiveImportRegister, phase: nil)
        let volts = Samples.walk(count: 2_000, start: Samples.day, interval: 3_000, seed: 1)  // 100 minutes
        var register = 1_000_000.0
        let energies = (0..<600).map { i -> StoredSample in
            register += Double(i % 7)
            return StoredSample(timestamp: Samples.day + Int64(i) * 10_000 + 17, value: register, attributes: Samples.plain)
        }
        var lsn: UInt64 = 0
        for sample in volts {
            #expect(store.append(voltage, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) == .stored)
        }
        for sample in energies {
            #expect(store.append(energy, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) == .stored)
        }
        lsn += 10
        try store.flush(checkpoint: lsn, receivedAt: Samples.day + 6_000_000)
        // The first hour was sealed (clock 100 min is past 60 min + 1 min); the second is in the head file.
        let files = store.layout.sealedFiles()
        #expect(files.count == 1)
        #expect(files.first?.partition == Partition(containing: Samples.day))
        #expect(store.checkpoint == 10)

        let archive = ChunkArchive(directory: directory.path)
        let all = archive.samples(from: .min, to: .max) { _ in true }
        #expect(all.map(\.series) == [voltage, energy])
        #expect(all.first?.samples == volts)
        #expect(all.last?.samples == energies)
        #expect(archive.problems.isEmpty)
        let statistics = archive.statistics(verify: true)
        #expect(statistics.sealedSamples + statistics.headSamples == volts.count + energies.count)
        #expect(statistics.series == 2)
        #expect(statistics.sealedFiles == 1)
    }

    @Test func duplicatesAreRecognisedAndConflictsKeptFlagged() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path)
        let series = Samples.series()
        let t = Samples.day
        #expect(store.append(series, timestamp: t, value: 230.1, attributes: Samples.plain) == .stored)
        #expect(store.append(series, timestamp: t + 1000, value: 230.2, attributes: Samples.plain) == .stored)
        #expect(store.append(series, timestamp: t, value: 230.1, attributes: Samples.plain) == .duplicate)
        #expect(store.append(series, timestamp: t + 1000, value: 230.2, attributes: Samples.plain) == .duplicate)
        #expect(store.append(series, timestamp: t, value: 231.0, attributes: Samples.plain) == .conflict)
        #expect(store.append(series, timestamp: t, value: 231.0, attributes: Samples.plain) == .duplicate)
        #expect(store.append(series, timestamp: t + 500, value: 229.0, attributes: Samples.plain) == .stored)
        try store.flush(checkpoint: 3, receivedAt: t + 2000)
        let archive = ChunkArchive(directory: directory.path)
        let clean = try #require(archive.samples(from: .min, to: .max) { _ in true }.first)
        #expect(clean.samples.map(\.value) == [230.1, 229.0, 230.2])
        let withConflicts = try #require(archive.samples(from: .min, to: .max, includeConflicts: true) { _ in true }.first)
        #expect(withConflicts.samples.map(\.value) == [230.1, 231.0, 229.0, 230.2])
        #expect(withConflicts.samples[1].attributes.isConflict)
    }

    /// A crash (the store dropped without a flush) loses only what was never flushed, and the checkpoint says so:
    /// re-appending everything after it finds the flushed samples as duplicates.
    @Test func reopeningResumesFromTheLastHeadFlush() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let series = Samples.series()
        let samples = Samples.walk(count: 100, start: Samples.day, interval: 1000, seed: 7)
        do {
            let store = try ChunkStore(directory: directory.path)
            for sample in samples[..<60] { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 60, receivedAt: Samples.day + 60_000)
            for sample in samples[60...] { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            // No flush: the process "dies" here.
        }
        let store = try ChunkStore(directory: directory.path)
        #expect(store.checkpoint == 60)
        #expect(store.bufferedSamples == 60)
        // The log is read again from a little before the checkpoint: those are duplicates, the rest is new.
        var outcomes: [ChunkStore.Outcome] = []
        for sample in samples[50...] {
            outcomes.append(store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes))
        }
        #expect(outcomes.filter { $0 == .duplicate }.count == 10)
        #expect(outcomes.filter { $0 == .stored }.count == 40)
        try store.flush(checkpoint: 100, receivedAt: Samples.day + 100_000)
        let archive = ChunkArchive(directory: directory.path)
        #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.samples == samples)
    }

    /// A head file written by one process and appended to by the next keeps every sample with its own series: the
    /// file's series ids are the first process's, and the second, which numbers series as it reads them back
    /// (here hour 0's series first), defines again every id it gives another meaning.
    @Test func seriesKeepTheirSamplesAcrossRestartsThatAppendToTheHeadFile() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let a = Samples.series("CP-A")
        let b = Samples.series("CP-B")
        do {
            let store = try ChunkStore(directory: directory.path)
            _ = store.append(a, timestamp: Samples.day + Samples.hour, value: 1, attributes: Samples.plain)  // id 0, hour 1
            _ = store.append(b, timestamp: Samples.day, value: 2, attributes: Samples.plain)  // id 1, hour 0
            try store.flush(checkpoint: 1, receivedAt: Samples.day + Samples.hour)
        }
        do {
            let store = try ChunkStore(directory: directory.path)  // reads hour 0 first: B is id 0 here, A id 1
            _ = store.append(a, timestamp: Samples.day + Samples.hour + 1000, value: 3, attributes: Samples.plain)
            _ = store.append(b, timestamp: Samples.day + 1000, value: 4, attributes: Samples.plain)
            try store.flush(checkpoint: 2, receivedAt: Samples.day + Samples.hour + 1000)
        }
        let store = try ChunkStore(directory: directory.path)
        #expect(store.recoveryNotes.isEmpty)
        #expect(store.bufferedSamples == 4)
        let all = ChunkArchive(directory: directory.path).samples(from: .min, to: .max) { _ in true }
        #expect(all.map(\.series) == [a, b])
        #expect(all.map { $0.samples.map(\.value) } == [[1, 3], [2, 4]])
    }

    /// A crash after a sealed file was renamed into place but before the new head generation replaced the old:
    /// the old head still holds the sealed hour, and neither the store nor a query counts it twice.
    @Test func aCrashBetweenSealAndHeadRotationStoresNothingTwice() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let series = Samples.series()
        let first = Samples.walk(count: 120, start: Samples.day, interval: 30_000, seed: 3)  // hour 0
        let second = Samples.walk(count: 10, start: Samples.day + Samples.hour + 600_000, interval: 1000, seed: 4)
        let oldHeadCopy = directory.path + "/old-head"
        do {
            let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 60_000))
            for sample in first { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 1, receivedAt: Samples.day + 3_599_000)
            let head = try #require(store.layout.headFiles().last)
            try FileManager.default.copyItem(atPath: head.path, toPath: oldHeadCopy)
            for sample in second { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 2, receivedAt: second.last!.timestamp)
            #expect(store.layout.sealedFiles().count == 1)
            // Put the world back as the crash would have left it: the old head, no new one.
            let newHead = try #require(store.layout.headFiles().last)
            try FileManager.default.removeItem(atPath: newHead.path)
            try FileManager.default.moveItem(atPath: oldHeadCopy, toPath: head.path)
        }
        let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 60_000))
        #expect(store.checkpoint == 1)
        #expect(store.bufferedSamples == 0)  // the sealed hour is not taken back into memory
        // Records after checkpoint 1 are read again.
        for sample in second { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
        try store.flush(checkpoint: 2, receivedAt: second.last!.timestamp + 4 * Samples.hour)
        let archive = ChunkArchive(directory: directory.path)
        #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.samples == first + second)
        #expect(archive.statistics().sealedSamples == first.count + second.count)
    }

    /// Samples for an hour already sealed go to an out-of-order file of that hour; queries merge them in.
    @Test func lateSamplesLandInAnOutOfOrderFile() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let options = ChunkStoreOptions(sealDelay: 60_000, lateCompactionDelay: 30_000)
        let store = try ChunkStore(directory: directory.path, options: options)
        let series = Samples.series()
        let onTime = Samples.walk(count: 60, start: Samples.day, interval: 60_000, seed: 5)
        for sample in onTime.enumerated() where sample.offset % 2 == 0 {
            _ = store.append(series, timestamp: sample.element.timestamp, value: sample.element.value, attributes: sample.element.attributes)
        }
        let now = Samples.day + Samples.hour + 120_000
        try store.flush(checkpoint: 1, receivedAt: now)
        #expect(store.layout.sealedFiles().count == 1)
        // The odd minutes arrive late (an offline charger's buffer).
        for sample in onTime.enumerated() where sample.offset % 2 == 1 {
            let late = sample.element.attributes.with(flags: StoredAttributes.lateFlag)
            #expect(store.append(series, timestamp: sample.element.timestamp, value: sample.element.value, attributes: late) == .stored)
        }
        // Re-appending one that is now in a sealed file is a duplicate.
        #expect(store.append(series, timestamp: onTime[0].timestamp, value: onTime[0].value, attributes: onTime[0].attributes) == .duplicate)
        // All of them, twice (the second pass from the file's decoded-block cache).
        for _ in 0..<2 {
            for sample in onTime.enumerated() where sample.offset % 2 == 0 {
                #expect(store.append(series, timestamp: sample.element.timestamp, value: sample.element.value,
                                     attributes: sample.element.attributes) == .duplicate)
            }
        }
        try store.flush(checkpoint: 2, receivedAt: now + 10_000)
        #expect(store.layout.sealedFiles().count == 1)  // waiting for lateCompactionDelay
        try store.flush(checkpoint: 3, receivedAt: now + 40_000)
        let files = store.layout.sealedFiles()
        #expect(files.count == 2)
        let kinds = try files.map { try ChunkFile(path: $0.path).kind }
        #expect(kinds == [.sealed, .outOfOrder])
        let archive = ChunkArchive(directory: directory.path)
        let merged = try #require(archive.samples(from: .min, to: .max) { _ in true }.first)
        #expect(merged.samples.map(\.timestamp) == onTime.map(\.timestamp))
        #expect(merged.samples.map(\.value.bitPattern) == onTime.map(\.value.bitPattern))
        #expect(merged.samples.filter { $0.attributes.flags & StoredAttributes.lateFlag != 0 }.count == 30)
        #expect(archive.statistics().outOfOrderFiles == 1)
    }

    /// A torn last head record is cut off on open; the records before it are intact.
    @Test func aTornHeadRecordIsCutOff() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let series = Samples.series()
        let samples = Samples.walk(count: 20, start: Samples.day, interval: 1000, seed: 9)
        let headPath: String
        do {
            let store = try ChunkStore(directory: directory.path)
            for sample in samples[..<10] { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 10, receivedAt: Samples.day + 10_000)
            for sample in samples[10...] { _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 20, receivedAt: Samples.day + 20_000)
            headPath = try #require(store.layout.headFiles().last).path
        }
        let size = try #require(FileManager.default.attributesOfItem(atPath: headPath)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: headPath))
        try handle.truncate(atOffset: UInt64(size - 3))
        try handle.close()
        let store = try ChunkStore(directory: directory.path)
        #expect(store.checkpoint == 10)
        #expect(store.bufferedSamples == 10)
        #expect(store.recoveryNotes.contains { $0.contains("cut at byte") })
    }

    /// Retention deletes whole partitions once the store's clock is past their end by the retention period.
    @Test func retentionDeletesExpiredPartitions() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path,
                                   options: ChunkStoreOptions(sealDelay: 0, retention: 2 * Samples.hour))
        let series = Samples.series()
        for hour in 0..<6 {
            let t = Samples.day + Int64(hour) * Samples.hour
            _ = store.append(series, timestamp: t, value: Double(hour), attributes: Samples.plain)
            try store.flush(checkpoint: UInt64(hour + 1), receivedAt: t)
        }
        // Clock at hour 5: hours 0–2 end at or before hour 3 = 5 − 2 and are gone; hours 3 and 4 are sealed.
        #expect(store.layout.sealedFiles().map(\.partition.index) == [3, 4].map { Partition(containing: Samples.day).index + $0 })
    }

    /// A backlog of 36 hours sealed in one compaction: 36 files in two new day directories cost one fsync per
    /// directory touched (the two days and the store's directory, which gained them), not one per file, and every
    /// sample comes back, the hour that arrived last and twice included.
    @Test func aBacklogSealedAtOnceSyncsEachDirectoryOnce() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 0))
        let series = Samples.series()
        let samples = Samples.walk(count: 36 * 6, start: Samples.day, interval: 600_000, seed: 9)  // 36 h, 10 min apart
        // Arrival order with the first hour's samples last, and each of them twice: the seal sorts and deduplicates.
        for sample in samples.dropFirst(6) + samples.prefix(6) + samples.prefix(6) {
            _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
        }
        try store.flush(checkpoint: 1, receivedAt: Samples.day + 37 * Samples.hour)
        #expect(store.layout.sealedFiles().count == 36)
        #expect(store.directorySyncs == 3)
        let archive = ChunkArchive(directory: directory.path)
        #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.samples == samples)
        #expect(archive.problems.isEmpty)
    }

    /// A compaction that fails partway (the second day's directory cannot be made: a file has its name) has sealed
    /// the first day's hours and let go of their samples. Their directory stays pending, so no later head rotation
    /// can drop those samples before the files' names are durable; once the obstacle is gone the next flush seals
    /// the rest, syncs both, and every sample comes back once. A late sample for an hour sealed before the failure
    /// waits for the next generation: sealed under the same one, its file would take the name of the hour's first
    /// file and replace it, whose samples only the head still held.
    @Test func aCompactionThatFailsPartwayKeepsItsDirectoriesPending() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let options = ChunkStoreOptions(sealDelay: 0, lateCompactionDelay: 0)
        let store = try ChunkStore(directory: directory.path, options: options)
        let series = Samples.series()
        let samples = Samples.walk(count: 30 * 6, start: Samples.day, interval: 600_000, seed: 11)  // 30 h
        for sample in samples {
            _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
        }
        let firstDay = store.layout.dayDirectory(Partition(containing: Samples.day))
        let secondDay = store.layout.dayDirectory(Partition(containing: Samples.day + 24 * Samples.hour))
        #expect(FileManager.default.createFile(atPath: secondDay, contents: Data()))
        #expect(throws: ChunkStoreError.self) {
            try store.flush(checkpoint: 1, receivedAt: Samples.day + 31 * Samples.hour)
        }
        #expect(store.layout.sealedFiles().count == 24)
        #expect(store.unsyncedDirectories.contains(firstDay))

        try FileManager.default.removeItem(atPath: secondDay)
        let late = StoredSample(timestamp: Samples.day + 1_000, value: 999, attributes: Samples.plain)
        #expect(store.append(series, timestamp: late.timestamp, value: late.value, attributes: late.attributes) == .stored)
        try store.flush(checkpoint: 2, receivedAt: Samples.day + 31 * Samples.hour)
        #expect(store.unsyncedDirectories.isEmpty)
        #expect(store.layout.sealedFiles().count == 30, "hours 24 to 29; the late sample waits")
        #expect(store.bufferedSamples == 1)
        try store.flush(checkpoint: 3, receivedAt: Samples.day + 31 * Samples.hour)
        #expect(store.layout.sealedFiles().count == 31, "the late sample's out-of-order file")
        let all = (samples + [late]).sorted { $0.timestamp < $1.timestamp }
        let archive = ChunkArchive(directory: directory.path)
        #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.samples == all)
        #expect(archive.problems.isEmpty)
        let reopened = try ChunkStore(directory: directory.path, options: options)
        #expect(reopened.bufferedSamples == 0 && reopened.checkpoint == 3)
    }

    /// The new head generation cannot be written (a directory holds its temporary name) after two hours were
    /// sealed. Nothing is lost: the sealed files stand, the old head still holds the checkpoint; a store reopened
    /// then (a crash) has every sample once, and the same store goes on: the next flush rotates past the failure.
    @Test func aHeadRotationThatFailsLosesNothing() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 0))
        let series = Samples.series()
        let samples = Samples.walk(count: 3 * 6, start: Samples.day, interval: 600_000, seed: 13)  // hours 0 to 2
        for sample in samples.prefix(12) {
            _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
        }
        let blocked = store.layout.headPath(generation: store.generation + 1) + ".tmp"
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        #expect(throws: ChunkStoreError.self) { try store.flush(checkpoint: 1, receivedAt: Samples.day + 2 * Samples.hour) }
        #expect(store.layout.sealedFiles().count == 2)
        try FileManager.default.removeItem(atPath: blocked)

        let crashed = directory.path + "-crashed"
        try FileManager.default.copyItem(atPath: directory.path, toPath: crashed)
        defer { try? FileManager.default.removeItem(atPath: crashed) }
        do {
            let reopened = try ChunkStore(directory: crashed, options: ChunkStoreOptions(sealDelay: 0))
            #expect(reopened.checkpoint == 1 && reopened.bufferedSamples == 0)
            let archive = ChunkArchive(directory: crashed)
            #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.samples == Array(samples.prefix(12)))
        }

        for sample in samples.dropFirst(12) {
            _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
        }
        try store.flush(checkpoint: 2, receivedAt: Samples.day + 3 * Samples.hour)
        #expect(store.layout.sealedFiles().count == 3)
        #expect(store.layout.headFiles().count == 1)
        let archive = ChunkArchive(directory: directory.path)
        #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.samples == samples)
        #expect(archive.problems.isEmpty)
        let reopened = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 0))
        #expect(reopened.checkpoint == 2 && reopened.bufferedSamples == 0)
    }

    /// Making a directory reports the directories that gained an entry, spelled as a file's directory is, and
    /// nothing for directories that were there.
    @Test func makingDirectoriesReportsTheParentsThatChanged() throws {
        let temporary = try TemporaryDirectory(prefix: "chunks")
        defer { temporary.remove() }
        let root = temporary.path
        #expect(try DiskDirectory.create(root + "/a/b") == [root, root + "/a"])
        #expect(try DiskDirectory.create(root + "/a/b/c") == [root + "/a/b"])
        #expect(try DiskDirectory.create(root + "/a/b").isEmpty)
        #expect(directory(of: root + "/a/b/c/file") == root + "/a/b/c")
    }

    /// A seal's merge: by timestamp (stable, so conflicting values keep their arrival order), identical copies
    /// dropped; input already in order with one sample per instant comes back as it is.
    @Test func sealingSortsAndDropsIdenticalCopies() {
        func sample(_ t: Int64, _ v: Double) -> StoredSample { StoredSample(timestamp: t, value: v, attributes: Samples.plain) }
        let ordered = [sample(1, 1), sample(2, 2), sample(5, 3)]
        #expect(ChunkStore.sortedUnique(ordered) == ordered)
        let shuffled = [sample(5, 3), sample(1, 1), sample(2, 2), sample(1, 1), sample(2, 9), sample(2, 2)]
        #expect(ChunkStore.sortedUnique(shuffled) == [sample(1, 1), sample(2, 2), sample(2, 9), sample(5, 3)])
        #expect(ChunkStore.sortedUnique([]) == [])
    }

    /// File names come from hours and counters only, whatever the charger calls itself.
    @Test func fileNamesNeverCarryIdentifiers() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 0))
        let hostile = Series(site: "../../etc", charger: "x/../../passwd\0;rm -rf", evse: 1, connector: 1, measurand: .voltage)
        _ = store.append(hostile, timestamp: Samples.day, value: 1, attributes: Samples.plain)
        try store.flush(checkpoint: 1, receivedAt: Samples.day + 2 * Samples.hour)
        let names = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
        #expect(names.sorted() == ["2026-11-21", "2026-11-21/00.000000000001.chunk", "head-000000000002.log"])
        let archive = ChunkArchive(directory: directory.path)
        #expect(archive.samples(from: .min, to: .max) { _ in true }.first?.series == hostile)
    }
}

@Suite struct RollupTests {
    /// One-minute rollups equal folding the raw samples, survive the raw retention, and are rewritten with late data.
    @Test func rollupsFoldTheRawSamplesAndOutliveThem() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let options = ChunkStoreOptions(sealDelay: 0, lateCompactionDelay: 0, retention: 2 * Samples.hour,
                                        rollups: true, rollupRetention: 48 * Samples.hour)
        let store = try ChunkStore(directory: directory.path, options: options)
        let series = Samples.series()
        let samples = Samples.walk(count: 360, start: Samples.day + 7, interval: 10_000, seed: 21)  // hour 0
        for (index, sample) in samples.enumerated() where index != 100 {
            _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
        }
        try store.flush(checkpoint: 1, receivedAt: Samples.day + Samples.hour)
        // Sample 100 arrives late: the hour's rollups are recomputed with it.
        _ = store.append(series, timestamp: samples[100].timestamp, value: samples[100].value,
                         attributes: samples[100].attributes.with(flags: StoredAttributes.lateFlag))
        try store.flush(checkpoint: 2, receivedAt: Samples.day + Samples.hour + 1000)
        let rollups = ChunkArchive(directory: directory.path).rollups
        let points = try #require(rollups.rollupPoints(from: .min, to: .max) { _ in true }.first).points
        #expect(points.count == 60)
        for aggregation in Aggregation.allCases {
            let expected = aggregation.fold(samples, step: 60_000)
            #expect(points.map { $0.value(aggregation).bitPattern } == expected.map(\.value.bitPattern), "\(aggregation)")
            #expect(points.map(\.count) == expected.map(\.count))
        }
        #expect(RollupPoint.merge(points, step: 900_000).map(\.max) == Aggregation.max.fold(samples, step: 900_000).map(\.value))
        #expect(rollups.layout.sealedFiles().count == 1)  // the earlier rollup file was replaced
        // Five hours later the raw hour has expired; its rollups have not.
        _ = store.append(series, timestamp: Samples.day + 5 * Samples.hour, value: 1, attributes: Samples.plain)
        try store.flush(checkpoint: 3, receivedAt: Samples.day + 5 * Samples.hour)
        #expect(!store.layout.sealedFiles().contains { $0.partition == Partition(containing: Samples.day) })
        #expect(ChunkArchive(directory: directory.path).rollups.rollupPoints(from: Samples.day, to: Samples.day + Samples.hour) { _ in true }
            .first?.points.count == 60)
    }
}

@Suite struct PartitionTests {
    @Test func namesAndParsesHours() throws {
        let partition = Partition(containing: Samples.day + 14 * Samples.hour + 59 * 60_000)
        #expect(partition.dayName == "2026-11-21")
        #expect(partition.hourName == "14")
        #expect(Partition.parse(day: "2026-11-21", hour: "14") == partition)
        #expect(Partition(containing: -1).description == "1969-12-31T23")
        #expect(Partition(containing: 0).description == "1970-01-01T00")
        #expect(Partition.parse(day: "2026-02-30", hour: "00") == nil)
        #expect(Partition.parse(day: "2026-11-21", hour: "24") == nil)
        #expect(Partition.parse(day: "../11-21", hour: "01") == nil)
    }

    @Test func aggregationFoldsAlignedSteps() {
        let samples = [(0, 1.0), (20_000, 3.0), (59_999, .nan), (60_000, 5.0), (180_000, 7.0)].map {
            StoredSample(timestamp: Samples.day + Int64($0.0), value: $0.1, attributes: Samples.plain)
        }
        let avg = Aggregation.avg.fold(samples, step: 60_000)
        #expect(avg.map(\.start) == [0, 60_000, 180_000].map { Samples.day + $0 })
        #expect(avg.map(\.value) == [2, 5, 7])
        #expect(avg.map(\.count) == [3, 1, 1])
        #expect(Aggregation.max.fold(samples, step: 60_000).map(\.value) == [3, 5, 7])
        #expect(Aggregation.min.fold(samples, step: 60_000).map(\.value) == [1, 5, 7])
        #expect(Aggregation.last.fold(samples, step: 60_000).first?.value.isNaN == true)
    }
}
