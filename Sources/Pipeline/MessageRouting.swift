import Telemetry

extension PipelineDefinition {
    /// Who sent a message on `topic` and how to decode it: the topic template that matches, the charger's
    /// declaration (site, protocol, quirks) or the undeclared-charger policy.
    ///
    /// Throws the rejection when no template matches (`unmatched_topic`), a captured identifier is unsafe
    /// (`invalid_identifier`), or the charger is undeclared under `undeclared_chargers: reject` (`unknown_charger`).
    public func source(forTopic topic: String) throws(DecodeError) -> MessageSource {
        let found: TopicMatch?
        do {
            found = try topicRouter.match(topic: topic)
        } catch {
            throw DecodeError(.invalidIdentifier, path: "topic", error.description)
        }
        guard let match = found else {
            throw DecodeError(.unmatchedTopic, path: "topic", "no topic template matches '\(Self.printable(topic))'")
        }
        var format = match.format
        var quirks = ChargerQuirks()
        let site: String
        switch resolveCharger(match.charger) {
        case .declared(let charger):
            site = charger.site
            if format == .ocppJ || format == .auto {
                switch charger.protocol {
                case .ocpp16?: format = .ocpp16
                case .ocpp201?: format = .ocpp201
                default: break
                }
            }
            quirks.energyUnitOverride = charger.quirks.energyUnit.map { $0 == .kWh ? .kwh : .wh }
        case .undeclared(let defaultSite):
            site = match.site ?? defaultSite
        case .rejected:
            throw DecodeError(.unknownCharger, path: "topic",
                              "charger '\(match.charger)' is not declared and undeclared_chargers is reject")
        }
        return MessageSource(
            origin: Origin(site: site, charger: match.charger), format: format, evse: match.evse,
            connector: match.connector, action: match.action, fromBackend: match.direction == .backend,
            quirks: quirks)
    }

    /// A topic shown in an error: control characters escaped, at most 200 bytes.
    static func printable(_ topic: String) -> String {
        var text = ""
        for scalar in topic.unicodeScalars.prefix(200) {
            text += scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return topic.unicodeScalars.count > 200 ? text + "…" : text
    }
}
