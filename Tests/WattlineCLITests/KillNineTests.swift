import ChunkStore
import Foundation
import MosquittoTestSupport
import Synchronization
import Testing

/// `wattline run` as a process, killed with SIGKILL mid-stream and restarted on the same data directory: every
/// message the publisher got a PUBACK for is stored exactly once.
@Suite(.serialized) struct KillNineTests {
    /// `wattline run` in the background, its stdout and stderr appended to `log` (`ChildProcess`: no pipes).
    final class RunningWattline {
        let child: ChildProcess
        let log: URL

        init(pipeline: String, data: String, log: URL) throws {
            self.log = log
            child = try ChildProcess(try WattlineProcess.executable.path,
                                     ["run", "--pipeline", pipeline, "--data", data, "--metrics", "off"],
                                     outputPath: log.path, directory: WattlineProcess.repository.path)
        }

        func signal(_ signo: Int32) { child.send(signo) }

        /// The exit code (128 + the signal that ended it), or nil if it still runs after `seconds`.
        func waitForExit(seconds: Double = 30) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while !child.hasExited && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            return child.hasExited ? child.wait() : nil
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    /// The stored energy values (the messages' sequence numbers) in timestamp order, read from the chunk store.
    static func storedSequenceNumbers(_ data: String) -> [Int64] {
        let archive = ChunkArchive(directory: data + "/chunks")
        return archive.samples(from: .min, to: .max) { _ in true }.flatMap(\.samples).map { Int64($0.value) }
    }

    @Test func aKilledRunLosesNothingAcceptedAndStoresItOnce() throws {
        let broker = try MosquittoBroker()
        let directory = try TemporaryDirectory(prefix: "wattline-kill")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let pipeline = try directory.write("""
            broker:
              url: mqtt://127.0.0.1:\(broker.port)
              client_id: wattline-kill-test
            topics:
              - template: ev/{site}/{charger}/{connector}/{stream}
                format: compact
            ingest:
              lateness: 1s
            storage:
              flush_interval: 250ms
            """, to: "pipeline.yaml")
        let logFile = URL(fileURLWithPath: directory.path + "/wattline.log")

        let first = try RunningWattline(pipeline: pipeline, data: data, log: logFile)
        #expect(Self.eventually(15) { first.output.contains("connected to") }, "\(first.output)")
        let total = 20_000
        let lines = (0..<total).map { #"{"ts":\#(1_795_262_400_000 + Int64($0) * 1000),"energy_wh":\#($0)}"# }
        let published = DispatchSemaphore(value: 0)
        let publishError = LockedBox<(any Error)?>(nil)
        Thread.detachNewThread {
            do { try broker.publish(topic: "ev/site-k/CP-K/1/meter", lines: lines, qos: 1) } catch { publishError.set(error) }
            published.signal()
        }
        // Mid-stream: some messages stored, some only in the log, some in flight.
        #expect(Self.eventually(30) { Self.storedSequenceNumbers(data).count > 500 })
        first.signal(SIGKILL)
        #expect(first.waitForExit() == 128 + SIGKILL)

        let second = try RunningWattline(pipeline: pipeline, data: data, log: logFile)
        #expect(published.wait(timeout: .now() + 120) == .success, "the publisher did not finish")
        #expect(publishError.get() == nil, "\(String(describing: publishError.get()))")
        #expect(Self.eventually(120) { Self.storedSequenceNumbers(data).count >= total },
                "stored \(Self.storedSequenceNumbers(data).count) of \(total):\n\(second.output.suffix(3000))")
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0, "a clean stop exits 0:\n\(second.output.suffix(2000))")

        let stored = Self.storedSequenceNumbers(data)
        #expect(stored.count == total, "every PUBACKed message stored exactly once")
        let missing = Set(0..<Int64(total)).subtracting(stored).sorted()
        #expect(stored == (0..<Int64(total)).map { $0 },
                "no gap, no repeat: missing \(missing.prefix(20)), \(stored.count - Set(stored).count) repeated")
        #expect(second.output.contains("resuming from log record") || second.output.contains("stopped:"))
    }

    static func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }
}

/// A value shared between the test thread and a publisher thread, behind a mutex.
final class LockedBox<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) { self.value = Mutex(value) }

    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}
