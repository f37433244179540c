import Foundation
import Telemetry
import Testing
import WriteAheadLog

@Suite struct RecoveryTests {
    /// A log of 30 records whose last one is `last`; returns the directory's segment path, every record and the
    /// descriptor of the last one. Small segments, so the log has older segments too.
    private func writeLog(_ directory: String, last: LogRecord) throws -> (path: String, records: [LogRecord], last: LogDescriptor) {
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 21)
        var records: [LogRecord] = []
        for index in 0..<29 {
            let message = sampleMessage(index, payloadBytes: 150, generator: &generator)
            try log.append(message)
            records.append(.message(message))
        }
        let descriptor: LogDescriptor
        switch last {
        case .message(let message): descriptor = try log.append(message)
        case .tick(let time): descriptor = try log.appendTick(at: time)
        }
        records.append(last)
        try log.close()
        let path = directory + "/" + (try segmentNames(in: directory).last!)
        return (path, records, descriptor)
    }

    /// Cut the last record at every byte: opening truncates exactly the torn part, keeps everything before it, and
    /// the next append reuses the torn record's LSN and offset. Reopening after that is clean.
    @Test(arguments: [
        LogRecord.message(InboundMessage(receivedAt: 99, topic: "ocpp/CP-ü/in", qos: 2, retained: true,
                                         payload: Array("[2,\"1\",\"MeterValues\",{\"connectorId\":1}]".utf8) + [0, 255, 10])),
        LogRecord.tick(at: 1_795_262_460_000),
    ])
    func tornTailAtEveryByte(last: LogRecord) throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let original = scratch.appending("original")
        let written = try writeLog(original, last: last)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: written.path))
        let start = Int(written.last.offset)
        #expect(bytes.count == start + Int(written.last.length))
        let kept = Array(written.records.dropLast())
        let replacement = InboundMessage(receivedAt: 5, topic: "after", payload: [1, 2, 3])

        let directory = scratch.appending("torn")
        try FileManager.default.copyItem(atPath: original, toPath: directory)
        let segment = directory + "/" + URL(fileURLWithPath: written.path).lastPathComponent
        for cut in 0..<Int(written.last.length) {
            try bytes.prefix(start + cut).write(to: URL(fileURLWithPath: segment))
            let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
            let report = log.recoveryReport
            if cut == 0 {
                #expect(report.isClean, "cut \(cut)")
            } else {
                #expect(report.truncation?.path == segment)
                #expect(report.truncation?.offset == UInt64(start), "cut \(cut)")
                #expect(report.truncation?.bytesRemoved == UInt64(cut), "cut \(cut)")
                #expect(report.corruptions.isEmpty)
            }
            #expect(try fileSize(segment) == UInt64(start))
            #expect(log.nextLSN == written.last.lsn, "cut \(cut)")
            #expect(try readAll(directory).map(\.record) == kept, "cut \(cut)")

            let descriptor = try log.append(replacement)
            #expect(descriptor.lsn == written.last.lsn && descriptor.offset == UInt64(start), "cut \(cut)")
            try log.close()
            let reopened = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
            #expect(reopened.recoveryReport.isClean, "cut \(cut)")
            #expect(reopened.nextLSN == written.last.lsn + 1)
            try reopened.close()
            #expect(try readAll(directory).map(\.record) == kept + [.message(replacement)], "cut \(cut)")
        }
    }

    /// A torn 1 MB record, cut at a sample of offsets (inside the header, at its end, in the payload, one short).
    @Test func tornLargeRecord() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        var generator = TestBytes(seed: 22)
        let big = InboundMessage(receivedAt: 1, topic: "big", qos: 1, payload: generator.bytes(1_000_000))
        let original = scratch.appending("original")
        let written = try writeLog(original, last: .message(big))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: written.path))
        let start = Int(written.last.offset)
        for cut in [1, 35, 36, 37, 38, 500_000, Int(written.last.length) - 1] {
            let directory = scratch.appending("cut-\(cut)")
            try FileManager.default.copyItem(atPath: original, toPath: directory)
            let segment = directory + "/" + URL(fileURLWithPath: written.path).lastPathComponent
            try bytes.prefix(start + cut).write(to: URL(fileURLWithPath: segment))
            let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
            #expect(log.recoveryReport.truncation?.bytesRemoved == UInt64(cut))
            #expect(log.nextLSN == written.last.lsn)
            #expect(try readAll(directory).map(\.record) == Array(written.records.dropLast()))
            try log.close()
        }
    }

    /// What a power failure can leave after the last flush: a checksum that does not match, or a tail of zeros
    /// (the file grew but the data never reached the disk). Both are torn tails.
    @Test func garbageAndZerosAtTheTailAreTruncated() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let written = try writeLog(directory, last: .tick(at: 5))
        try flipBit(written.path, at: written.last.offset + 25)
        var log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(log.recoveryReport.truncation?.offset == written.last.offset)
        guard case .checksumMismatch = log.recoveryReport.truncation?.reason else {
            Issue.record("expected a checksum mismatch, got \(log.recoveryReport)")
            return
        }
        #expect(log.nextLSN == written.last.lsn)
        try log.close()

        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: written.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(count: 4096))
        try handle.close()
        log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(log.recoveryReport.truncation?.bytesRemoved == 4096)
        #expect(log.recoveryReport.truncation?.reason == .badMagic(found: 0))
        #expect(log.nextLSN == written.last.lsn)
        #expect(try readAll(directory).map(\.record) == Array(written.records.dropLast()))
        try log.close()
    }

    /// A process stopped inside a roll leaves a last segment shorter than its header: it is rewritten, and LSNs go
    /// on from its name.
    @Test func segmentCutInsideItsHeader() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let written = try writeLog(directory, last: .tick(at: 5))
        let next = written.last.lsn + 1
        let path = directory + "/" + String(format: "%020llu.wal", next)
        try Data([0x57, 0x57, 0x41]).write(to: URL(fileURLWithPath: path))
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(log.recoveryReport.truncation == TailTruncation(
            path: path, offset: 0, bytesRemoved: 3, reason: .truncated(present: 3, needed: 24)))
        #expect(log.nextLSN == next)
        let descriptor = try log.appendTick(at: 6)
        #expect(descriptor.lsn == next && descriptor.segment == written.last.segment + 1 && descriptor.offset == 24)
        try log.close()
        #expect(try readAll(directory).map(\.record) == written.records + [.tick(at: 6)])
    }

    /// A bit flipped inside an older segment: opening does not look there; a reader reports the file and offset of
    /// the damaged record and then goes on with the next one; `record(at:)` reports it too.
    @Test func bitFlipInAnOlderSegmentIsReported() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 23)
        var descriptors: [LogDescriptor] = []
        for index in 0..<120 { descriptors.append(try log.append(sampleMessage(index, payloadBytes: 100, generator: &generator))) }
        let original = try readAll(directory)
        try log.close()

        // In the payload of a record in the middle of the second segment.
        let damaged = descriptors.filter { $0.segment == 1 }.dropFirst(3).first!
        let path = directory + "/" + (try segmentNames(in: directory))[1]
        try flipBit(path, at: damaged.offset + 36 + 20)

        let reopened = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(reopened.recoveryReport.isClean)
        let outcomes = try readAllOutcomes(directory)
        #expect(outcomes.count == original.count)
        for (outcome, entry) in zip(outcomes, original) where entry.lsn != damaged.lsn {
            #expect(outcome == .entry(entry))
        }
        guard case .failure(.corrupt(let corruption)) = outcomes[Int(damaged.lsn) - 1] else {
            Issue.record("no corruption reported: \(outcomes[Int(damaged.lsn) - 1])")
            return
        }
        #expect(corruption.path == path)
        #expect(corruption.offset == damaged.offset)
        guard case .checksumMismatch = corruption.reason else {
            Issue.record("expected a checksum mismatch, got \(corruption.reason)")
            return
        }
        #expect(throws: WriteAheadLogError.corrupt(corruption)) { try reopened.record(at: damaged) }
        #expect(try reopened.record(at: descriptors[Int(damaged.lsn)]) == original[Int(damaged.lsn)].record)
        try reopened.close()
    }

    /// Damage to a record's header (its magic or length) in an older segment: the reader finds the next intact
    /// record by its magic and checksum.
    @Test(arguments: [UInt64(0), 5])
    func damagedHeaderInAnOlderSegmentIsSkipped(byte: UInt64) throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 24)
        var descriptors: [LogDescriptor] = []
        for index in 0..<120 { descriptors.append(try log.append(sampleMessage(index, payloadBytes: 100, generator: &generator))) }
        let original = try readAll(directory)
        try log.close()
        let damaged = descriptors.filter { $0.segment == 2 }.dropFirst(2).first!
        let path = directory + "/" + (try segmentNames(in: directory))[2]
        try flipBit(path, at: damaged.offset + byte, bit: 6)

        let outcomes = try readAllOutcomes(directory)
        let entries = outcomes.compactMap { if case .entry(let entry) = $0 { entry } else { nil } }
        #expect(entries == original.filter { $0.lsn != damaged.lsn })
        let failures = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(failures.count == 1)
        if case .corrupt(let corruption) = failures.first {
            #expect(corruption.path == path && corruption.offset == damaged.offset)
        } else {
            Issue.record("expected a corruption, got \(failures)")
        }
    }

    /// A bit flipped in the middle of the last segment is not a torn tail: intact records follow, so opening
    /// reports it and keeps them, and appends go on after them.
    @Test func bitFlipInTheMiddleOfTheLastSegmentIsKept() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        var generator = TestBytes(seed: 25)
        var descriptors: [LogDescriptor] = []
        for index in 0..<40 { descriptors.append(try log.append(sampleMessage(index, payloadBytes: 120, generator: &generator))) }
        try log.close()
        let path = directory + "/00000000000000000001.wal"
        let size = try fileSize(path)
        try flipBit(path, at: descriptors[20].offset + 50)

        let reopened = try WriteAheadLog(directory: directory, syncPolicy: .never)
        let report = reopened.recoveryReport
        #expect(report.truncation == nil)
        #expect(report.corruptions.map(\.offset) == [descriptors[20].offset])
        #expect(report.corruptions.first?.path == path)
        #expect(report.description.contains("\(path) at offset \(descriptors[20].offset): checksum mismatch"))
        #expect(try fileSize(path) == size)
        #expect(reopened.nextLSN == 41)
        #expect(try reopened.appendTick(at: 1).lsn == 41)
        try reopened.close()
        let outcomes = try readAllOutcomes(directory)
        #expect(outcomes.count == 41)
        #expect(outcomes.filter { if case .failure = $0 { true } else { false } }.count == 1)
    }

    /// A damaged header of an older segment is reported on open; a reader reports it and moves past the segment.
    @Test func damagedSegmentHeaderIsReported() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 26)
        var descriptors: [LogDescriptor] = []
        for index in 0..<120 { descriptors.append(try log.append(sampleMessage(index, payloadBytes: 100, generator: &generator))) }
        try log.close()
        let path = directory + "/" + (try segmentNames(in: directory))[1]
        try flipBit(path, at: 10)

        let reopened = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(reopened.recoveryReport.corruptions.map(\.path) == [path])
        #expect(reopened.recoveryReport.corruptions.first?.offset == 0)
        try reopened.close()
        let outcomes = try readAllOutcomes(directory)
        let lost = descriptors.filter { $0.segment == 1 }.map(\.lsn)
        let entries = outcomes.compactMap { if case .entry(let entry) = $0 { entry.lsn } else { nil } }
        #expect(entries == descriptors.map(\.lsn).filter { !lost.contains($0) })
        let failures = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(failures.count == 2)
        #expect(failures.last == .lsnGap(path: directory + "/" + (try segmentNames(in: directory))[2],
                                         expected: lost.first!, found: lost.last! + 1))
    }
}
