import Foundation
import Pipeline
import PowerLevels

/// Where and how often the processors publish each site's load for dashboards (`processors.load`):
///
/// ```yaml
/// processors:
///   load:
///     publish_topic: wattline/load/{site}   # {site} is replaced by the site's id
///     interval: 10s                         # of log time (receive times and ticks)
/// ```
///
/// Each message is the site's `SiteLoad` as JSON (site total, chargers, connectors, demand), retained, QoS 0.
public struct LoadPublishing: Sendable, Equatable {
    public var topicTemplate: String
    public var interval: Int64

    public init(topicTemplate: String, interval: Int64 = 10_000) {
        self.topicTemplate = topicTemplate
        self.interval = interval
    }

    /// The keys directly under `processors`, each read by its own part.
    static let processorKeys = ["anomalies", "sessions", "load"]

    /// Reads `processors.load` (nil when absent), and checks the keys of `processors` itself. A publish topic that
    /// one of Wattline's own input filters would match is refused: Wattline would read what it publishes.
    public static func read(_ pipeline: PipelineDefinition) throws(PipelineError) -> LoadPublishing? {
        guard let section = pipeline.processors else { return nil }
        let issues = IssueCollector()
        let processors = ConfigNode(section, path: ConfigPath([.key("processors")]), issues: issues)
        var result: LoadPublishing?
        if processors.mapping(allowedKeys: processorKeys) != nil, let node = processors.child("load"), !node.value.isNull,
           let m = node.mapping(allowedKeys: ["publish_topic", "interval"]) {
            if let topic = m.required("publish_topic"), let text = topic.nonEmptyString() {
                if text.contains("+") || text.contains("#") || text.hasPrefix("$") {
                    topic.report(.invalid("'\(text)' must be a plain topic (no wildcards, not under $)"))
                } else {
                    var publishing = LoadPublishing(topicTemplate: text)
                    if let interval = m.optional("interval")?.duration(in: .seconds(1)...Duration.seconds(3_600)) {
                        publishing.interval = DurationText.milliseconds(interval)
                    }
                    pipeline.reportInputOverlap(of: publishing.topic(site: "site"), at: topic, what: "load")
                    result = publishing
                }
            }
        }
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return result
    }

    /// The topic for `site`.
    public func topic(site: String) -> String { topicTemplate.replacingOccurrences(of: "{site}", with: site) }

    /// One message per site: (topic, JSON payload), each site as of its own newest reading.
    public func messages(from levels: PowerLevelProcessor) -> [(topic: String, payload: [UInt8])] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return levels.sites.compactMap { site in
            guard let load = levels.siteLoad(site), let payload = try? encoder.encode(load) else { return nil }
            return (topic(site: site), Array(payload))
        }
    }
}

extension PipelineDefinition {
    /// Reports at `node` when one of Wattline's own input filters matches `sample`, a topic Wattline would publish
    /// `what` on: it would read its own messages.
    func reportInputOverlap(of sample: String, at node: ConfigNode, what: String) {
        let text = node.value.scalar ?? sample
        for template in topics where TopicFilter.matches(filter: template.filter, topic: sample) {
            node.report(.invalid("'\(text)' matches the input filter '\(template.filter)' of topics[\(template.index)]: "
                                 + "Wattline would read its own \(what) messages; choose a topic outside its input"))
        }
    }
}
