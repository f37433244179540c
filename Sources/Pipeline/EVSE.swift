/// One EVSE of a charger (a point that charges one vehicle at a time) and its connectors.
public struct EVSE: Sendable, Equatable {
    /// The EVSE id within its charger, 1 or more (OCPP 2.0.1 `evse.id`; OCPP 1.6 chargers usually number their
    /// connectors the same way).
    public var id: Int
    /// The connectors, at least one; ids are unique within the EVSE.
    public var connectors: [Connector]

    public init(id: Int, connectors: [Connector]) {
        self.id = id
        self.connectors = connectors
    }

    /// The connector with this id.
    public func connector(id: Int) -> Connector? {
        connectors.first { $0.id == id }
    }

    static let keys = ["id", "connectors"]

    /// Reads one entry of `evses`, reporting duplicate connector ids.
    static func read(_ node: ConfigNode) -> EVSE? {
        guard let mapping = node.mapping(allowedKeys: keys) else { return nil }
        let id = mapping.required("id")?.int(in: 1...999)
        var connectors: [Connector] = []
        var firstSeen: [Int: SourceLocation] = [:]
        if let list = mapping.required("connectors")?.list() {
            if list.isEmpty {
                mapping.optional("connectors")?.report(.invalid("an EVSE needs at least one connector"))
            }
            for item in list {
                guard let connector = Connector.read(item) else { continue }
                if let first = firstSeen[connector.id] {
                    (item.child("id") ?? item).report(.duplicateID(kind: "connector", id: String(connector.id), first: first))
                    continue
                }
                firstSeen[connector.id] = (item.child("id") ?? item).location
                connectors.append(connector)
            }
        }
        guard let id else { return nil }
        return EVSE(id: id, connectors: connectors)
    }
}
