import Billing
import Foundation
import Pipeline
import Sessions
import Telemetry

/// What `processors.sessions` says about the sessions' billing outputs (docs/pipeline.md):
///
/// ```yaml
/// processors:
///   sessions:
///     publish:
///       topic_prefix: wattline/sessions   # progress on {prefix}/{site}/{charger}/{evse}/session
///       interval: 10s                     # of log time
///     cost_threshold: 50.00               # session.cost_threshold once a session's cost reaches it
/// ```
public struct SessionOutputConfiguration: Sendable, Equatable {
    public var publishing: SessionPublishing?
    /// In the session's tariff currency, incl. VAT; nil: no `session.cost_threshold` events.
    public var costThreshold: Decimal?

    public init(publishing: SessionPublishing? = nil, costThreshold: Decimal? = nil) {
        self.publishing = publishing
        self.costThreshold = costThreshold
    }

    /// Reads `processors.sessions.publish` and `cost_threshold`. A prefix whose topics one of Wattline's own input
    /// filters would match is refused, as for load.
    public static func read(_ pipeline: PipelineDefinition) throws(PipelineError) -> SessionOutputConfiguration {
        var result = SessionOutputConfiguration()
        guard let section = pipeline.processors else { return result }
        let issues = IssueCollector()
        let processors = ConfigNode(section, path: ConfigPath([.key("processors")]), issues: issues)
        // The section's other keys, and its shape, are SessionConfiguration.read's to report.
        guard let node = processors.child("sessions"), node.value.entries != nil else { return result }
        if let publish = node.child("publish"), !publish.value.isNull,
           let m = publish.mapping(allowedKeys: ["topic_prefix", "interval"]),
           let prefixNode = m.required("topic_prefix"), let prefix = prefixNode.nonEmptyString() {
            if prefix.contains("+") || prefix.contains("#") || prefix.hasPrefix("$") || prefix.hasSuffix("/") {
                prefixNode.report(.invalid("'\(prefix)' must be a plain topic prefix (no wildcards, not under $, no trailing /)"))
            } else {
                var publishing = SessionPublishing(topicPrefix: prefix)
                if let interval = m.optional("interval")?.duration(in: .seconds(1)...Duration.seconds(3_600)) {
                    publishing.interval = DurationText.milliseconds(interval)
                }
                pipeline.reportInputOverlap(of: publishing.topic(site: "site", charger: "charger", evse: 1),
                                            at: prefixNode, what: "session progress")
                result.publishing = publishing
            }
        }
        if let threshold = node.child("cost_threshold"), !threshold.value.isNull {
            result.costThreshold = TariffCatalog.decimal(threshold)
        }
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return result
    }
}

/// Where and how often open sessions' progress is published: `{prefix}/{site}/{charger}/{evse}/session`, JSON
/// (``SessionProgress``), QoS 1, not retained. The connector segment is the EVSE id — OCPP 1.6's connectorId, unique
/// per charger; the payload carries EVSE and connector both.
public struct SessionPublishing: Sendable, Equatable {
    public var topicPrefix: String
    /// Log time between two rounds (receive times and ticks), ms.
    public var interval: Int64 = 10_000

    public init(topicPrefix: String, interval: Int64 = 10_000) {
        self.topicPrefix = topicPrefix
        self.interval = interval
    }

    public func topic(site: String, charger: String, evse: Int) -> String {
        "\(topicPrefix)/\(site)/\(charger)/\(evse)/session"
    }

    /// One message per open session, as of the stage's last commit.
    public func messages(from progress: [SessionProgress]) -> [OutputMessage] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return progress.compactMap { p in
            guard let payload = try? encoder.encode(p) else { return nil }
            return OutputMessage(topic: topic(site: p.site, charger: p.charger, evse: p.evse), payload: Array(payload),
                                 qos: 1, retain: false)
        }
    }
}

/// A message the processors publish.
public struct OutputMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    /// 0 or 1.
    public var qos: Int
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

/// An open session's progress for a charger display or a driver's app. Amounts are exact decimal text.
public struct SessionProgress: Sendable, Equatable, Encodable {
    public var sessionId: String
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    public var startedAt: String
    /// The charger's event clock when it was priced (ISO-8601 UTC).
    public var at: String
    public var phase: String
    public var energyWh: Double?
    public var powerW: Double?
    public var soc: Double?
    public var timeToFullS: Double?
    /// `running`, `no_tariff` or `failed`.
    public var costStatus: String
    public var tariffId: String?
    public var currency: String?
    public var costExclVat: String?
    public var vat: String?
    public var costTotal: String?

    init(record: SessionRecord, cost: SessionCost, at: Int64, soc: Double?) {
        sessionId = record.id
        site = record.site
        charger = record.charger
        evse = record.evse
        connector = record.connector
        startedAt = Timestamp.format(record.startedAt)
        self.at = Timestamp.format(at)
        phase = record.phase.rawValue
        energyWh = record.energyWh
        powerW = cost.powerW
        self.soc = soc
        timeToFullS = cost.timeToFullS
        costStatus = cost.status.rawValue
        if let b = cost.breakdown {
            tariffId = b.tariffId
            currency = b.currency.code
            costExclVat = b.currency.text(b.totalExclVAT)
            vat = b.currency.text(b.totalVAT)
            costTotal = b.currency.text(b.totalInclVAT)
        }
    }
}
