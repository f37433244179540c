import Ingest
import Telemetry
import Testing

/// The `/metrics` text: each identity term under its name with its help line, rejections by reason, gauges from
/// the runtime's levels, and counters that follow the runtime's between scrapes.
@Suite struct IngestMetricsTests {
    @Test func theExpositionNamesEveryTermAndFollowsTheCounters() {
        let counters = IngestCounters()
        counters.received.add(5)
        counters.accepted.add(4)
        counters.reject(.malformedJSON)
        let metrics = IngestMetrics(counters: counters) {
            var levels = RuntimeLevels()
            levels.readingsHeld = 7
            return levels
        }
        let first = String(decoding: metrics.scrape(), as: UTF8.self)
        #expect(first.contains("# HELP wattline_messages_received_total MQTT messages handed to Wattline"))
        #expect(first.contains("# TYPE wattline_messages_received_total counter"))
        #expect(first.contains("wattline_messages_received_total 5"))
        #expect(first.contains("wattline_messages_accepted_total 4"))
        #expect(first.contains(#"wattline_messages_rejected_total{reason="malformed_json"} 1"#))
        #expect(first.contains("# TYPE wattline_readings_held gauge"))
        #expect(first.contains("wattline_readings_held 7"))
        counters.received.add(3)
        #expect(String(decoding: metrics.scrape(), as: UTF8.self).contains("wattline_messages_received_total 8"))
    }
}
