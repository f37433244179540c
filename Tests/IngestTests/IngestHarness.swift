import Foundation
import Ingest
import Logging
import MosquittoTestSupport
import Pipeline
import SQLite
import Testing

/// A pipeline on a test broker, a data directory, and the helpers the live ingest tests share.
struct IngestHarness {
    let broker: MosquittoBroker
    let data: TemporaryDirectory
    let pipeline: PipelineDefinition
    var options: IngestOptions

    init(broker: MosquittoBroker, clientID: String = "wattline-test", ingestSection: String = "  lateness: 1s\n") throws {
        self.broker = broker
        data = try TemporaryDirectory(prefix: "wattline-ingest")
        let yaml = """
        broker:
          url: mqtt://127.0.0.1:\(broker.port)
          client_id: \(clientID)
        topics:
          - template: ev/{site}/{charger}/{connector}/{stream}
            format: compact
        ingest:
        \(ingestSection)
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

    /// Stored readings per charger: (count, distinct timestamps, whether LSN order follows timestamp order).
    func storedReadings() throws -> [String: (count: Int, inOrder: Bool)] {
        let database = try Database(path: data.path + "/wattline.db")
        defer { database.close() }
        let statement = try database.prepare("""
            SELECT charger, ts, lsn FROM readings JOIN series ON series.id = readings.series_id ORDER BY charger, ts
            """)
        var result: [String: (count: Int, inOrder: Bool)] = [:]
        var last: [String: Int64] = [:]
        while try statement.step() {
            let charger = statement.text(at: 0)
            let lsn = statement.int64(at: 2)
            var entry = result[charger] ?? (0, true)
            entry.count += 1
            if let previous = last[charger], lsn < previous { entry.inOrder = false }
            last[charger] = lsn
            result[charger] = entry
        }
        return result
    }
}
