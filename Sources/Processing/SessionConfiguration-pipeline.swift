import Pipeline
import Sessions

extension SessionConfiguration {
    /// Keys of `processors.sessions`.
    static let sectionKeys = ["charging_threshold_w", "complete_after", "silence_timeout", "finalize_after",
                              "near_complete_within", "near_complete_soc", "id_tag_hash_key", "publish", "cost_threshold"]

    /// The settings a pipeline's `processors: { sessions: { ... } }` section sets over the defaults (docs/sessions.md);
    /// every problem reported with file and line. `id_tag_hash_key` (write it as `${ENV_NAME}`) makes the sessions
    /// table, hook events and CDRs carry a keyed hash of each id tag instead of the tag.
    static func read(_ pipeline: PipelineDefinition) throws(PipelineError) -> SessionConfiguration {
        var configuration = SessionConfiguration()
        guard let section = pipeline.processors else { return configuration }
        let issues = IssueCollector()
        let processors = ConfigNode(section, path: ConfigPath([.key("processors")]), issues: issues)
        guard let node = processors.child("sessions"), !node.value.isNull,
              let m = node.mapping(allowedKeys: sectionKeys) else {
            if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
            return configuration
        }
        let day = Duration.seconds(86_400)
        if let v = m.optional("charging_threshold_w")?.double(in: 1...1e6) { configuration.chargingThresholdW = v }
        if let v = m.optional("complete_after")?.duration(in: .seconds(1)...day) { configuration.completeAfterMs = DurationText.milliseconds(v) }
        if let v = m.optional("silence_timeout")?.duration(in: .seconds(10)...day * 7) { configuration.silenceTimeoutMs = DurationText.milliseconds(v) }
        if let v = m.optional("finalize_after")?.duration(in: .zero...day * 30) { configuration.finalizeAfterMs = DurationText.milliseconds(v) }
        if let node = m.optional("near_complete_within") {
            // `off` (or null) leaves the SoC rule alone.
            if node.isOff {
                configuration.nearCompleteWithinMs = nil
            } else if let v = node.duration(in: .seconds(10)...day) {
                configuration.nearCompleteWithinMs = DurationText.milliseconds(v)
            }
        }
        if let node = m.optional("near_complete_soc") {
            if node.isOff {
                configuration.nearCompleteSoC = nil
            } else if let v = node.double(in: 1...100) {
                configuration.nearCompleteSoC = v
            }
        }
        if let key = m.optional("id_tag_hash_key") {
            if let text = key.nonEmptyString(), text.utf8.count >= 16 {
                configuration.idTagHashKey = text
            } else {
                key.report(.invalid("the key must be at least 16 characters (write it as ${ENV_NAME})"))
            }
        }
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return configuration
    }
}

private extension ConfigNode {
    /// `off` or nothing: the setting is switched off.
    var isOff: Bool { value.isNull || value.scalar == "off" }
}
