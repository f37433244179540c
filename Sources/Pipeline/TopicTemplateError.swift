/// Why a topic template does not compile.
public enum TopicTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template is empty.
    case empty
    /// `$share/` without a group name and a topic after it.
    case malformedShare
    /// An MQTT wildcard written where a variable belongs (`+`, or `#` other than as the last segment).
    case wildcard(String)
    /// `{name}` with a name that is not a template variable.
    case unknownVariable(String, suggestion: String?)
    /// The same variable twice.
    case repeatedVariable(TopicVariable)
    /// Two variables in one segment, which cannot be split reliably.
    case twoVariablesInSegment(String)
    /// A `{` without its `}` (or the other way round), or `{}`.
    case malformedVariable(String)
    /// No `{charger}`: the charger's identity must come from the topic.
    case missingCharger

    public var description: String {
        switch self {
        case .empty:
            return "the template is empty"
        case .malformedShare:
            return "'$share/' must be followed by a group name and a topic ('$share/wattline/ocpp/{charger}/in')"
        case .wildcard(let segment):
            return "'\(segment)' is an MQTT wildcard; name the segment with {_} or a variable such as {charger} "
                + "('#' is allowed as the last segment only)"
        case .unknownVariable(let name, let suggestion):
            let allowed = TopicVariable.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")
            return "unknown variable '{\(name)}'" + (suggestion.map { " (did you mean '{\($0)}'?)" } ?? "")
                + "; expected one of: \(allowed)"
        case .repeatedVariable(let variable):
            return "'{\(variable.rawValue)}' appears more than once"
        case .twoVariablesInSegment(let segment):
            return "segment '\(segment)' holds two variables; a segment may hold one, with a literal prefix or suffix"
        case .malformedVariable(let segment):
            return "segment '\(segment)' has an unbalanced or empty '{}'"
        case .missingCharger:
            return "the template has no {charger}: a charger's identity comes from its topic"
        }
    }
}
