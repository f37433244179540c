import Foundation
import Synchronization
import Telemetry
import Testing
import WriteAheadLog

/// The log shared the way the ingest runtime shares it: one appending thread, while other threads read records by
/// descriptor, sync on demand, trim old segments and read the positions, and the background thread group-commits.
@Suite struct ConcurrencyTests {
    private final class Shared: Sendable {
        let latest = Mutex<LogDescriptor?>(nil)
        let finished = Atomic<Bool>(false)
        /// Tasks running; the writer starts once all three are.
        let started = Atomic<Int>(0)
    }

    @Test func appendingWhileOthersReadSyncAndTrim() async throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, segmentSize: 16 * 1024, syncPolicy: .interval(.milliseconds(1)))
        let shared = Shared()
        let count = 10_000

        let writer = Thread {
            var generator = TestBytes(seed: 51)
            while shared.started.load(ordering: .relaxed) < 3 { usleep(100) }
            for index in 1...count {
                if index % 256 == 0 { usleep(50) }  // stretch the run, so the others take many turns during it
                // On a loaded machine the trimming task may not have had a turn yet: wait for it (up to 30 s) before
                // the second half, so the run really overlaps appends with trims.
                if index > count / 2 {
                    var waited = 0
                    while log.firstLSN == 1 && waited < 30_000 { usleep(1000); waited += 1 }
                }
                let message = InboundMessage(receivedAt: Int64(index), topic: "t/\(index)", payload: generator.bytes(index % 200))
                let descriptor = try! log.append(message)
                shared.latest.withLock { $0 = descriptor }
            }
            // Release: the appends above happen before a task that sees `finished`.
            shared.finished.store(true, ordering: .releasing)
        }
        writer.start()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {  // reads the newest record back by its descriptor
                var buffer: [UInt8] = []
                shared.started.add(1, ordering: .relaxed)
                while !shared.finished.load(ordering: .acquiring) {
                    guard let descriptor = shared.latest.withLock({ $0 }) else { continue }
                    let topic = try log.withRecord(at: descriptor, buffer: &buffer) { String(decoding: $0.topic, as: UTF8.self) }
                    #expect(topic == "t/\(descriptor.lsn)")
                    await Task.yield()  // two pool threads on this machine: leave room for the other tasks
                }
            }
            group.addTask {  // syncs on demand; durable LSNs never go back
                var previous: UInt64 = 0
                shared.started.add(1, ordering: .relaxed)
                while !shared.finished.load(ordering: .acquiring) {
                    let synced = try log.sync()
                    #expect(synced >= previous)
                    previous = synced
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            group.addTask {  // trims all but the last ~1000 records, as checkpoints advance
                shared.started.add(1, ordering: .relaxed)
                repeat {
                    if let last = log.lastLSN, last > 2000 { try log.removeSegments(before: last - 1000) }
                    #expect(log.bytesOnDisk > 0 && log.firstLSN <= log.nextLSN)
                    try await Task.sleep(for: .milliseconds(1))
                } while !shared.finished.load(ordering: .acquiring)
            }
            try await group.waitForAll()
        }

        #expect(log.lastLSN == UInt64(count))
        #expect(log.firstLSN > 1)
        let entries = try readAll(directory, from: log.firstLSN)
        #expect(entries.map(\.lsn) == Array(log.firstLSN...UInt64(count)))
        for entry in entries {
            guard case .message(let message) = entry.record else { Issue.record("not a message: \(entry)"); continue }
            #expect(message.topic == "t/\(entry.lsn)" && message.payload.count == Int(entry.lsn) % 200)
        }
        try log.close()
        #expect(log.syncedLSN == UInt64(count))
    }
}
