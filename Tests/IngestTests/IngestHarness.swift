import ChunkStore
import Foundation
import Ingest
import Logging
import MosquittoTestSupport
import Pipeline
import Testing

/// A pipeline on a test broker, a data directory, and the helpers the live ingest tests share.
struct IngestHarness {
    let broker: MosquittoBroker
    let data: TemporaryDirectory
    let pipeline: PipelineDefinition
    var options: IngestOptions

    init(broker: MosquittoBroker, clientID: String = "wattline-test", ingestSection: String = "  lateness: 1s\n",
         extra: String = "") throws {
        self.broker = broker
        data = try TemporaryDirectory(prefix: "wattline-ingest")
        let yaml = """
        broker:
          url: mqtt://127.0.0.1:\(broker.port)
          client_id: \(clientID)
        topics:
          - template: ev/{site}/{charger}/{connector}/{stream}
            format: compact
        storage:
          flush_interval: 250ms
        ingest:
        \(ingestSection)
        \(extra)
        """
        pipeline = try PipelineDefinition.load(yaml: yaml, fileName: "test.yaml", environment: [:])
        options = try IngestOptions.read(pipeline, dataDirectory: data.path)
    }

    func makeIngest() throws -> LiveIngest {
        try LiveIngest(pipeline: pipeline, options: options, logger: Logger(label: "test"))
    }

    /// Compact messages with a sequence number as timestamp offset and energy register.
    static func lines(from first: Int, count: Int) -> [String] {
        (first..<(first + count)).map { #"{"ts":\#(1_795_262_400_000 + Int64($0) * 1000),"energy_wh":\#($0)}"# }
    }

    /// Waits until `condition` holds, up to `seconds`.
    static func eventually(_ seconds: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    /// One message Wattline published on `filter`, as `mosquitto_sub` prints it (`format`, e.g. `%t %p`), once
    /// `accept` takes it; "" when none came within `seconds`.
    func receiveOne(_ filter: String, format: String = "%t %p", within seconds: Double = 20,
                    until accept: (String) -> Bool) -> String {
        var received = ""
        _ = Self.eventually(seconds) {
            received = (try? ChildProcess.run("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1",
                                                                          "-t", filter, "-C", "1", "-W", "2", "-F", format],
                                               in: data)) ?? ""
            return accept(received)
        }
        return accept(received) ? received : ""
    }

    /// The accounting identities of the ingest issue.
    static func expectIdentities(_ counters: IngestCounters, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(counters.received.current == counters.accepted.current + counters.refusedOversize.current
                + counters.refusedQuota.current, "received = accepted + refused", sourceLocation: sourceLocation)
        #expect(counters.accepted.current + counters.recovered.current
                == counters.decoded.current + counters.rejected + counters.pending,
                "accepted + recovered = decoded + rejected + pending", sourceLocation: sourceLocation)
        #expect(counters.readingsDecoded.current == counters.readingsStored.current + counters.readingsDuplicate.current
                + counters.readingsHeld.current, "decoded readings = stored + duplicates + held",
                sourceLocation: sourceLocation)
    }

    /// Stored readings per charger, read back from the chunk store as a query would: (count, whether the values —
    /// the messages' sequence numbers — rise with the timestamps, each exactly once).
    func storedReadings() throws -> [String: (count: Int, inOrder: Bool)] {
        let archive = ChunkArchive(directory: data.path + "/chunks")
        var result: [String: (count: Int, inOrder: Bool)] = [:]
        for item in archive.samples(from: .min, to: .max, where: { _ in true }) {
            let values = item.samples.map(\.value)
            let inOrder = zip(values, values.dropFirst()).allSatisfy { $1 == $0 + 1 }
            let entry = result[item.series.charger] ?? (0, true)
            result[item.series.charger] = (entry.count + values.count, entry.inOrder && inOrder)
        }
        return result
    }
}
