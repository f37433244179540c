import Foundation
import MosquittoTestSupport
import Telemetry
import Testing
@testable import ChunkStore

/// Bad bytes in chunk data are found, reported with the file and offset, and never crash a reader.
@Suite struct ChunkFileCorruptionTests {
    /// A small sealed file with three series over two frames' worth of blocks.
    static func smallFile(in directory: TemporaryDirectory) throws -> (path: String, bytes: [UInt8], samples: Int) {
        let path = directory.path + "/small.chunk"
        let content = (0..<3).map { index in
            ChunkFileWriter.SeriesSamples(
                series: Samples.series("CP-\(index)"),
                samples: Samples.walk(count: 40, start: Samples.day, interval: 5_000, seed: UInt64(index)))
        }
        var unsynced: Set<String> = []
        try ChunkFileWriter.write(path: path, kind: .sealed, partition: Partition(containing: Samples.day),
                                  generation: 1, content: content, unsyncedDirectories: &unsynced)
        return (path, Array(try Data(contentsOf: URL(fileURLWithPath: path))), 120)
    }

    @Test func theIntactFileReadsBack() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let (path, _, samples) = try Self.smallFile(in: directory)
        let file = try ChunkFile(path: path)
        try file.verify()
        #expect(file.sampleCount == samples)
        #expect(file.series.map(\.charger) == ["CP-0", "CP-1", "CP-2"])
    }

    @Test func truncationAtEveryOffsetIsDetected() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let (_, bytes, _) = try Self.smallFile(in: directory)
        let damaged = directory.path + "/damaged.chunk"
        var undetected: [Int] = []
        for length in 0..<bytes.count {
            try Data(bytes[0..<length]).write(to: URL(fileURLWithPath: damaged))
            do {
                let file = try ChunkFile(path: damaged)
                try file.verify()
                undetected.append(length)
            } catch {
                guard case .corrupt(let reportedPath, _, _) = error, reportedPath == damaged else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
            }
        }
        #expect(undetected.isEmpty, "truncations not detected: \(undetected.prefix(10))")
    }

    @Test func aBitFlipAtEveryOffsetIsDetected() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let (_, bytes, _) = try Self.smallFile(in: directory)
        let damaged = directory.path + "/damaged.chunk"
        var undetected: [Int] = []
        for offset in 0..<bytes.count {
            var copy = bytes
            copy[offset] ^= UInt8(1) << UInt8(offset % 8)
            try Data(copy).write(to: URL(fileURLWithPath: damaged))
            do {
                let file = try ChunkFile(path: damaged)
                try file.verify()
                undetected.append(offset)
            } catch {
                #expect(error.description.contains(damaged))
            }
        }
        #expect(undetected.isEmpty, "bit flips not detected at offsets \(undetected.prefix(10))")
    }

    /// An archive with one corrupt file reads the others and names the bad one.
    @Test func theArchiveSkipsACorruptFileAndSaysWhich() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let store = try ChunkStore(directory: directory.path, options: ChunkStoreOptions(sealDelay: 0))
        let series = Samples.series()
        for hour in 0..<3 {
            let t = Samples.day + Int64(hour) * Samples.hour
            for sample in Samples.walk(count: 10, start: t, interval: 1000, seed: UInt64(hour)) {
                _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
            }
            try store.flush(checkpoint: UInt64(hour + 1), receivedAt: t + Samples.hour)
        }
        let files = store.layout.sealedFiles()
        #expect(files.count == 3)
        let victim = files[1].path
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: victim)))
        bytes[40] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: victim))
        let archive = ChunkArchive(directory: directory.path)
        let found = archive.samples(from: .min, to: .max) { _ in true }
        #expect(found.first?.samples.count == 20)
        #expect(archive.problems.count == 1)
        #expect(archive.problems.first?.description.contains(victim) == true)
        #expect(archive.statistics(verify: true).corruptFiles == 1)
    }

    /// The head file cut at every length: the store always opens, keeps the intact records and nothing else.
    @Test func aHeadFileCutAnywhereRecoversItsIntactRecords() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let series = Samples.series()
        let samples = Samples.walk(count: 30, start: Samples.day, interval: 1000, seed: 11)
        var recordEnds: [Int] = []
        let headPath: String
        do {
            let store = try ChunkStore(directory: directory.path)
            headPath = try #require(store.layout.headFiles().last).path
            for batch in 0..<3 {
                for sample in samples[(batch * 10)..<(batch * 10 + 10)] {
                    _ = store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
                }
                try store.flush(checkpoint: UInt64(batch + 1), receivedAt: Samples.day + Int64(batch) * 10_000)
                recordEnds.append(DiskDirectory.fileSize(headPath))
            }
        }
        let original = try Data(contentsOf: URL(fileURLWithPath: headPath))
        for length in ChunkFileFormat.headHeaderSize...original.count {
            let copy = try TemporaryDirectory(prefix: "chunks-cut")
            defer { copy.remove() }
            try original.prefix(length).write(to: URL(fileURLWithPath: copy.path + "/" + (headPath as NSString).lastPathComponent))
            let store = try ChunkStore(directory: copy.path)
            let intact = recordEnds.filter { $0 <= length }.count
            #expect(store.bufferedSamples == intact * 10, "cut at \(length)")
            #expect(store.checkpoint == (intact == 0 ? nil : UInt64(intact)), "cut at \(length)")
        }
    }
}
