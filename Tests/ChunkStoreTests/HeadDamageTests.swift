import Foundation
import MosquittoTestSupport
import Telemetry
import Testing
@testable import ChunkStore

/// Head records whose checksum passes but whose content cannot be read (a block written bad, a payload that does not
/// parse): recovery drops what it cannot read and reports a checkpoint that does not claim it, so the ingest worker
/// reads those samples again from the write-ahead log.
@Suite struct HeadDamageTests {
    static let volts = Samples.series("CP-1")
    static let amps = Samples.series("CP-2", .currentImport)
    /// 30 samples a series, flushed as three head records of 10 (checkpoints 10, 20, 30: one LSN per sample).
    static let samples = Samples.walk(count: 30, start: Samples.day, interval: 1000, seed: 13)

    static func append(_ store: ChunkStore, _ range: Range<Int>) -> [ChunkStore.Outcome] {
        range.flatMap { index in
            [volts, amps].map { series in
                let sample = samples[index]
                return store.append(series, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes)
            }
        }
    }

    /// Writes three head records (checkpoints 10, 20, 30) and returns the head file's path.
    static func writeThreeRecords(in directory: TemporaryDirectory) throws -> String {
        let store = try ChunkStore(directory: directory.path)
        for record in 0..<3 {
            _ = append(store, (record * 10)..<(record * 10 + 10))
            try store.flush(checkpoint: UInt64(record * 10 + 10), receivedAt: Samples.day + Int64(record) * 10_000)
        }
        return try #require(store.layout.headFiles().last).path
    }

    /// Rewrites the head file at `path` record by record through `damage`, with valid checksums: what a block
    /// written bad (or a codec that no longer reads it) looks like to recovery. `damage` returns the payload bytes.
    static func rewrite(_ path: String, damage: (_ record: Int, _ payload: HeadPayload) throws -> [UInt8]) throws {
        let scratch = try TemporaryDirectory(prefix: "chunks-scratch")
        defer { scratch.remove() }
        let compressor = try ChunkStore(directory: scratch.path).compressor
        let contents = try HeadLog.read(path: path)
        var bytes = HeadLog.header(generation: contents.generation)
        for (number, record) in contents.records.enumerated() {
            let payload = try #require(HeadPayload.decode(record.payload))
            let damaged = try damage(number, payload)
            bytes += try HeadLog.record(checkpoint: record.checkpoint, payload: damaged, compressor: compressor)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The voltage block of the middle record no longer decodes. The store reopens with the first record's checkpoint,
    /// re-reading the log from there stores the ten lost samples, and nothing that was readable is stored twice.
    @Test func aBlockThatDoesNotDecodeMovesTheCheckpointBeforeItsRecord() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let headPath = try Self.writeThreeRecords(in: directory)
        try Self.rewrite(headPath) { record, payload in
            var payload = payload
            if record == 1 {
                let index = try #require(payload.blocks.firstIndex { $0.seriesID == 0 })  // CP-1's voltage
                payload.blocks[index].block[0] = 0xEE  // an unknown block version
            }
            return payload.encoded()
        }

        let store = try ChunkStore(directory: directory.path)
        #expect(store.checkpoint == 10)  // record 1 carries 20, record 2 carries 30
        #expect(store.bufferedSamples == 50)
        let notes = store.recoveryNotes.filter { $0.contains("cannot be read") }
        #expect(notes.count == 1, "\(store.recoveryNotes)")
        #expect(notes.first?.contains("LSN 10") == true)
        #expect(notes.first?.contains("does not decode") == true)
        // The damaged head file was replaced by the next generation, holding what could be read.
        #expect(store.layout.headFiles().map(\.path) == [store.layout.headPath(generation: 2)])

        // The worker reads the log again after the checkpoint (LSN n carries sample n - 1): samples 10..<30.
        let outcomes = Self.append(store, Int(store.checkpoint ?? 0)..<30)
        #expect(outcomes.filter { $0 == .stored }.count == 10)
        #expect(outcomes.filter { $0 == .duplicate }.count == 30)
        try store.flush(checkpoint: 30, receivedAt: Samples.day + 30_000)

        let archive = ChunkArchive(directory: directory.path)
        let all = archive.samples(from: .min, to: .max) { _ in true }
        #expect(all.map(\.series) == [Self.volts, Self.amps])
        for series in all { #expect(series.samples == Self.samples, "\(series.series.charger)") }
        #expect(archive.problems.isEmpty)

        // Opened again: nothing is damaged any more and nothing is lost or doubled.
        let reopened = try ChunkStore(directory: directory.path)
        #expect(reopened.checkpoint == 30)
        #expect(reopened.bufferedSamples == 60)
        #expect(reopened.recoveryNotes.isEmpty)
    }

    /// A payload that does not parse loses its own blocks and the series it defines; the records after it are
    /// ignored. The checkpoint is the last one before it (none when it is the first record).
    @Test(arguments: [0, 1, 2]) func aRecordThatDoesNotParseMovesTheCheckpointBeforeIt(damaged: Int) throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let headPath = try Self.writeThreeRecords(in: directory)
        try Self.rewrite(headPath) { record, payload in
            record == damaged ? payload.encoded() + [0] : payload.encoded()  // a trailing byte: does not parse
        }
        let store = try ChunkStore(directory: directory.path)
        #expect(store.checkpoint == (damaged == 0 ? nil : UInt64(damaged * 10)))
        #expect(store.bufferedSamples == damaged * 20)
        #expect(store.recoveryNotes.filter { $0.contains("cannot be read") }.count == 1)
        let outcomes = Self.append(store, (damaged * 10)..<30)
        #expect(outcomes.allSatisfy { $0 == .stored })
        try store.flush(checkpoint: 30, receivedAt: Samples.day + 30_000)
        let reopened = try ChunkStore(directory: directory.path)
        #expect(reopened.checkpoint == 30)
        #expect(reopened.recoveryNotes.isEmpty)
        let all = ChunkArchive(directory: directory.path).samples(from: .min, to: .max) { _ in true }
        #expect(all.map(\.samples) == [Self.samples, Self.samples])
    }

    /// Blocks of an hour sealed from the same head generation (a crash between the seal and the head's rotation) are
    /// in the sealed file: recovery does not read them, so damage there loses nothing and moves no checkpoint.
    @Test func damageInAnHourSealedFromTheSameGenerationLosesNothing() throws {
        let directory = try TemporaryDirectory(prefix: "chunks")
        defer { directory.remove() }
        let first = Samples.walk(count: 120, start: Samples.day, interval: 30_000, seed: 3)  // hour 0
        let second = Samples.walk(count: 10, start: Samples.day + Samples.hour + 600_000, interval: 1000, seed: 4)
        let options = ChunkStoreOptions(sealDelay: 60_000)
        let headPath: String
        do {
            let store = try ChunkStore(directory: directory.path, options: options)
            for sample in first { _ = store.append(Self.volts, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 1, receivedAt: Samples.day + 3_599_000)
            headPath = try #require(store.layout.headFiles().last).path
            let oldHead = try Data(contentsOf: URL(fileURLWithPath: headPath))
            for sample in second { _ = store.append(Self.volts, timestamp: sample.timestamp, value: sample.value, attributes: sample.attributes) }
            try store.flush(checkpoint: 2, receivedAt: second.last!.timestamp)  // seals hour 0, rotates the head
            // The crash: the sealed file is in place, the old head not yet replaced.
            try FileManager.default.removeItem(atPath: try #require(store.layout.headFiles().last).path)
            try oldHead.write(to: URL(fileURLWithPath: headPath))
        }
        try Self.rewrite(headPath) { _, payload in
            var payload = payload
            for index in payload.blocks.indices { payload.blocks[index].block[0] = 0xEE }  // all of hour 0
            return payload.encoded()
        }
        let store = try ChunkStore(directory: directory.path, options: options)
        #expect(store.checkpoint == 1)
        #expect(store.bufferedSamples == 0)
        #expect(!store.recoveryNotes.contains { $0.contains("cannot be read") })
        #expect(ChunkArchive(directory: directory.path).samples(from: .min, to: .max) { _ in true }.first?.samples == first)
    }
}
