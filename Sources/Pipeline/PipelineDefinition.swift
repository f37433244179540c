import Foundation
import Telemetry

/// A loaded, validated pipeline file: where to connect, what to subscribe to and how topics name chargers,
/// where data goes, which chargers and sites exist, and the raw sections later stages own.
///
/// Load with ``load(path:environment:)``. Loading checks everything and reports every issue at once, each with
/// its file, line and key path; a definition that loads is complete, so nothing downstream re-validates it.
/// See `docs/pipeline.md` for the file format.
public struct PipelineDefinition: Sendable {
    /// The pipeline file, as named to the loader.
    public var file: String
    /// The `broker` section.
    public var broker: BrokerSettings
    /// The compiled `topics`, in order, with the matcher.
    public var topicRouter: TopicRouter
    /// Where data is written: `data_dir`, relative to the working directory unless absolute (`data` by default).
    public var dataDirectory: String
    /// What to do with chargers `fleet` does not declare (`accept` by default).
    public var undeclaredChargers: UndeclaredChargerPolicy
    /// The site undeclared chargers are placed at (`unassigned` by default; need not be a declared site).
    public var defaultSite: String
    /// The declared sites and chargers.
    public var fleet: Fleet

    /// Sections read by later stages, kept as written (after `${NAME}` substitution); each is a mapping or nil.
    public var processors: ConfigValue?
    public var tariffs: ConfigValue?
    public var alerts: ConfigValue?
    public var storage: ConfigValue?
    public var ingest: ConfigValue?

    /// The compiled topic templates, in order.
    public var topics: [TopicTemplate] { topicRouter.templates }

    /// The on-disk directory of each file the pipeline was read from, by the name issues show for it.
    public var baseDirectories: [String: String] = [:]

    /// A path written in the pipeline (at `location`), resolved against the directory of the file it is written
    /// in, as includes and TLS files are.
    public func resolvePath(_ path: String, writtenAt location: SourceLocation) -> String {
        PathResolver(baseDirectories: baseDirectories).resolve(path, writtenAt: location)
    }

    public init(
        file: String, broker: BrokerSettings = BrokerSettings(), topics: [TopicTemplate],
        dataDirectory: String = "data", undeclaredChargers: UndeclaredChargerPolicy = .accept,
        defaultSite: String = "unassigned", fleet: Fleet = Fleet(), processors: ConfigValue? = nil,
        tariffs: ConfigValue? = nil, alerts: ConfigValue? = nil, storage: ConfigValue? = nil,
        ingest: ConfigValue? = nil
    ) {
        self.file = file
        self.broker = broker
        self.topicRouter = TopicRouter(templates: topics)
        self.dataDirectory = dataDirectory
        self.undeclaredChargers = undeclaredChargers
        self.defaultSite = defaultSite
        self.fleet = fleet
        self.processors = processors
        self.tariffs = tariffs
        self.alerts = alerts
        self.storage = storage
        self.ingest = ingest
    }

    /// The declared charger with this id, or where an undeclared one goes under `undeclared_chargers`.
    public func resolveCharger(_ id: String) -> ChargerResolution {
        if let charger = fleet.charger(id: id) { return .declared(charger) }
        switch undeclaredChargers {
        case .accept: return .undeclared(site: defaultSite)
        case .reject: return .rejected
        }
    }

    // MARK: Loading

    /// The keys allowed at the top of a pipeline file (`include` is handled while reading files).
    static let keys = [
        "broker", "topics", "data_dir", "undeclared_chargers", "default_site", "fleet", "include",
        "processors", "tariffs", "alerts", "storage", "ingest",
    ]
    static let topicKeys = ["template", "format", "direction", "qos"]
    static let rawSectionKeys = ["processors", "tariffs", "alerts", "storage", "ingest"]

    /// Loads the pipeline file at `path` (and the files it includes, relative to it).
    ///
    /// - Parameter environment: where `${NAME}` references are looked up; the process environment by default.
    /// - Throws: every issue found, sorted by file and line.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PipelineError) -> PipelineDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineError(issues: [
                PipelineIssue(
                    .unreadableFile(path: path, reason: DocumentLoader.reason(error)), at: .file(path), path: .root)
            ])
        }
        return try load(
            yaml: text, fileName: path, baseDirectory: DocumentLoader.directory(of: path, orDot: true),
            environment: environment)
    }

    /// Loads a pipeline from text: `fileName` is how issues name it, `baseDirectory` where its relative paths
    /// (includes, TLS files) start on disk.
    public static func load(
        yaml: String, fileName: String = "pipeline.yaml", baseDirectory: String = ".",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PipelineError) -> PipelineDefinition {
        let issues = IssueCollector()
        let loader = DocumentLoader(environment: environment, issues: issues)
        let root = loader.load(yaml: yaml, fileName: fileName, baseDirectory: baseDirectory)
        var definition: PipelineDefinition?
        if let root {
            definition = read(
                ConfigNode(root, path: .root, issues: issues), file: fileName,
                paths: PathResolver(baseDirectories: loader.baseDirectories))
        }
        guard issues.isEmpty, var definition else {
            throw PipelineError(issues: issues.sortedIssues)
        }
        definition.baseDirectories = loader.baseDirectories
        return definition
    }

    /// Reads the merged tree; issues go to the root node's collector.
    static func read(_ root: ConfigNode, file: String, paths: PathResolver) -> PipelineDefinition? {
        guard let mapping = root.mapping(allowedKeys: keys) else { return nil }
        let broker = BrokerSettings.read(mapping.optional("broker"), paths: paths)

        var templates: [TopicTemplate] = []
        if let list = mapping.required("topics")?.list() {
            if list.isEmpty {
                mapping.optional("topics")?.report(.invalid("at least one topic template is needed"))
            }
            for item in list {
                if let template = readTopic(item, index: templates.count, broker: broker, earlier: templates) {
                    templates.append(template)
                }
            }
        }

        // Wattline must never read what it publishes itself (its availability status, later its outputs).
        for template in templates where TopicFilter.matches(filter: template.filter, topic: broker.availabilityTopic) {
            let node = mapping.optional("broker")?.child("availability_topic") ?? mapping.optional("topics")
            node?.report(.invalid(
                "availability topic '\(broker.availabilityTopic)' matches the input filter '\(template.filter)' of "
                    + "topics[\(template.index)]: Wattline would read its own status; choose a topic outside its input"))
        }

        let dataDirectory = mapping.optional("data_dir")?.nonEmptyString() ?? "data"
        let policy = mapping.optional("undeclared_chargers")?.choice(UndeclaredChargerPolicy.self) ?? .accept
        let defaultSite = mapping.optional("default_site")?.identifier(.site) ?? "unassigned"
        let fleet = Fleet.read(mapping.optional("fleet"))

        var raw: [String: ConfigValue] = [:]
        for key in rawSectionKeys {
            guard let section = mapping.optional(key) else { continue }
            if section.value.entries == nil {
                section.report(.typeMismatch(expected: "a mapping", found: section.value.kindDescription))
            } else {
                raw[key] = section.value
            }
        }

        return PipelineDefinition(
            file: file, broker: broker, topics: templates, dataDirectory: dataDirectory, undeclaredChargers: policy,
            defaultSite: defaultSite, fleet: fleet, processors: raw["processors"], tariffs: raw["tariffs"],
            alerts: raw["alerts"], storage: raw["storage"], ingest: raw["ingest"])
    }

    /// Reads and compiles one entry of `topics`.
    private static func readTopic(
        _ item: ConfigNode, index: Int, broker: BrokerSettings, earlier: [TopicTemplate]
    ) -> TopicTemplate? {
        guard let mapping = item.mapping(allowedKeys: topicKeys) else { return nil }
        let templateNode = mapping.required("template")
        let text = templateNode?.nonEmptyString()
        let format = mapping.required("format")?.choice(PayloadFormat.self)
        let direction = mapping.optional("direction")?.choice(TopicDirection.self) ?? .charger
        let qos = mapping.optional("qos")?.int(in: 0...2) ?? broker.qos
        guard let templateNode, let text else { return nil }

        let template: TopicTemplate
        do {
            template = try TopicTemplate(
                text, format: format ?? .auto, direction: direction, qos: qos, index: index)
        } catch {
            templateNode.report(.invalidTemplate(error))
            return nil
        }
        if template.shareGroup != nil, broker.sharedSubscriptionRouting == .none {
            templateNode.report(.sharedSubscriptionWithoutRouting)
            return nil
        }
        if let same = earlier.first(where: { $0.matchesSameTopics(as: template) }) {
            templateNode.report(.invalid(
                "'\(text)' matches the same topics as topics[\(same.index)] '\(same.text)'; the first match wins, so "
                    + "this one would never be used"))
            return nil
        }
        return format == nil ? nil : template
    }
}
