import Foundation
import Ingest
import Logging
import MosquittoTestSupport
import Pipeline
import Testing

/// The ingest core fed directly (no broker), stopped and started again on the same data directory.
@Suite struct IngestCoreRestartTests {
    static let yaml = """
        broker:
          url: mqtt://127.0.0.1:1883
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
          - template: ocpp/{charger}/out
            format: ocpp-j
            direction: backend
        """

    static func accept(_ core: IngestCore, _ topic: String, _ text: String, at time: Int64) {
        let topicBytes = Array(topic.utf8)
        let payload = Array(text.utf8)
        topicBytes.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in
                core.acceptor.accept(receivedAt: time, topic: t, payload: p, qos: 1, retained: false)
            }
        }
    }

    /// A StartTransaction whose result arrives only after a restart still gets its transaction id: the checkpoint
    /// stays below a CALL still waiting for its result, so the new run reads the CALL again.
    @Test func aResultAfterARestartStillFindsItsCall() throws {
        let data = try TemporaryDirectory(prefix: "wattline-core")
        defer { data.remove() }
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "core.yaml", environment: [:])
        let options = IngestOptions(dataDirectory: data.path)
        let start = #"[2,"s-1","StartTransaction",{"connectorId":1,"idTag":"T1","meterStart":1000,"timestamp":"2026-11-21T12:00:00Z"}]"#
        let heartbeat = #"[2,"h-1","Heartbeat",{}]"#
        // Receive times near the wall clock: the runtime's tick records carry it, and a CALL holds the checkpoint
        // back for a minute of receive time.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
            try core.start()
            Self.accept(core, "ocpp/CP-1/in", start, at: now)
            Self.accept(core, "ocpp/CP-1/in", heartbeat, at: now + 1)
            #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 2 })
            #expect(core.counters.events.current == 1, "the StartTransaction event")
            core.stop()
        }
        let core = try IngestCore(pipeline: pipeline, options: options, logger: Logger(label: "test"))
        try core.start()
        defer { core.stop() }
        #expect(IngestHarness.eventually(10) { core.counters.recovered.current == 2 }, "both records read again")
        Self.accept(core, "ocpp/CP-1/out", #"[3,"s-1",{"transactionId":42,"idTagInfo":{"status":"Accepted"}}]"#,
                    at: now + 2)
        #expect(IngestHarness.eventually(10) { core.counters.decoded.current == 3 })
        // StartTransaction (read again) + the idAssigned event of its result.
        #expect(core.counters.events.current == 2)
        IngestHarness.expectIdentities(core.counters)
    }
}
