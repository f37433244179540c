import Telemetry

/// What a topic says about the message on it: the template that matched and the identity it captured.
///
/// Ids are validated (`Identifier`) and numbers are in range before a `TopicMatch` exists.
public struct TopicMatch: Sendable, Equatable {
    /// Index of the matching template in `topics` (the first that matches wins).
    public var templateIndex: Int
    /// The payload format the template declares.
    public var format: PayloadFormat
    /// Who published the message.
    public var direction: TopicDirection
    /// The charger id.
    public var charger: String
    /// The site id, when the template captures one.
    public var site: String?
    /// The EVSE number, when captured.
    public var evse: Int?
    /// The connector number, when captured.
    public var connector: Int?
    /// The OCPP action, when the topic names it.
    public var action: String?
    /// The compact format's stream.
    public var stream: String?
    /// The EVerest module id.
    public var module: String?
    /// The EVerest implementation id.
    public var impl: String?

    public init(
        templateIndex: Int, format: PayloadFormat, direction: TopicDirection, charger: String,
        site: String? = nil, evse: Int? = nil, connector: Int? = nil, action: String? = nil,
        stream: String? = nil, module: String? = nil, impl: String? = nil
    ) {
        self.templateIndex = templateIndex
        self.format = format
        self.direction = direction
        self.charger = charger
        self.site = site
        self.evse = evse
        self.connector = connector
        self.action = action
        self.stream = stream
        self.module = module
        self.impl = impl
    }
}
