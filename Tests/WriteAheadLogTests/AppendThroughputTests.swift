import Foundation
import Telemetry
import Testing
import WriteAheadLog

/// How fast `append` is with group commit (`.interval(100 ms)`), the ingest path's setting. Prints messages per
/// second; the live target is 100,000/s on a 2-core machine. Debug builds are slower than release ones (checksums
/// especially): measure release with `swift test -c release --filter AppendThroughput`. Set WAL_BENCH_MESSAGES for
/// a longer run.
@Suite(.serialized) struct AppendThroughputTests {
    @Test(arguments: [200, 880])
    func appendThroughput(payloadBytes: Int) throws {
        let scratch = ScratchDirectory("bench")
        defer { scratch.remove() }
        let count = ProcessInfo.processInfo.environment["WAL_BENCH_MESSAGES"].flatMap(Int.init) ?? 50_000
        let log = try WriteAheadLog(directory: scratch.appending("log"), syncPolicy: .interval(.milliseconds(100)))
        var generator = TestBytes(seed: 41)
        let payload = generator.bytes(payloadBytes)
        let topics = (0..<64).map { Array("ocpp/CP-\(1000 + $0)/in".utf8) }
        var lastLSN: UInt64 = 0
        let elapsed = try ContinuousClock().measure {
            try payload.withUnsafeBytes { payload in
                for index in 0..<count {
                    lastLSN = try topics[index & 63].withUnsafeBytes { topic in
                        try log.append(receivedAt: Int64(index), topic: topic, qos: 1, retained: false, payload: payload)
                    }.lsn
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(count) / seconds
        let bytes = Double(log.bytesOnDisk)
        print("WAL append, \(payloadBytes)-byte payloads, .interval(100 ms): \(count) messages in "
              + "\(String(format: "%.3f", seconds)) s = \(Int(rate)) msg/s, "
              + "\(String(format: "%.0f", bytes / seconds / 1_048_576)) MiB/s, "
              + "\(String(format: "%.2f", seconds / Double(count) * 1e6)) µs each")
        #expect(lastLSN == UInt64(count))
        try log.close()
        #expect(log.syncedLSN == UInt64(count))
    }
}
