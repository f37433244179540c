import Pipeline
import WriteAheadLog

extension IngestOptions {
    /// The keys of a pipeline's `ingest:` section (docs/pipeline.md).
    static let sectionKeys = [
        "ring_capacity", "batch_size", "log_quota", "log_low_water", "segment_size", "sync", "payload_limit",
        "decode_limit", "lateness", "future_tolerance", "dead_letter_file_size", "dead_letter_quota",
        "shutdown_timeout", "stages", "log_retention",
    ]

    /// The options a pipeline's `ingest:` section sets, over the defaults; every problem reported with file and line.
    public static func read(_ pipeline: PipelineDefinition, dataDirectory: String? = nil) throws(PipelineError) -> IngestOptions {
        var options = IngestOptions(dataDirectory: dataDirectory ?? pipeline.dataDirectory)
        let issues = IssueCollector()
        options.readStorage(pipeline, issues: issues)
        guard let section = pipeline.ingest else {
            if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
            return options
        }
        let node = ConfigNode(section, path: ConfigPath([.key("ingest")]), issues: issues)
        guard let mapping = node.mapping(allowedKeys: sectionKeys) else { throw PipelineError(issues: issues.sortedIssues) }
        if let value = mapping.optional("ring_capacity")?.int(in: 16...(1 << 24)) {
            if value & (value - 1) == 0 {
                options.ringCapacity = value
            } else {
                mapping.optional("ring_capacity")?.report(.invalid("\(value) is not a power of two"))
            }
        }
        if let value = mapping.optional("batch_size")?.int(in: 1...65_536) { options.batchSize = value }
        if let value = mapping.optional("log_quota").flatMap({ size($0) }) {
            options.logQuotaBytes = value
            options.logLowWaterBytes = value * 3 / 4
        }
        if let value = mapping.optional("log_low_water").flatMap({ size($0) }) { options.logLowWaterBytes = value }
        if let value = mapping.optional("segment_size").flatMap({ size($0) }) { options.segmentBytes = max(4096, value) }
        if let value = mapping.optional("payload_limit").flatMap({ size($0) }) { options.hardPayloadLimitBytes = value }
        if let value = mapping.optional("decode_limit").flatMap({ size($0) }) { options.decodeLimitBytes = value }
        if let value = mapping.optional("dead_letter_file_size").flatMap({ size($0) }) { options.deadLetterFileBytes = value }
        if let value = mapping.optional("dead_letter_quota").flatMap({ size($0) }) { options.deadLetterQuotaBytes = value }
        if let value = mapping.optional("lateness")?.duration(in: .zero...Duration.seconds(86_400)) {
            options.lateness = DurationText.milliseconds(value)
        }
        if let value = mapping.optional("future_tolerance")?.duration(in: .zero...Duration.seconds(86_400 * 30)) {
            options.futureTolerance = DurationText.milliseconds(value)
        }
        if let value = mapping.optional("log_retention")?.duration(in: .zero...Duration.seconds(86_400 * 366)) {
            options.logRetention = DurationText.milliseconds(value)
        }
        if let value = mapping.optional("shutdown_timeout")?.duration(in: .seconds(1)...Duration.seconds(3_600)) {
            options.shutdownTimeout = value
        }
        if let node = mapping.optional("stages"), let items = node.list() {
            var stages: [StageName] = []
            for item in items {
                guard let text = item.string() else { continue }
                guard let stage = StageName(rawValue: text) else {
                    item.report(.invalid("unknown stage '\(text)'; the stages are \(StageName.allCases.map(\.rawValue).joined(separator: ", "))"))
                    continue
                }
                if stages.contains(stage) { item.report(.invalid("stage '\(text)' is listed twice")) } else { stages.append(stage) }
            }
            if stages.isEmpty { node.report(.invalid("name at least one stage")) } else { options.stages = stages }
        }
        if let sync = mapping.optional("sync"), let text = sync.string() {
            switch text {
            case "always": options.syncPolicy = .always
            case "never": options.syncPolicy = .never
            default:
                if let value = sync.duration(in: .milliseconds(1)...Duration.seconds(60)) { options.syncPolicy = .interval(value) }
            }
        }
        if options.logLowWaterBytes >= options.logQuotaBytes {
            mapping.optional("log_low_water")?.report(.invalid("must be below log_quota"))
        }
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return options
    }

    /// A duration in seconds, fraction included (for sleeps and semaphore timeouts).
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A size: bytes as an integer, or with a unit: `512KiB`, `64MiB`, `8GiB` (also kB/MB/GB, powers of 1000).
    static func size(_ node: ConfigNode) -> Int? {
        guard let text = node.string()?.replacingOccurrences(of: " ", with: "") else { return nil }
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                      ("kB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Int(text.dropLast(suffix.count)), number > 0 { return number * factor }
        }
        if let number = Int(text), number > 0 { return number }
        node.report(.invalid("'\(text)' is not a size (write bytes, or e.g. 512MiB, 8GiB)"))
        return nil
    }
}
