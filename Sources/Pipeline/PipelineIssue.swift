import Telemetry

/// One problem found while loading a pipeline, located by file, line, column and key path.
///
/// Printed as `Pipelines/depot.yaml:22: fleet.chargers[3].site: 'depot-9' is not a declared site`, or without the
/// key path for problems with a key itself (`Pipelines/depot.yaml:14: unknown key 'treshold' (did you mean
/// 'threshold'?)`).
public struct PipelineIssue: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// The key path of the value concerned (the root for whole-file problems).
    public var path: ConfigPath
    /// What is wrong.
    public var problem: Problem

    public init(_ problem: Problem, at location: SourceLocation, path: ConfigPath) {
        self.problem = problem
        self.location = location
        self.path = path
    }

    /// What is wrong, and what was expected.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// YAML that does not parse (Yams' message); the rest of that file is not checked.
        case yamlSyntax(String)
        /// A file that could not be read.
        case unreadableFile(path: String, reason: String)
        /// A key not allowed at this place, with the closest allowed key when one is near.
        case unknownKey(String, suggestion: String?)
        /// A key given twice in one mapping (YAML refuses the document; the rest of that file is not checked).
        case duplicateKey(String, firstLine: Int?)
        /// A required key that is absent.
        case missingKey(String)
        /// A value of the wrong kind: `expected an integer, found 'abc'`.
        case typeMismatch(expected: String, found: String)
        /// A number or duration outside its range.
        case outOfRange(found: String, expected: String)
        /// A value not among the allowed ones.
        case unknownValue(String, allowed: [String], suggestion: String?)
        /// A site, charger or EVSE id that `Identifier` refuses.
        case invalidIdentifier(String, IdentifierError)
        /// `${NAME}` with NAME unset in the environment.
        case unsetVariable(String)
        /// `${` without a closing brace or with an invalid name.
        case malformedVariable(String)
        /// A charger's `site` that no entry of `fleet.sites` declares.
        case undeclaredSite(String)
        /// An id declared twice.
        case duplicateID(kind: String, id: String, first: SourceLocation)
        /// A file named by a key (a TLS certificate) that does not exist.
        case missingFile(path: String, resolved: String)
        /// A topic template that does not compile.
        case invalidTemplate(TopicTemplateError)
        /// A `$share/` template while the broker's routing of shared subscriptions is unknown.
        case sharedSubscriptionWithoutRouting
        /// The same key set to a value in two files (or twice across includes).
        case conflict(first: SourceLocation)
        /// An include that (directly or not) includes itself.
        case includeCycle(String)
        /// Anything else, said in words.
        case invalid(String)

        /// False for problems about a key itself, which read better without the path in front.
        var showsPath: Bool {
            switch self {
            case .unknownKey, .duplicateKey, .yamlSyntax, .unreadableFile, .includeCycle: return false
            default: return true
            }
        }

        public var description: String {
            switch self {
            case .yamlSyntax(let message):
                return "YAML syntax error: \(message)"
            case .unreadableFile(let path, let reason):
                return "cannot read '\(path)': \(reason)"
            case .unknownKey(let key, let suggestion):
                return "unknown key '\(key)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
            case .duplicateKey(let key, let firstLine):
                return "duplicate key '\(key)'" + (firstLine.map { " (first given at line \($0))" } ?? "")
            case .missingKey(let key):
                return "missing required key '\(key)'"
            case .typeMismatch(let expected, let found):
                return "expected \(expected), found \(found)"
            case .outOfRange(let found, let expected):
                return "\(found) is out of range (expected \(expected))"
            case .unknownValue(let value, let allowed, let suggestion):
                return "unknown value '\(value)'; expected one of: \(allowed.joined(separator: ", "))"
                    + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
            case .invalidIdentifier(let text, let error):
                return "'\(text)' is not a valid id: \(error)"
            case .unsetVariable(let name):
                return "environment variable '\(name)' is not set"
            case .malformedVariable(let text):
                return "malformed variable reference in '\(text)' (write ${NAME}, or $${ for a literal ${)"
            case .undeclaredSite(let site):
                return "'\(site)' is not a declared site"
            case .duplicateID(let kind, let id, let first):
                return "duplicate \(kind) id '\(id)' (first declared at \(first))"
            case .missingFile(let path, let resolved):
                return path == resolved
                    ? "file '\(path)' does not exist"
                    : "file '\(path)' does not exist (looked for \(resolved))"
            case .invalidTemplate(let error):
                return error.description
            case .sharedSubscriptionWithoutRouting:
                return "a $share/ subscription needs broker.shared_subscription_routing set to hash_topic or "
                    + "hash_clientid: with round-robin delivery (mosquitto's) one connector's messages would be "
                    + "scattered across instances"
            case .conflict(let first):
                return "already set at \(first); a value may be given in one place only"
            case .includeCycle(let path):
                return "'\(path)' includes itself"
            case .invalid(let message):
                return message
            }
        }
    }

    /// `file:line: path: message`, or `file:line: message` when there is no path to show.
    public var description: String {
        let prefix = problem.showsPath && !path.isRoot ? "\(path): " : ""
        return "\(location): \(prefix)\(problem)"
    }
}
