/// One site (grid connection) of a simulated fleet.
public struct SimulatedSite: Sendable, Hashable {
    /// `sim-<n>`, counted from 1.
    public var id: String
    /// For people: "Simulated site 1 (urban)".
    public var name: String
    public var profile: SiteProfile
    /// Phase-to-neutral grid voltage at this site, in tenths of a volt (meters read it with noise around this).
    var gridDecivolts: Int64
    var zone: SiteTimeZone

    /// IANA time zone; arrivals follow its local hour.
    public var timezone: String { zone.identifier }

    init(number: Int, profile: SiteProfile, zone: SiteTimeZone, gridDecivolts: Int64) {
        id = "sim-\(number)"
        name = "Simulated site \(number) (\(profile.rawValue))"
        self.profile = profile
        self.zone = zone
        self.gridDecivolts = gridDecivolts
    }
}
