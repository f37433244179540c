import Foundation
import Telemetry
import Testing
import WriteAheadLog

@Suite struct RoundTripTests {
    /// Binary payloads (every byte value), an empty one, a 1 MB one, unicode topics, flags and ticks all come back
    /// exactly, through a sequential reader and through their descriptors.
    @Test func messagesAndTicksComeBackExactly() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        var generator = TestBytes(seed: 1)
        let records: [LogRecord] = [
            .message(InboundMessage(receivedAt: 1_795_262_400_123, topic: "ocpp/CP-1/in", qos: 1, retained: false,
                                    payload: (0...255).map { UInt8($0) })),
            .message(InboundMessage(receivedAt: 1_795_262_400_124, topic: "ocpp/CP-1/in", qos: 0, payload: [])),
            .tick(at: 1_795_262_401_000),
            .message(InboundMessage(receivedAt: 1_795_262_401_500, topic: "everest/ladestation-müller-😀/会话", qos: 2,
                                    retained: true, payload: generator.bytes(1_000_000))),
            .message(InboundMessage(receivedAt: -5, topic: "", qos: 1, payload: [0])),
            .tick(at: 0),
            .message(InboundMessage(receivedAt: Int64.max, topic: String(repeating: "t", count: 65_535), qos: 0,
                                    payload: Array("{\"a\":1}".utf8))),
        ]

        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        #expect(log.recoveryReport.createdNewLog)
        var descriptors: [LogDescriptor] = []
        for record in records {
            switch record {
            case .message(let message): descriptors.append(try log.append(message))
            case .tick(let time): descriptors.append(try log.appendTick(at: time))
            }
        }
        #expect(descriptors.map(\.lsn) == Array(1...UInt64(records.count)))
        #expect(log.lastLSN == UInt64(records.count))
        #expect(log.nextLSN == UInt64(records.count) + 1)

        // By descriptor, while the log is open.
        for (descriptor, record) in zip(descriptors, records) {
            #expect(try log.record(at: descriptor) == record)
        }
        // Sequentially, with the same descriptors.
        let entries = try readAll(directory)
        #expect(entries.map(\.record) == records)
        #expect(entries.map(\.descriptor) == descriptors)
        // Sequentially, lent in place: the same records and LSNs.
        let lending = try LogReader(directory: directory, from: 1)
        var lent: [(UInt64, LogRecord)] = []
        while let next = try lending.withNext({ ($0.lsn, $0.record) }) { lent.append(next) }
        #expect(lent.map(\.0) == descriptors.map(\.lsn))
        #expect(lent.map(\.1) == records)
        try log.close()

        // And after reopening.
        let reopened = try WriteAheadLog(directory: directory, syncPolicy: .never)
        #expect(reopened.recoveryReport.isClean)
        #expect(reopened.nextLSN == UInt64(records.count) + 1)
        #expect(try reopened.record(at: descriptors[3]) == records[3])
        try reopened.close()
    }

    /// The raw-pointer append (what the MQTT callback uses) and the zero-copy read with a reused buffer.
    @Test func rawAppendAndViewRead() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let log = try WriteAheadLog(directory: scratch.appending("log"), syncPolicy: .never)
        let topic = Array("ocpp/CP-9/in".utf8)
        let payload = Array("[2,\"19\",\"Heartbeat\",{}]".utf8)
        let descriptor = try topic.withUnsafeBytes { topic in
            try payload.withUnsafeBytes { payload in
                try log.append(receivedAt: 42, topic: topic, qos: 1, retained: true, payload: payload)
            }
        }
        #expect(descriptor == LogDescriptor(lsn: 1, segment: 0, offset: 24, length: UInt32(36 + topic.count + payload.count)))

        var buffer: [UInt8] = []
        let (seenTopic, seenPayload, lsn, qos, retained, time, isTick) = try log.withRecord(at: descriptor, buffer: &buffer) {
            (Array($0.topic), Array($0.payload), $0.lsn, $0.qos, $0.retained, $0.receivedAt, $0.isTick)
        }
        #expect(seenTopic == topic && seenPayload == payload)
        #expect(lsn == 1 && qos == 1 && retained && time == 42 && !isTick)
        let capacity = buffer.count
        _ = try log.withRecord(at: descriptor, buffer: &buffer) { $0.lsn }
        #expect(buffer.count == capacity)
        try log.close()
    }

    /// Records appended back to back are read as one run: each as `record(at:)` gives it, and a damaged one fails
    /// alone; a run whose segment is gone reads nothing (the caller reads record by record for the errors).
    @Test func aRunOfRecordsIsReadWithOneCall() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        var generator = TestBytes(seed: 3)
        var descriptors: [LogDescriptor] = []
        for index in 0..<50 {
            if index % 9 == 4 {
                descriptors.append(try log.appendTick(at: 1_795_262_400_000 + Int64(index)))
            } else {
                descriptors.append(try log.append(sampleMessage(index, payloadBytes: 40 + index * 13, generator: &generator)))
            }
        }
        #expect(zip(descriptors, descriptors.dropFirst()).allSatisfy { $0.isFollowed(by: $1) })
        #expect(!descriptors[3].isFollowed(by: descriptors[5]) && !descriptors[4].isFollowed(by: descriptors[3]))
        let expected = try descriptors.map { try log.record(at: $0) }

        func readRun(_ run: ArraySlice<LogDescriptor>) -> (read: Bool, records: [LogRecord?]) {
            var buffer: [UInt8] = []
            var records: [LogRecord?] = []
            let read = log.withContiguousRecords(run, buffer: &buffer) { descriptor, result in
                #expect(descriptor == run[run.startIndex + records.count])
                records.append(try? result.get().record)
            }
            return (read, records)
        }
        let whole = readRun(descriptors[...])
        #expect(whole.read && whole.records == expected)
        let middle = readRun(descriptors[10..<20])
        #expect(middle.read && middle.records == Array(expected[10..<20]))

        // One bit of record 17's payload flipped on disk: that record fails, the others still come back.
        let damaged = descriptors[17]
        try flipBit(directory + "/" + (try segmentNames(in: directory)).last!,
                    at: damaged.offset + UInt64(damaged.length) - 1)
        let afterDamage = readRun(descriptors[10..<20])
        #expect(afterDamage.read)
        #expect(afterDamage.records[7] == nil)
        #expect(afterDamage.records.enumerated().allSatisfy { $0.offset == 7 || $0.element == expected[10 + $0.offset] })

        // Descriptors that are not back to back are not read as a run.
        let gapped = readRun(ArraySlice([descriptors[1], descriptors[3]]))
        #expect(!gapped.read && gapped.records.isEmpty)
        let backwards = readRun(ArraySlice([descriptors[3], descriptors[2]]))
        #expect(!backwards.read && backwards.records.isEmpty)

        // A run in a segment the log does not have is not read at all.
        var missing = descriptors[0..<3]
        for k in missing.indices { missing[k].segment = 99 }
        let none = readRun(missing)
        #expect(!none.read && none.records.isEmpty)
        try log.close()
    }

    /// A reader's segment cache follows the log across segments, and a segment retention removed stays readable
    /// through it: every record comes back as `record(at:)` gave it while it was there.
    @Test func aSegmentCacheFollowsTheSegments() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let log = try WriteAheadLog(directory: scratch.appending("log"), segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 7)
        let descriptors = try (0..<120).map { try log.append(sampleMessage($0, payloadBytes: 150, generator: &generator)) }
        #expect(Set(descriptors.map(\.segment)).count > 3)
        let expected = try descriptors.map { try log.record(at: $0) }
        let cache = SegmentCache()
        var buffer: [UInt8] = []
        for (descriptor, record) in zip(descriptors, expected) {
            #expect(try log.withRecord(at: descriptor, buffer: &buffer, cache: cache) { $0.record } == record)
        }
        // Back to an earlier segment, then runs within each segment.
        #expect(try log.withRecord(at: descriptors[0], buffer: &buffer, cache: cache) { $0.record } == expected[0])
        for segment in Set(descriptors.map(\.segment)).sorted() {
            let run = descriptors.filter { $0.segment == segment }
            var seen: [LogRecord] = []
            #expect(log.withContiguousRecords(run[...], buffer: &buffer, cache: cache) { seen.append(try! $1.get().record) })
            #expect(seen == run.map { expected[Int($0.lsn) - 1] })
        }
        // The segment read last is held: once retention removed it, the log no longer has it, the cache still does.
        #expect(try log.withRecord(at: descriptors[0], buffer: &buffer, cache: cache) { $0.lsn } == 1)
        _ = try log.removeSegments(before: descriptors.last!.lsn)
        #expect(throws: WriteAheadLogError.self) { try log.record(at: descriptors[0]) }
        #expect(try log.withRecord(at: descriptors[0], buffer: &buffer, cache: cache) { $0.record } == expected[0])
        try log.close()
    }

    @Test func invalidAppendsAreRefused() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let log = try WriteAheadLog(directory: scratch.appending("log"), syncPolicy: .never)
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(throws: WriteAheadLogError.invalidQoS(3)) {
            try log.append(receivedAt: 0, topic: "a", qos: 3, retained: false, payload: empty)
        }
        #expect(throws: WriteAheadLogError.recordTooLarge(topicBytes: 65_536, payloadBytes: 0)) {
            try log.append(receivedAt: 0, topic: String(repeating: "x", count: 65_536), qos: 0, retained: false, payload: empty)
        }
        #expect(log.nextLSN == 1, "a refused append takes no LSN")
        try log.close()
        #expect(throws: WriteAheadLogError.closed(directory: scratch.appending("log"))) { try log.appendTick(at: 1) }
        try log.close()
        #expect(throws: WriteAheadLogError.invalidSegmentSize(100)) {
            try WriteAheadLog(directory: scratch.appending("other"), segmentSize: 100)
        }
    }

    @Test func systemErrorsNameTheFileAndTheReason() {
        let missing = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/log"
        do {
            _ = try WriteAheadLog(directory: missing)
            Issue.record("opened a log under a missing folder")
        } catch {
            #expect(error == .systemCall(name: "mkdir", path: missing, code: ENOENT, message: "No such file or directory"))
            #expect(error.description == "mkdir failed for \(missing): No such file or directory (errno 2)")
        }
    }

    /// One writer per directory, across objects and processes (an flock on LOCK).
    @Test func aSecondWriterIsRefused() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let first = try WriteAheadLog(directory: directory, syncPolicy: .never)
        #expect(throws: WriteAheadLogError.locked(directory: directory)) {
            try WriteAheadLog(directory: directory, syncPolicy: .never)
        }
        try first.close()
        let second = try WriteAheadLog(directory: directory, syncPolicy: .never)
        try second.close()
    }

    /// Records written without any fsync are in the kernel: a fresh reader (its own descriptors, as another process
    /// would have) sees all of them while the writer is still open, and follows it as it appends more.
    @Test func unsyncedRecordsAreReadableByAFreshReader() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 8192, syncPolicy: .never)
        var generator = TestBytes(seed: 3)
        var messages: [InboundMessage] = []
        for index in 0..<50 {
            let message = sampleMessage(index, payloadBytes: 200, generator: &generator)
            messages.append(message)
            try log.append(message)
        }
        #expect(log.syncedLSN == nil)
        let reader = try LogReader(directory: directory, from: 1)
        var seen: [LogRecord] = []
        while let entry = try reader.next() { seen.append(entry.record) }
        #expect(seen == messages.map { .message($0) })

        // The reader is at the end; it picks up what is appended next, across a segment roll.
        #expect(try reader.next() == nil)
        for index in 50..<120 {
            let message = sampleMessage(index, payloadBytes: 200, generator: &generator)
            messages.append(message)
            try log.append(message)
        }
        while let entry = try reader.next() { seen.append(entry.record) }
        #expect(seen == messages.map { .message($0) })
        #expect(log.segmentCount > 2)
        #expect(log.syncedLSN == nil)
        try log.close()
    }
}
    /// A reader opened mid-segment starts exactly at its LSN (it passes earlier records by their headers alone),
    /// and `skip(past:)` jumps over records the ring delivered, within the reader's segment only.
    /// A reader that has not reached the end keeps a window of the segment read before later records were
    /// appended. It must return those records, never take what its window lacks for the end (the worker catching up
    /// to a record the ring announced would stop short). Holds by reading past the window's end afresh; a log that
    /// allocated segments ahead (tried in 61138dd, reverted) broke it until the cursor re-read before deciding.
    @Test func aReaderReturnsRecordsAppendedAfterItsWindowWasRead() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 1 << 20, syncPolicy: .never)
        var generator = TestBytes(seed: 41)
        let messages = (0..<40).map { sampleMessage($0, payloadBytes: 150, generator: &generator) }
        for message in messages.prefix(3) { try log.append(message) }
        let reader = try LogReader(directory: directory, from: 1)
        #expect(try reader.next()?.record == .message(messages[0]))  // the window now ends after record 3
        for message in messages.dropFirst(3) { try log.append(message) }
        var seen = [LogRecord.message(messages[0])]
        while let entry = try reader.next() { seen.append(entry.record) }
        #expect(seen == messages.map { .message($0) })
        try log.close()
    }

    @Test func readersStartMidSegmentAndSkipPastDescriptors() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 16 * 1024, syncPolicy: .never)
        var generator = TestBytes(seed: 9)
        var messages: [InboundMessage] = []
        var descriptors: [LogDescriptor] = []
        for index in 0..<300 {
            let message = sampleMessage(index, payloadBytes: 50 + index % 150, generator: &generator)
            messages.append(message)
            descriptors.append(try log.append(message))
        }
        #expect(log.segmentCount > 3)
        for start in [1, 2, 57, 150, 299, 300] {
            let entries = try readAll(directory, from: UInt64(start))
            #expect(entries.map(\.record) == messages[(start - 1)...].map { .message($0) }, "from \(start)")
            #expect(entries.first?.descriptor == descriptors[start - 1])
        }
        let reader = try LogReader(directory: directory, from: 1)
        for _ in 0..<5 { _ = try reader.next() }
        // A later record of the same segment: the next read is the one after it.
        let sameSegment = try #require(descriptors.last { $0.segment == descriptors[5].segment })
        #expect(reader.skip(past: sameSegment))
        #expect(reader.nextLSN == sameSegment.lsn + 1)
        #expect(try reader.next()?.descriptor == descriptors[Int(sameSegment.lsn)])
        // A record of a later segment, or one already behind the reader: refused, the reader unmoved.
        let later = try #require(descriptors.first { $0.segment > sameSegment.segment + 1 })
        let before = reader.nextLSN
        #expect(!reader.skip(past: later))
        #expect(!reader.skip(past: descriptors[2]))
        #expect(reader.nextLSN == before)
        var rest: [LogRecord] = []
        while let entry = try reader.next() { rest.append(entry.record) }
        #expect(rest == messages[Int(before - 1)...].map { .message($0) })
        try log.close()
    }

