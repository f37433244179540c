/// A `{name}` in a topic template: which part of a charger's identity a topic segment carries.
public enum TopicVariable: String, Sendable, CaseIterable, Hashable {
    /// The site id (validated as an `Identifier`).
    case site
    /// The charger id (validated as an `Identifier`); every template has one.
    case charger
    /// The EVSE number, 0...999.
    case evse
    /// The connector number, 0...999.
    case connector
    /// The OCPP action, when the topic names it (`ocpp/{charger}/{action}`).
    case action
    /// The compact format's stream name (`power`, `energy`, `status`, …).
    case stream
    /// An EVerest module id (`powermeter_1`, `evse_manager`).
    case module
    /// An EVerest implementation id (`main`, `powermeter`).
    case impl
    /// `{_}`: a segment that is matched but not kept.
    case ignored = "_"
}
