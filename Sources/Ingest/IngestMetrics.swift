import Alerts
import Prometheus
import Synchronization
import Telemetry

/// The Prometheus exposition of the ingest runtime: every term of the accounting identities, rejections by
/// reason, and the runtime's levels. Counts live in `IngestCounters` (atomics on the hot path); a scrape brings the
/// Prometheus counters up to date by their difference since the last scrape, then emits the text format.
public final class IngestMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let counters: IngestCounters
    private let levels: @Sendable () -> RuntimeLevels
    /// (Prometheus counter, its source, the value last exported). Guarded by the mutex: scrapes may overlap.
    private let exported: Mutex<[String: Int]>
    private let countSources: [(name: String, counter: Prometheus.Counter, read: @Sendable () -> Int)]
    private let rejectedCounters: [RejectReason: Prometheus.Counter]
    private let gauges: [(gauge: Prometheus.Gauge, read: @Sendable (RuntimeLevels) -> Double)]

    /// A metric's whole name (already with its `_total` or unit suffix) and help text.
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// `alerts`: the alert dispatcher's counters, when hooks run.
    public init(counters: IngestCounters, alerts: AlertCounters? = nil, levels: @escaping @Sendable () -> RuntimeLevels) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.counters = counters
        self.levels = levels
        let c = counters
        func counter(_ name: String, _ help: String, _ read: @escaping @Sendable () -> Int) -> (String, Prometheus.Counter, @Sendable () -> Int) {
            (name, registry.makeCounter(descriptor: Self.descriptor(name, help)), read)
        }
        countSources = [
            counter("wattline_messages_received_total", "MQTT messages handed to Wattline", { c.received.current }),
            counter("wattline_messages_accepted_total", "Messages written to the write-ahead log", { c.accepted.current }),
            counter("wattline_messages_refused_oversize_total", "Messages refused before the log: payload over the hard limit", { c.refusedOversize.current }),
            counter("wattline_messages_refused_quota_total", "Messages refused before the log: disk quota full", { c.refusedQuota.current }),
            counter("wattline_messages_recovered_total", "Records read back from the log at start", { c.recovered.current }),
            counter("wattline_messages_decoded_total", "Messages decoded", { c.decoded.current }),
            counter("wattline_readings_decoded_total", "Readings out of decoding", { c.readingsDecoded.current }),
            counter("wattline_readings_stored_total", "Readings stored", { c.readingsStored.current }),
            counter("wattline_readings_duplicate_total", "Duplicate readings not stored again", { c.readingsDuplicate.current }),
            counter("wattline_readings_conflict_total", "Readings with a stored identity and another value (kept, flagged)", { c.readingsConflict.current }),
            counter("wattline_readings_late_total", "Readings after their window closed (kept, flagged)", { c.readingsLate.current }),
            counter("wattline_readings_future_total", "Readings timestamped beyond receive time plus tolerance (kept, flagged)", { c.readingsFuture.current }),
            counter("wattline_events_total", "Status and transaction events decoded", { c.events.current }),
            counter("wattline_messages_retained_total", "Retained deliveries (state, no fresh contact)", { c.retained.current }),
            counter("wattline_redeliveries_total", "Messages delivered again that the log already holds", { c.redeliveries.current }),
            counter("wattline_dead_letter_dropped_total", "Rejected messages not kept because the dead-letter quota was full", { c.deadLetterDropped.current }),
            counter("wattline_spills_total", "Times the ring was full and the worker read from the log instead", { c.spills.current }),
            counter("wattline_bytes_accepted_total", "Payload bytes accepted", { c.bytesAccepted.current }),
            counter("wattline_reconnects_total", "MQTT reconnects", { c.reconnects.current }),
            counter("wattline_quota_disconnects_total", "Clean disconnects because the log reached its disk quota", { c.quotaDisconnects.current }),
            counter("wattline_alerts_delivered_total", "Alert events a hook took (exit 0)", { alerts?.value(.delivered) ?? 0 }),
            counter("wattline_alerts_failed_runs_total", "Hook runs that failed (non-zero exit, timeout, not started); retried", { alerts?.value(.failedRuns) ?? 0 }),
            counter("wattline_alerts_timeouts_total", "Hook runs killed at their timeout", { alerts?.value(.timeouts) ?? 0 }),
            counter("wattline_alerts_dead_lettered_total", "Alert events given up on after the last retry (kept in alerts/failed.jsonl)", { alerts?.value(.deadLettered) ?? 0 }),
            counter("wattline_alerts_over_quota_total", "Alert events the full outbox refused (kept in alerts/failed.jsonl)", { alerts?.value(.overQuota) ?? 0 }),
            counter("wattline_alerts_coalesced_total", "anomaly.updated events merged into one still waiting", { alerts?.value(.coalesced) ?? 0 }),
        ]
        var rejected: [RejectReason: Prometheus.Counter] = [:]
        for reason in RejectReason.allCases {
            rejected[reason] = registry.makeCounter(
                descriptor: Self.descriptor("wattline_messages_rejected_total", "Messages rejected, by reason"),
                labels: [("reason", reason.rawValue)])
        }
        rejectedCounters = rejected
        func gauge(_ name: String, _ help: String, _ read: @escaping @Sendable (RuntimeLevels) -> Double) -> (Prometheus.Gauge, @Sendable (RuntimeLevels) -> Double) {
            (registry.makeGauge(descriptor: Self.descriptor(name, help)), read)
        }
        gauges = [
            gauge("wattline_messages_pending", "Accepted or recovered, not yet decoded", { Double($0.pending) }),
            gauge("wattline_readings_held", "Readings waiting in the reordering windows, or released and waiting for the next second of receive time", { Double($0.readingsHeld) }),
            gauge("wattline_ring_occupancy", "Descriptors in the ring", { Double($0.ringOccupancy) }),
            gauge("wattline_ring_capacity", "Ring capacity", { Double($0.ringCapacity) }),
            gauge("wattline_spill_backlog", "Records in the log not yet processed and not in the ring", { Double($0.spillBacklog) }),
            gauge("wattline_stage_lag_lsn", "Log records between the newest accepted and the last processed", { Double($0.stageLagRecords) }),
            gauge("wattline_stage_lag_seconds", "Receive-time age of the record last processed", { $0.stageLagSeconds }),
            gauge("wattline_log_bytes", "Bytes of write-ahead log on disk", { Double($0.logBytes) }),
            gauge("wattline_log_quota_bytes", "The log's disk quota", { Double($0.logQuotaBytes) }),
            gauge("wattline_connected", "1 while connected to the broker", { $0.connected ? 1 : 0 }),
            gauge("wattline_broker_dropped_total", "Messages the broker reports dropped ($SYS, broker-wide)", { Double($0.brokerDropped) }),
            gauge("wattline_open_sessions", "Charging sessions open", { Double($0.openSessions) }),
            gauge("wattline_open_anomalies", "Anomalies open", { Double($0.openAnomalies) }),
            gauge("wattline_alerts_outbox", "Alert events waiting in the outbox (all hooks)", { _ in Double(alerts?.value(.outboxRows) ?? 0) }),
        ]
        exported = Mutex([:])
    }

    /// The exposition text, brought up to date.
    public func scrape() -> [UInt8] {
        exported.withLock { last in
            for source in countSources {
                let now = source.read()
                let delta = now - last[source.name, default: 0]
                if delta > 0 { source.counter.increment(by: Int64(delta)) }
                last[source.name] = now
            }
            let rejected = counters.rejectedByReason.withLock { $0 }
            for (reason, counter) in rejectedCounters {
                let key = "rejected." + reason.rawValue
                let now = rejected[reason, default: 0]
                let delta = now - last[key, default: 0]
                if delta > 0 { counter.increment(by: Int64(delta)) }
                last[key] = now
            }
        }
        let current = levels()
        for entry in gauges { entry.gauge.set(entry.read(current)) }
        return registry.emitToBuffer()
    }
}

/// The runtime's levels at one instant, for metrics and the status line.
public struct RuntimeLevels: Sendable {
    public var pending = 0
    public var readingsHeld = 0
    public var ringOccupancy = 0
    public var ringCapacity = 0
    public var spillBacklog = 0
    public var stageLagRecords = 0
    public var stageLagSeconds = 0.0
    public var logBytes = 0
    public var logQuotaBytes = 0
    public var connected = false
    public var brokerDropped = 0
    public var openSessions = 0
    public var openAnomalies = 0

    public init() {}
}
