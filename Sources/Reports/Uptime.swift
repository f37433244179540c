/// Uptime as the US NEVI rule defines it (23 CFR 680.116(b)): (period − (outage − excluded outage)) / period, per
/// charging port (EVSE), with 97 % as the bar.
public struct Uptime: Sendable, Equatable {
    /// The NEVI bar: a port must be up at least 97 % of the period.
    public static let bar = 0.97

    public var periodSeconds: Double
    /// Time the port was out: faulted, or its charger silent longer than `offline_after`.
    public var outageSeconds: Double
    /// Outage outside the operator's control (utility outages, vandalism, scheduled maintenance...), which the rule
    /// takes out. The results database records no such causes, so reports pass 0.
    public var excludedSeconds: Double

    public init(periodSeconds: Double, outageSeconds: Double, excludedSeconds: Double = 0) {
        self.periodSeconds = periodSeconds
        self.outageSeconds = outageSeconds
        self.excludedSeconds = excludedSeconds
    }

    /// 0…1; 1 for an empty period.
    public var ratio: Double {
        guard periodSeconds > 0 else { return 1 }
        return (periodSeconds - (outageSeconds - excludedSeconds)) / periodSeconds
    }

    public var meetsBar: Bool { ratio >= Self.bar }

    /// Sums of several ports' figures (a charger's): the share of port time up.
    public static func + (a: Uptime, b: Uptime) -> Uptime {
        Uptime(periodSeconds: a.periodSeconds + b.periodSeconds, outageSeconds: a.outageSeconds + b.outageSeconds,
               excludedSeconds: a.excludedSeconds + b.excludedSeconds)
    }
}

/// The outage of one EVSE in a period, from the anomalies table: `fault` anomalies of the EVSE (or of its whole
/// charger), and `telemetry_gap` anomalies of its charger whose silence lasted longer than `offline_after`, each
/// from `started_at` to `resolved_at` (the end of the period while open), overlaps counted once.
public enum OutageCalculator {
    /// The kinds that count as outage.
    public static let faultKind = "fault"
    public static let silenceKind = "telemetry_gap"

    /// Outage seconds of `evse` within `period`.
    public static func outageSeconds(of evse: EVSEKey, anomalies: [ReportAnomaly], period: Range<Int64>,
                                     offlineAfterMs: Int64) -> Double {
        var spans: [Range<Int64>] = []
        for anomaly in anomalies where anomaly.charger == evse.charger {
            let end = anomaly.resolvedAt ?? period.upperBound
            switch anomaly.kind {
            case faultKind where anomaly.evse == nil || anomaly.evse == evse.evse: break
            case silenceKind where end - anomaly.startedAt > offlineAfterMs: break
            default: continue
            }
            let start = max(anomaly.startedAt, period.lowerBound)
            let clipped = min(end, period.upperBound)
            if start < clipped { spans.append(start..<clipped) }
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var total: Int64 = 0
        var current: Range<Int64>?
        for span in spans {
            if let open = current, span.lowerBound <= open.upperBound {
                current = open.lowerBound..<max(open.upperBound, span.upperBound)
            } else {
                if let open = current { total += open.upperBound - open.lowerBound }
                current = span
            }
        }
        if let open = current { total += open.upperBound - open.lowerBound }
        return Double(total) / 1000
    }
}
