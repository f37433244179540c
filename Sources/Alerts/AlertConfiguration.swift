import Anomalies
import Foundation
import Pipeline

/// The pipeline's `alerts:` section: the hooks and the outbox quota (docs/alert-hooks.md).
public struct AlertConfiguration: Sendable, Equatable {
    public var hooks: [HookConfiguration]
    /// Events waiting in the outbox (rows, over all hooks) beyond which new events go to `failed.jsonl`.
    public var outboxQuota: Int

    public init(hooks: [HookConfiguration] = [], outboxQuota: Int = 100_000) {
        self.hooks = hooks
        self.outboxQuota = outboxQuota
    }

    /// The hooks `event` goes to, in declaration order.
    public func hooks(for event: AlertEvent) -> [HookConfiguration] {
        hooks.filter { $0.accepts(event) }
    }

    public func hook(named name: String) -> HookConfiguration? { hooks.first { $0.name == name } }

    static let sectionKeys = ["hooks", "outbox_quota"]
    static let hookKeys = ["name", "run", "on", "min_severity", "sites", "chargers", "timeout", "concurrency", "retries",
                           "backoff", "max_backoff", "batch", "rate_limit"]

    /// Reads `alerts:` from `pipeline`; every problem is reported with its file and line. No section: no hooks.
    public static func read(_ pipeline: PipelineDefinition) throws(PipelineError) -> AlertConfiguration {
        var configuration = AlertConfiguration()
        guard let section = pipeline.alerts else { return configuration }
        let issues = IssueCollector()
        let root = ConfigNode(section, path: ConfigPath([.key("alerts")]), issues: issues)
        guard let mapping = root.mapping(allowedKeys: sectionKeys) else { throw PipelineError(issues: issues.sortedIssues) }
        if let quota = mapping.optional("outbox_quota")?.int(in: 1...100_000_000) { configuration.outboxQuota = quota }
        for item in mapping.optional("hooks")?.list() ?? [] {
            guard let hook = readHook(item, index: configuration.hooks.count, pipeline: pipeline) else { continue }
            if configuration.hooks.contains(where: { $0.name == hook.name }) {
                (item.child("name") ?? item).report(.invalid(
                    "two hooks are named '\(hook.name)': give each a distinct `name` (it keys the outbox)"))
                continue
            }
            configuration.hooks.append(hook)
        }
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return configuration
    }

    private static func readHook(_ node: ConfigNode, index: Int, pipeline: PipelineDefinition) -> HookConfiguration? {
        guard let m = node.mapping(allowedKeys: hookKeys) else { return nil }
        // run: an executable, or a list: the executable and its arguments. Never a shell command line.
        var command: [String] = []
        if let run = m.required("run") {
            if run.value.items != nil {
                command = (run.list() ?? []).compactMap { $0.nonEmptyString() }
                if command.isEmpty { run.report(.invalid("`run` needs at least the executable")) }
            } else if let text = run.nonEmptyString() {
                command = [text]
            }
        }
        // Every key is checked even when `run` is wrong, so one pass reports every problem.
        var resolved: String?
        if let executable = command.first, let runNode = m.optional("run") {
            let executableNode = runNode.value.items != nil ? (runNode.list()?.first ?? runNode) : runNode
            let path = pipeline.resolvePath(executable, writtenAt: executableNode.location)
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || isDirectory.boolValue {
                runNode.report(.missingFile(path: executable, resolved: path))
            } else if access(path, X_OK) != 0 {
                runNode.report(.invalid("'\(path)' is not executable (chmod +x it; hooks are run directly, never through a shell)"))
            } else {
                resolved = path
            }
        }
        let executable = command.first ?? "hook"
        var name = DocumentLoaderName.base(of: executable)
        if let node = m.optional("name"), let text = node.nonEmptyString() {
            if text.utf8.count <= 64, text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }) {
                name = text
            } else {
                node.report(.invalid("a hook name is 1-64 characters of A-Z a-z 0-9 . _ -"))
            }
        }

        var events: [EventSelector] = []
        if let on = m.required("on") {
            let entries = on.value.items != nil ? (on.list() ?? []) : [on]
            for entry in entries {
                guard let text = entry.nonEmptyString() else { continue }
                let (selector, problem) = EventSelector.parse(text)
                if let selector { events.append(selector) }
                if let problem { entry.report(problem) }
            }
        }
        var hook = HookConfiguration(name: name, command: [resolved ?? executable] + command.dropFirst(), events: events)
        hook.minimumSeverity = m.optional("min_severity")?.choice(AnomalySeverity.self) ?? .info
        hook.sites = m.optional("sites")?.list()?.compactMap { $0.identifier(.site) } ?? []
        hook.chargers = m.optional("chargers")?.list()?.compactMap { $0.identifier(.charger) } ?? []
        if let v = m.optional("timeout")?.duration(in: .milliseconds(100)...(.seconds(3600))) { hook.timeoutMs = DurationText.milliseconds(v) }
        if let v = m.optional("concurrency")?.int(in: 1...64) { hook.concurrency = v }
        if let v = m.optional("retries")?.int(in: 0...1_000_000) { hook.retries = v }
        if let v = m.optional("backoff")?.duration(in: .milliseconds(10)...(.seconds(86_400))) { hook.backoffMs = DurationText.milliseconds(v) }
        if let v = m.optional("max_backoff")?.duration(in: .milliseconds(10)...(.seconds(86_400))) { hook.maxBackoffMs = DurationText.milliseconds(v) }
        if let v = m.optional("batch")?.int(in: 1...10_000) { hook.batch = v }
        if let limit = m.optional("rate_limit"), let r = limit.mapping(allowedKeys: ["events", "per"]) {
            let events = r.required("events")?.int(in: 1...1_000_000)
            let per = r.required("per")?.duration(in: .seconds(1)...(.seconds(86_400)))
            if let events, let per { hook.rateLimit = RateLimit(events: events, perMs: DurationText.milliseconds(per)) }
        }
        return resolved == nil ? nil : hook
    }
}

/// One hook: what runs, on which events, and how it is delivered to.
public struct HookConfiguration: Sendable, Equatable {
    /// Keys its rows in the outbox and names it in logs and `failed.jsonl`.
    public var name: String
    /// The executable (resolved path) and its arguments, run directly (no shell).
    public var command: [String]
    public var events: [EventSelector]
    /// Anomalies below this severity are not sent (session events are `info`).
    public var minimumSeverity: AnomalySeverity = .info
    /// Only these sites or chargers, when not empty.
    public var sites: [String] = []
    public var chargers: [String] = []
    public var timeoutMs: Int64 = 10_000
    public var concurrency = 1
    /// Further attempts after the first fails; then the event goes to `failed.jsonl`.
    public var retries = 3
    /// Wait before the first retry, doubled each time up to `maxBackoffMs`.
    public var backoffMs: Int64 = 1_000
    public var maxBackoffMs: Int64 = 300_000
    /// Up to this many events per run, as one JSON array (1: one object per run).
    public var batch = 1
    /// Per charger; events over it wait (they are never dropped).
    public var rateLimit: RateLimit?

    public init(name: String, command: [String], events: [EventSelector]) {
        self.name = name
        self.command = command
        self.events = events
    }

    public func accepts(_ event: AlertEvent) -> Bool {
        guard events.contains(where: { $0.matches(event) }) else { return false }
        if event.type.hasPrefix("anomaly."), event.severity < minimumSeverity { return false }
        if !sites.isEmpty, !sites.contains(event.site ?? "") { return false }
        if !chargers.isEmpty, !chargers.contains(event.charger ?? "") { return false }
        return true
    }

    /// The wait before attempt `attempt + 1` (attempt 1 is the first retry).
    public func backoff(afterAttempt attempt: Int) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let (scaled, overflow) = backoffMs.multipliedReportingOverflow(by: Int64(1) << exponent)
        return overflow ? maxBackoffMs : min(scaled, maxBackoffMs)
    }
}

/// At most `events` per `perMs` for one charger.
public struct RateLimit: Sendable, Equatable {
    public var events: Int
    public var perMs: Int64
}

/// An `on:` entry: an event type (or `anomaly.*`, `session.*`), optionally narrowed to rule names
/// (`anomaly.opened:meter_regression,fault`).
public struct EventSelector: Sendable, Equatable {
    public static let types = ["anomaly.opened", "anomaly.updated", "anomaly.resolved", "session.started",
                               "session.near_complete", "session.charging_complete", "session.charging_resumed",
                               "session.ended", "session.cost_threshold", "session.amendment"]
    /// An exact type, or a prefix ending in `.` for `*`.
    public var type: String
    public var kinds: [String]

    public func matches(_ event: AlertEvent) -> Bool {
        let typeMatches = type.hasSuffix(".") ? event.type.hasPrefix(type) : event.type == type
        return typeMatches && (kinds.isEmpty || kinds.contains(event.kind))
    }

    static func parse(_ text: String) -> (EventSelector?, PipelineIssue.Problem?) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        var type = parts[0]
        let kinds = parts.count > 1 ? parts[1].split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } : []
        if type == "anomaly.*" || type == "anomaly" { type = "anomaly." }
        else if type == "session.*" || type == "session" { type = "session." }
        else if !types.contains(type) {
            let allowed = types + ["anomaly.*", "session.*"]
            return (nil, .unknownValue(type, allowed: allowed, suggestion: Suggestion.closest(to: type, in: allowed)))
        }
        if !kinds.isEmpty {
            guard type.hasPrefix("anomaly.") else {
                return (nil, .invalid("only anomaly events can be narrowed to rule names (`anomaly.opened:fault`)"))
            }
            let rules = AnomalyKind.allCases.map(\.rawValue)
            if let unknown = kinds.first(where: { !rules.contains($0) }) {
                return (nil, .unknownValue(unknown, allowed: rules, suggestion: Suggestion.closest(to: unknown, in: rules)))
            }
        }
        return (EventSelector(type: type, kinds: kinds), nil)
    }
}

/// The last path component of an executable, as a hook's default name.
enum DocumentLoaderName {
    static func base(of path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        let stem = last.split(separator: ".").first.map(String.init) ?? last
        return stem.isEmpty ? "hook" : stem
    }
}
