/// One connector of an EVSE, with its rating: what the anomaly checks compare measured power and current with.
public struct Connector: Sendable, Equatable {
    /// AC on one or three phases, or DC (OCPI's `PowerType`).
    public enum PowerType: String, Sendable, CaseIterable, Codable {
        case ac1Phase = "AC_1_PHASE"
        case ac3Phase = "AC_3_PHASE"
        case dc = "DC"

        /// True for the AC kinds.
        public var isAC: Bool { self != .dc }
    }

    /// The connector id within its EVSE, 1 or more (OCPP 2.0.1 `connectorId`).
    public var id: Int
    /// The plug or socket.
    public var standard: ConnectorStandard
    public var powerType: PowerType
    /// The phases wired (AC only): 1 for `AC_1_PHASE`; 3 by default for `AC_3_PHASE`, fewer when so wired.
    public var phases: Int?
    /// The most power the connector delivers, in kW.
    public var ratedPowerKW: Double
    /// The most current per phase, in A, when known.
    public var ratedCurrentA: Double?
    /// The nominal voltage (phase to neutral for AC, the maximum for DC), in V, when known.
    public var nominalVoltageV: Double?

    public init(
        id: Int, standard: ConnectorStandard, powerType: PowerType, phases: Int? = nil, ratedPowerKW: Double,
        ratedCurrentA: Double? = nil, nominalVoltageV: Double? = nil
    ) {
        self.id = id
        self.standard = standard
        self.powerType = powerType
        self.phases = phases ?? (powerType == .ac1Phase ? 1 : powerType == .ac3Phase ? 3 : nil)
        self.ratedPowerKW = ratedPowerKW
        self.ratedCurrentA = ratedCurrentA
        self.nominalVoltageV = nominalVoltageV
    }

    static let keys = [
        "id", "standard", "power_type", "phases", "rated_power_kw", "rated_current_a", "nominal_voltage_v",
    ]

    /// Reads one entry of `connectors`; nil (after reporting) when a required key is missing or refused.
    static func read(_ node: ConfigNode) -> Connector? {
        guard let mapping = node.mapping(allowedKeys: keys) else { return nil }
        let id = mapping.required("id")?.int(in: 1...999)
        let standard = mapping.required("standard")?.choice(ConnectorStandard.self)
        let powerType = mapping.required("power_type")?.choice(PowerType.self)
        let phasesNode = mapping.optional("phases")
        var phases = phasesNode?.int(in: 1...3)
        if let phasesNode, let powerType {
            if powerType == .dc {
                phasesNode.report(.invalid("phases applies to AC connectors only (power_type is DC)"))
                phases = nil
            } else if powerType == .ac1Phase, let given = phases, given != 1 {
                phasesNode.report(.invalid("an AC_1_PHASE connector has 1 phase, found \(given)"))
                phases = nil
            }
        }
        let power = mapping.required("rated_power_kw")?.positiveDouble()
        let current = mapping.optional("rated_current_a")?.positiveDouble()
        let voltage = mapping.optional("nominal_voltage_v")?.positiveDouble()
        guard let id, let standard, let powerType, let power else { return nil }
        return Connector(
            id: id, standard: standard, powerType: powerType, phases: phases, ratedPowerKW: power,
            ratedCurrentA: current, nominalVoltageV: voltage)
    }
}
