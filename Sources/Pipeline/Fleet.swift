/// The declared sites and chargers, with constant-time lookups by id.
///
/// Ids are unique (the loader reports duplicates; this initializer keeps the first of a repeated id in its
/// lookups) and every charger's site is declared.
public struct Fleet: Sendable, Equatable {
    /// The sites, in the order declared.
    public let sites: [Site]
    /// The chargers, in the order declared.
    public let chargers: [Charger]

    private let siteIndex: [String: Int]
    private let chargerIndex: [String: Int]
    private let connectorIndex: [ConnectorKey: Connector]

    private struct ConnectorKey: Hashable, Sendable {
        var charger: String
        var evse: Int
        var connector: Int
    }

    public init(sites: [Site] = [], chargers: [Charger] = []) {
        self.sites = sites
        self.chargers = chargers
        var siteIndex: [String: Int] = [:]
        for (index, site) in sites.enumerated() where siteIndex[site.id] == nil { siteIndex[site.id] = index }
        var chargerIndex: [String: Int] = [:]
        var connectorIndex: [ConnectorKey: Connector] = [:]
        for (index, charger) in chargers.enumerated() where chargerIndex[charger.id] == nil {
            chargerIndex[charger.id] = index
            for evse in charger.evses {
                for connector in evse.connectors {
                    let key = ConnectorKey(charger: charger.id, evse: evse.id, connector: connector.id)
                    if connectorIndex[key] == nil { connectorIndex[key] = connector }
                }
            }
        }
        self.siteIndex = siteIndex
        self.chargerIndex = chargerIndex
        self.connectorIndex = connectorIndex
    }

    /// The site with this id.
    public func site(id: String) -> Site? {
        siteIndex[id].map { sites[$0] }
    }

    /// The charger with this id.
    public func charger(id: String) -> Charger? {
        chargerIndex[id].map { chargers[$0] }
    }

    /// The rating of a connector, by charger id, EVSE id and connector id.
    public func connector(charger: String, evse: Int, connector: Int) -> Connector? {
        connectorIndex[ConnectorKey(charger: charger, evse: evse, connector: connector)]
    }

    /// The chargers of one site, in declaration order.
    public func chargers(atSite site: String) -> [Charger] {
        chargers.filter { $0.site == site }
    }

    public static func == (lhs: Fleet, rhs: Fleet) -> Bool {
        lhs.sites == rhs.sites && lhs.chargers == rhs.chargers
    }

    static let keys = ["sites", "chargers"]

    /// Reads the `fleet` section (its includes already merged in): sites, then chargers, reporting duplicate ids
    /// and chargers whose site is not declared.
    static func read(_ node: ConfigNode?) -> Fleet {
        guard let node, let mapping = node.mapping(allowedKeys: keys) else { return Fleet() }

        var sites: [Site] = []
        var siteSeen: [String: SourceLocation] = [:]
        for item in mapping.optional("sites")?.list() ?? [] {
            guard let site = Site.read(item) else { continue }
            let idNode = item.child("id") ?? item
            if let first = siteSeen[site.id] {
                idNode.report(.duplicateID(kind: "site", id: site.id, first: first))
                continue
            }
            siteSeen[site.id] = idNode.location
            sites.append(site)
        }

        var chargers: [Charger] = []
        var chargerSeen: [String: SourceLocation] = [:]
        for item in mapping.optional("chargers")?.list() ?? [] {
            guard let charger = Charger.read(item) else { continue }
            let idNode = item.child("id") ?? item
            if let first = chargerSeen[charger.id] {
                idNode.report(.duplicateID(kind: "charger", id: charger.id, first: first))
                continue
            }
            chargerSeen[charger.id] = idNode.location
            if siteSeen[charger.site] == nil {
                (item.child("site") ?? item).report(.undeclaredSite(charger.site))
                continue
            }
            chargers.append(charger)
        }
        return Fleet(sites: sites, chargers: chargers)
    }
}
