/// A declared charger: where it stands, what it speaks, its known quirks and its connectors' ratings.
public struct Charger: Sendable, Equatable {
    /// Fixes for chargers that misreport, applied when their readings are decoded.
    public struct Quirks: Sendable, Equatable {
        /// The unit of energy registers, whatever the charger's label says.
        public enum EnergyUnit: String, Sendable, CaseIterable {
            case wh = "Wh"
            case kWh = "kWh"
        }

        /// How a transaction's `meterStart` relates to the register.
        public enum MeterStart: String, Sendable, CaseIterable {
            /// Decide per session from the values (the default).
            case auto
            /// `meterStart` is 0 and later readings count from the session's start.
            case zeroBased = "zero_based"
            /// `meterStart` is the register's lifetime reading.
            case cumulative
        }

        /// Assume this unit for energy registers (for chargers that send kWh labelled Wh); nil: trust the label.
        public var energyUnit: EnergyUnit?
        /// `auto` by default.
        public var meterStart: MeterStart

        public init(energyUnit: EnergyUnit? = nil, meterStart: MeterStart = .auto) {
            self.energyUnit = energyUnit
            self.meterStart = meterStart
        }

        static let keys = ["energy_unit", "meter_start"]
    }

    /// The charger id (an `Identifier`), as its topics carry it.
    public var id: String
    /// The id of its site (a declared site).
    public var site: String
    /// The protocol it speaks; nil: taken from the topic template's format.
    public var `protocol`: ChargerProtocol?
    public var vendor: String?
    public var model: String?
    public var quirks: Quirks
    /// Silence after which the charger counts as offline; nil: the pipeline-wide default applies.
    public var offlineAfter: Duration?
    /// The EVSEs; may be empty when ratings are not known.
    public var evses: [EVSE]

    public init(
        id: String, site: String, protocol: ChargerProtocol? = nil, vendor: String? = nil, model: String? = nil,
        quirks: Quirks = Quirks(), offlineAfter: Duration? = nil, evses: [EVSE] = []
    ) {
        self.id = id
        self.site = site
        self.protocol = `protocol`
        self.vendor = vendor
        self.model = model
        self.quirks = quirks
        self.offlineAfter = offlineAfter
        self.evses = evses
    }

    /// The EVSE with this id.
    public func evse(id: Int) -> EVSE? {
        evses.first { $0.id == id }
    }

    static let keys = ["id", "site", "protocol", "vendor", "model", "quirks", "offline_after", "evses"]

    /// Reads one entry of `fleet.chargers`. The site is only read here; ``Fleet`` checks that it exists.
    static func read(_ node: ConfigNode) -> Charger? {
        guard let mapping = node.mapping(allowedKeys: keys) else { return nil }
        let id = mapping.required("id")?.identifier(.charger)
        let site = mapping.required("site")?.identifier(.site)
        let chargerProtocol = mapping.optional("protocol")?.choice(ChargerProtocol.self)
        let vendor = mapping.optional("vendor")?.string()
        let model = mapping.optional("model")?.string()
        var quirks = Quirks()
        if let quirksMapping = mapping.optional("quirks")?.mapping(allowedKeys: Quirks.keys) {
            quirks.energyUnit = quirksMapping.optional("energy_unit")?.choice(Quirks.EnergyUnit.self)
            if let meterStart = quirksMapping.optional("meter_start")?.choice(Quirks.MeterStart.self) {
                quirks.meterStart = meterStart
            }
        }
        let offlineAfter = mapping.optional("offline_after")?.duration(in: .seconds(1) ... .seconds(30 * 86_400))

        var evses: [EVSE] = []
        var firstSeen: [Int: SourceLocation] = [:]
        for item in mapping.optional("evses")?.list() ?? [] {
            guard let evse = EVSE.read(item) else { continue }
            let idNode = item.child("id") ?? item
            if let first = firstSeen[evse.id] {
                idNode.report(.duplicateID(kind: "EVSE", id: String(evse.id), first: first))
                continue
            }
            firstSeen[evse.id] = idNode.location
            evses.append(evse)
        }
        guard let id, let site else { return nil }
        return Charger(
            id: id, site: site, protocol: chargerProtocol, vendor: vendor, model: model, quirks: quirks,
            offlineAfter: offlineAfter, evses: evses)
    }
}
