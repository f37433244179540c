import Foundation
import Ingest
import MosquittoTestSupport
import Testing

/// Live ingest against a real mosquitto on a free loopback port. Serialized: each test runs its own broker, and
/// the machine has two cores.
@Suite(.serialized) struct LiveIngestTests {
    /// 100,000 QoS 1 messages on ten topics: every one accepted, decoded and stored once, in order per topic.
    @Test func everyMessageIsAccountedForInOrderPerTopic() throws {
        let broker = try MosquittoBroker()
        let harness = try IngestHarness(broker: broker)
        defer { harness.data.remove() }
        let ingest = try harness.makeIngest()
        try ingest.start()
        defer { ingest.stop() }
        #expect(IngestHarness.eventually(10) { ingest.connected.load(ordering: .relaxed) })

        let perTopic = 10_000
        let topics = (0..<10).map { "ev/site-a/CP-\($0)/1/meter" }
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            for topic in topics[(half * 5)..<(half * 5 + 5)] {
                try? broker.publish(topic: topic, lines: IngestHarness.lines(from: 0, count: perTopic), qos: 1)
            }
        }
        let counters = ingest.core.counters
        #expect(IngestHarness.eventually(120) {
            counters.accepted.current == 100_000 && counters.pending == 0 && counters.readingsStored.current == 100_000
        }, "accepted \(counters.accepted.current), stored \(counters.readingsStored.current)")
        IngestHarness.expectIdentities(counters)
        #expect(counters.rejected == 0)
        #expect(counters.readingsDuplicate.current == 0)

        // The archive shows what its head file holds: the last readings arrive with the next flush.
        #expect(IngestHarness.eventually(10) { (try? harness.storedReadings())?.values.map(\.count).reduce(0, +) == 100_000 })
        let stored = try harness.storedReadings()
        #expect(stored.count == 10)
        for (charger, entry) in stored {
            #expect(entry.count == perTopic, "\(charger)")
            #expect(entry.inOrder, "\(charger): stored in receive order")
        }
    }

    /// The processors publish each site's load for dashboards on `processors.load.publish_topic`, retained.
    @Test func siteLoadIsPublishedForDashboards() throws {
        let broker = try MosquittoBroker()
        let harness = try IngestHarness(broker: broker, extra: """
            processors:
              load:
                publish_topic: dash/load/{site}
                interval: 1s
            """)
        defer { harness.data.remove() }
        let ingest = try harness.makeIngest()
        try ingest.start()
        defer { ingest.stop() }
        #expect(IngestHarness.eventually(10) { ingest.connected.load(ordering: .relaxed) })
        let lines = (0..<30).map { #"{"ts":\#(1_795_262_400_000 + Int64($0) * 1000),"power_w":7200,"energy_wh":\#(1000 + $0 * 2)}"# }
        try broker.publish(topic: "ev/site-l/CP-L/1/meter", lines: lines, qos: 1)
        let received = harness.receiveOne("dash/load/#") {
            $0.hasPrefix("dash/load/site-l ") && $0.contains("\"loadW\":7200")
        }
        #expect(!received.isEmpty, "no load message for site-l")
        // Power flowing on a charger that sends no transactions: a session by evidence, counted as open.
        #expect(IngestHarness.eventually(10) { ingest.core.levels().openSessions == 1 },
                "open sessions: \(ingest.core.levels().openSessions)")
    }

    /// The broker stops (SIGTERM, persistence on) and comes back mid-stream; Wattline reconnects by itself and,
    /// with its persistent session, loses nothing. Then Wattline stops, messages arrive while it is away, and a
    /// new run on the same data directory receives them.
    @Test func brokerRestartAndWattlineRestartLoseNothing() throws {
        let broker = try MosquittoBroker()
        let harness = try IngestHarness(broker: broker)
        defer { harness.data.remove() }
        let topic = "ev/site-a/CP-1/1/meter"
        do {
            let ingest = try harness.makeIngest()
            try ingest.start()
            #expect(IngestHarness.eventually(10) { ingest.connected.load(ordering: .relaxed) })
            try broker.publish(topic: topic, lines: IngestHarness.lines(from: 0, count: 3_000), qos: 1)
            #expect(IngestHarness.eventually(30) { ingest.core.counters.accepted.current == 3_000 })
            broker.stop()
            #expect(IngestHarness.eventually(10) { !ingest.connected.load(ordering: .relaxed) })
            try broker.restart()
            #expect(IngestHarness.eventually(30) { ingest.connected.load(ordering: .relaxed) })
            try broker.publish(topic: topic, lines: IngestHarness.lines(from: 3_000, count: 3_000), qos: 1)
            #expect(IngestHarness.eventually(60) { ingest.core.counters.readingsStored.current == 6_000 },
                    "stored \(ingest.core.counters.readingsStored.current)")
            #expect(ingest.core.counters.reconnects.current >= 1)
            IngestHarness.expectIdentities(ingest.core.counters)
            ingest.stop()
        }
        // Published while Wattline is away: the broker queues them for the persistent session.
        try broker.publish(topic: topic, lines: IngestHarness.lines(from: 6_000, count: 2_000), qos: 1)
        let again = try harness.makeIngest()
        try again.start()
        defer { again.stop() }
        #expect(IngestHarness.eventually(60) { (try? harness.storedReadings()["CP-1"]?.count) == 8_000 },
                "stored \(String(describing: try? harness.storedReadings()["CP-1"]?.count))")
        IngestHarness.expectIdentities(again.core.counters)
    }

    /// A deliberately slow stage: the ring fills, the log absorbs the backlog (spill), nothing is dropped and
    /// memory stays bounded; at the log's quota Wattline disconnects cleanly and reconnects once below the
    /// low-water mark.
    @Test func aSlowStageSpillsToTheLogAndTheQuotaPausesIntake() throws {
        let broker = try MosquittoBroker()
        var harness = try IngestHarness(broker: broker, ingestSection: """
              lateness: 1s
              ring_capacity: 64
              batch_size: 16
              segment_size: 16KiB
              log_quota: 256KiB
              log_low_water: 64KiB
            """)
        harness.options.stagePause = .milliseconds(10)
        defer { harness.data.remove() }
        let ingest = try harness.makeIngest()
        try ingest.start()
        defer { ingest.stop() }
        #expect(IngestHarness.eventually(10) { ingest.connected.load(ordering: .relaxed) })
        let before = Self.residentBytes()
        let total = 12_000
        try broker.publish(topic: "ev/site-a/CP-9/1/meter", lines: IngestHarness.lines(from: 0, count: total), qos: 1)
        let counters = ingest.core.counters
        var peak = 0
        #expect(IngestHarness.eventually(180) {
            peak = max(peak, Self.residentBytes())
            return counters.readingsStored.current == total
        }, "stored \(counters.readingsStored.current) of \(total)")
        #expect(counters.spills.current > 0, "the ring must have been full")
        #expect(counters.quotaDisconnects.current >= 1, "the quota must have paused intake")
        #expect(counters.refusedQuota.current == 0, "nothing refused: the disconnect came first")
        #expect(IngestHarness.eventually(10) { ingest.connected.load(ordering: .relaxed) }, "reconnected below low water")
        IngestHarness.expectIdentities(counters)
        #expect(peak - before < 96 << 20, "resident memory grew by \((peak - before) >> 20) MiB")
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
