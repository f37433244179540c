/// Finds the template a topic belongs to: the templates in `topics` order, the first match wins.
///
/// Overlapping templates are allowed and resolved by order, so put the specific ones first (`ocpp/{charger}/in`
/// before `ocpp/{charger}/{action}`). A topic that fits a template's shape but carries a refused value (a charger
/// id with `../`) is an error for that template; later templates are not tried, because the topic was meant for it.
public struct TopicRouter: Sendable, Equatable {
    /// The compiled templates, in order.
    public let templates: [TopicTemplate]

    public init(templates: [TopicTemplate]) {
        self.templates = templates
    }

    /// Result of one match attempt, without throwing across `withUTF8`'s untyped closure.
    enum Outcome {
        case noMatch
        case matched(TopicMatch)
        case refused(TopicMatchError)
    }

    /// The match for `topic`, or nil when no template fits its shape.
    public func match(topic: String) throws(TopicMatchError) -> TopicMatch? {
        var topic = topic  // native strings are already contiguous: no copy
        let outcome = topic.withUTF8 { bytes -> Outcome in
            for template in templates {
                if let captures = template.capture(bytes) {
                    return template.resolve(captures, in: bytes)
                }
            }
            return .noMatch
        }
        switch outcome {
        case .noMatch: return nil
        case .matched(let match): return match
        case .refused(let error): throw error
        }
    }

    /// The subscription filters with their QoS, one per template (identical filters once, at the highest QoS).
    public var subscriptions: [(filter: String, qos: Int)] {
        var result: [(filter: String, qos: Int)] = []
        for template in templates {
            if let existing = result.firstIndex(where: { $0.filter == template.filter }) {
                result[existing].qos = max(result[existing].qos, template.qos)
            } else {
                result.append((template.filter, template.qos))
            }
        }
        return result
    }
}
