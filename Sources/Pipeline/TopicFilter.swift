/// MQTT topic-filter matching as a broker does it (`+` one level, `#` the rest, `$`-topics only by name).
public enum TopicFilter {
    /// True when a subscription to `filter` would receive a message published on `topic`.
    public static func matches(filter: String, topic: String) -> Bool {
        var shared = filter[...]
        if shared.hasPrefix("$share/") {
            // $share/<group>/<filter>
            let parts = shared.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return false }
            shared = parts[2]
        }
        let filterLevels = shared.split(separator: "/", omittingEmptySubsequences: false)
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        // Wildcards at the first level never match topics starting with '$'.
        if topic.hasPrefix("$"), let first = filterLevels.first, first == "+" || first == "#" { return false }
        for (index, level) in filterLevels.enumerated() {
            if level == "#" { return true }
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
        }
        return filterLevels.count == topicLevels.count
    }
}
