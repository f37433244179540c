/// The MQTT topics simulated chargers publish on: those of the shipped pipeline (Pipelines/default.yaml).
public enum SimulatorTopics {
    /// OCPP-J from the charger (its CALLs, and CALLRESULTs to back-end commands).
    public static func ocppIn(_ charger: String) -> String { "ocpp/\(charger)/in" }

    /// OCPP-J from the back-end (its CALLRESULTs: the transaction id of a 1.6 StartTransaction, ...).
    public static func ocppOut(_ charger: String) -> String { "ocpp/\(charger)/out" }

    /// EVerest's `powermeter` variable, under the charger's own prefix `everest-<charger>/`.
    public static func everestPowermeter(_ charger: String) -> String {
        "everest-\(charger)/modules/powermeter/impl/main/var/powermeter"
    }

    /// EVerest's API module `session_info` for one EvseManager (`connector_<evse>`), under the prefix `<charger>/`.
    public static func everestSessionInfo(_ charger: String, evse: Int) -> String {
        "\(charger)/everest_api/connector_\(evse)/var/session_info"
    }

    /// The charger id a topic above names, or nil for another topic.
    public static func chargerID(inTopic topic: String) -> String? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "ocpp", parts[2] == "in" || parts[2] == "out" {
            return String(parts[1])
        }
        if parts.count == 7, parts[0].hasPrefix("everest-"), parts[1] == "modules" {
            return String(parts[0].dropFirst("everest-".count))
        }
        if parts.count == 5, parts[1] == "everest_api", parts[3] == "var" {
            return String(parts[0])
        }
        return nil
    }
}
