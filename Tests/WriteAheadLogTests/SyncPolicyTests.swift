import Foundation
import Telemetry
import Testing
import WriteAheadLog

@Suite struct SyncPolicyTests {
    @Test func alwaysSyncsEachAppend() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let log = try WriteAheadLog(directory: scratch.appending("log"), segmentSize: 4096, syncPolicy: .always)
        var generator = TestBytes(seed: 31)
        for index in 0..<40 {
            let descriptor = try log.append(sampleMessage(index, payloadBytes: 200, generator: &generator))
            #expect(log.syncedLSN == descriptor.lsn)
        }
        try log.close()
    }

    @Test func neverSyncsOnlyOnDemand() async throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        var generator = TestBytes(seed: 32)
        for index in 0..<40 { try log.append(sampleMessage(index, payloadBytes: 200, generator: &generator)) }
        try await Task.sleep(for: .milliseconds(150))
        #expect(log.syncedLSN == nil)
        #expect(try log.sync() == 40)
        #expect(log.syncedLSN == 40)
        try log.appendTick(at: 1)
        #expect(log.syncedLSN == 40)
        try log.close()
        // Reopening flushes what it finds.
        let reopened = try WriteAheadLog(directory: directory, segmentSize: 4096, syncPolicy: .never)
        #expect(reopened.syncedLSN == 41)
        try reopened.close()
    }

    /// Group commit: the background thread flushes within about one interval, across segment rolls, without
    /// `sync()` being called; `close()` flushes the rest.
    @Test(arguments: [Duration.milliseconds(5), .milliseconds(100)])
    func intervalSyncsInTheBackground(interval: Duration) async throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let log = try WriteAheadLog(directory: scratch.appending("log"), segmentSize: 4096, syncPolicy: .interval(interval))
        var generator = TestBytes(seed: 33)
        var last: UInt64 = 0
        for index in 0..<100 { last = try log.append(sampleMessage(index, payloadBytes: 200, generator: &generator)).lsn }
        #expect(log.segmentCount > 3)
        let deadline = ContinuousClock.now + .seconds(5)
        while log.syncedLSN != last && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(log.syncedLSN == last)
        try log.appendTick(at: 9)
        try log.close()
        #expect(log.syncedLSN == last + 1)
    }

    /// An open log that is dropped without `close()` stops its thread and releases the directory.
    @Test func droppingTheLogReleasesIt() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        do {
            let log = try WriteAheadLog(directory: directory, syncPolicy: .interval(.milliseconds(10)))
            try log.appendTick(at: 1)
        }
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        #expect(log.nextLSN == 2)
        #expect(log.syncedLSN == 1)
        try log.close()
    }
}
