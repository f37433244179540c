import ChunkStore
import Pipeline

extension IngestOptions {
    /// The keys of a pipeline's `storage:` section (docs/pipeline.md).
    static let storageKeys = ["retention", "flush_interval", "seal_delay", "late_compaction_delay", "rollups",
                              "rollup_retention"]

    /// Reads the `storage:` section into `chunks`, reporting problems to `issues`.
    mutating func readStorage(_ pipeline: PipelineDefinition, issues: IssueCollector) {
        guard let section = pipeline.storage else { return }
        let node = ConfigNode(section, path: ConfigPath([.key("storage")]), issues: issues)
        guard let mapping = node.mapping(allowedKeys: Self.storageKeys) else { return }
        if let value = mapping.optional("retention")?.duration(in: .seconds(3_600)...Duration.seconds(86_400 * 36_500)) {
            chunks.retention = DurationText.milliseconds(value)
        }
        if let value = mapping.optional("flush_interval")?.duration(in: .milliseconds(100)...Duration.seconds(10)) {
            chunks.flushInterval = DurationText.milliseconds(value)
        }
        if let value = mapping.optional("seal_delay")?.duration(in: .zero...Duration.seconds(86_400)) {
            chunks.sealDelay = DurationText.milliseconds(value)
        }
        if let value = mapping.optional("rollups")?.bool() { chunks.rollups = value }
        if let value = mapping.optional("rollup_retention")?.duration(in: .seconds(3_600)...Duration.seconds(86_400 * 36_500)) {
            chunks.rollupRetention = DurationText.milliseconds(value)
            if !chunks.rollups { mapping.optional("rollup_retention")?.report(.invalid("needs rollups: true")) }
        }
        if let value = mapping.optional("late_compaction_delay")?.duration(in: .zero...Duration.seconds(86_400)) {
            chunks.lateCompactionDelay = DurationText.milliseconds(value)
        }
    }
}
