/// One charger of a simulated fleet.
public struct SimulatedCharger: Sendable, Hashable {
    /// `SIM-<site number>-<nn>`: a valid Wattline identifier.
    public var id: String
    /// The id of its site (`sim-<n>`).
    public var siteID: String
    public var `protocol`: SimulatedProtocol
    public var vendor: String
    public var model: String
    public var evses: [SimulatedEVSE]

    public init(id: String, siteID: String, protocol: SimulatedProtocol, vendor: String, model: String,
                evses: [SimulatedEVSE]) {
        self.id = id
        self.siteID = siteID
        self.protocol = `protocol`
        self.vendor = vendor
        self.model = model
        self.evses = evses
    }

    /// The EVSE with `id`, if the charger has it.
    public func evse(id: Int) -> SimulatedEVSE? {
        evses.first { $0.id == id }
    }
}
