/// Who published the messages a topic template matches.
public enum TopicDirection: String, Sendable, CaseIterable, Hashable {
    /// The charger's own messages (requests, meter values, EVerest variables). The default.
    case charger
    /// The back-end's replies to the charger (`ocpp/{charger}/out`): what confirms a transaction id, for example.
    case backend
}
