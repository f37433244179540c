import Foundation
import Telemetry
import Testing
import WriteAheadLog

@Suite struct SegmentTests {
    /// LSNs go up by one per record across segment rolls and reopenings; each file is named by its first LSN and
    /// no segment passes the size unless one record alone does.
    @Test func lsnsContinueAcrossRollsAndReopening() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        var generator = TestBytes(seed: 11)
        var expected: [LogRecord] = []
        var descriptors: [LogDescriptor] = []

        for round in 0..<3 {
            let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
            #expect(log.nextLSN == UInt64(expected.count) + 1)
            #expect(round == 0 ? log.recoveryReport.createdNewLog : log.recoveryReport.isClean)
            for index in 0..<150 {
                let descriptor: LogDescriptor
                if index % 10 == 9 {
                    let time = Int64(round * 1000 + index)
                    descriptor = try log.appendTick(at: time)
                    expected.append(.tick(at: time))
                } else {
                    let message = sampleMessage(index, payloadBytes: index % 300, generator: &generator)
                    descriptor = try log.append(message)
                    expected.append(.message(message))
                }
                #expect(descriptor.lsn == UInt64(expected.count))
                descriptors.append(descriptor)
            }
            // A record larger than a whole segment gets one of its own.
            let big = InboundMessage(receivedAt: 7, topic: "big", payload: generator.bytes(10_000))
            descriptors.append(try log.append(big))
            expected.append(.message(big))
            try log.close()
        }

        let names = try segmentNames(in: directory)
        #expect(names.first == "00000000000000000001.wal")
        #expect(names.count > 10)
        let entries = try readAll(directory)
        #expect(entries.map(\.record) == expected)
        #expect(entries.map(\.lsn) == Array(1...UInt64(expected.count)))
        #expect(entries.map(\.descriptor) == descriptors)
        // Each file starts with the record its name gives; segment numbers count up from 0.
        let firstOfSegment = Dictionary(grouping: entries, by: \.descriptor.segment).mapValues { $0.map(\.lsn).min()! }
        #expect(firstOfSegment.keys.sorted() == Array(0..<UInt32(firstOfSegment.count)))
        #expect(Set(names) == Set(firstOfSegment.values.map { String(format: "%020llu.wal", $0) }))
        for name in names {
            let size = try fileSize(directory + "/" + name)
            let holdsBig = entries.contains { String(format: "%020llu.wal", $0.lsn) == name && $0.descriptor.length > 4096 }
            #expect(size <= 4096 || holdsBig, "\(name) is \(size) bytes")
        }
    }

    /// A reader started at any LSN returns exactly the records from there, in order, across segments.
    @Test func readingFromAnyLSN() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 12)
        for index in 0..<300 { try log.append(sampleMessage(index, payloadBytes: 40 + index % 90, generator: &generator)) }
        let all = try readAll(directory)
        #expect(all.count == 300)
        #expect(log.segmentCount > 5)
        for lsn in 1...UInt64(302) {
            let entries = try readAll(directory, from: lsn)
            #expect(entries.map(\.lsn) == (lsn <= 300 ? Array(lsn...300) : []), "from \(lsn)")
            if let first = entries.first { #expect(first == all[Int(lsn) - 1]) }
        }
        try log.close()
    }

    @Test func removeSegmentsDeletesOnlyWholeSegmentsBelowTheLSN() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 13)
        var descriptors: [LogDescriptor] = []
        for index in 0..<200 { descriptors.append(try log.append(sampleMessage(index, payloadBytes: 100, generator: &generator))) }
        func diskBytes() throws -> UInt64 { try segmentNames(in: directory).reduce(0) { $0 + (try fileSize(directory + "/" + $1)) } }
        #expect(log.bytesOnDisk == (try diskBytes()))
        #expect(log.firstLSN == 1)

        // Checkpointed through LSN 99: segments holding only LSNs below 100 go, the one holding 100 stays.
        let segmentCount = log.segmentCount
        let holding100 = descriptors[99].segment
        let removed = try log.removeSegments(before: 100)
        #expect(removed == Int(holding100))
        #expect(log.segmentCount == segmentCount - removed)
        #expect(try segmentNames(in: directory).count == log.segmentCount)
        let firstKept = descriptors.first { $0.segment == holding100 }!.lsn
        #expect(log.firstLSN == firstKept)
        #expect(log.bytesOnDisk == (try diskBytes()))
        #expect(try readAll(directory, from: firstKept).count == 200 - Int(firstKept) + 1)
        #expect(throws: WriteAheadLogError.notAvailable(lsn: 1, firstLSN: firstKept)) { try LogReader(directory: directory, from: 1) }
        #expect(throws: WriteAheadLogError.notAvailable(lsn: 1, firstLSN: firstKept)) { try log.record(at: descriptors[0]) }
        #expect(try log.record(at: descriptors[150]) == (try readAll(directory, from: 151).first?.record))
        #expect(try log.removeSegments(before: 100) == 0)

        // Everything: the current segment always stays, and appends go on.
        try log.removeSegments(before: .max)
        #expect(log.segmentCount == 1)
        #expect(log.bytesOnDisk == (try diskBytes()))
        #expect(try log.append(sampleMessage(0, payloadBytes: 10, generator: &generator)).lsn == 201)
        try log.close()

        let reopened = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(reopened.firstLSN == log.firstLSN)
        #expect(reopened.nextLSN == 202)
        #expect(reopened.bytesOnDisk == (try diskBytes()))
        try reopened.close()
    }
}
