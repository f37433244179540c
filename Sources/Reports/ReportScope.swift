import Foundation
import Pipeline

/// What a report covers: the EVSEs (declared in the fleet, plus any the sessions name that the fleet does not),
/// the site of each, and the time zone days and hours are counted in.
public struct ReportScope: Sendable {
    /// The fleet declaration (may be empty: then every site counts in UTC).
    public let fleet: Fleet
    /// Every calendar in the report in this zone instead of each site's own (`--tz`).
    public let timeZoneOverride: TimeZone?
    /// Only this site, when set.
    public let site: String?
    /// The EVSEs, sorted, with their site.
    public let evses: [EVSEKey: String]

    public init(fleet: Fleet, sessions: [ReportSession], site: String? = nil, timeZone: TimeZone? = nil) {
        self.fleet = fleet
        self.timeZoneOverride = timeZone
        self.site = site
        var evses: [EVSEKey: String] = [:]
        for charger in fleet.chargers where site == nil || charger.site == site {
            for evse in charger.evses { evses[EVSEKey(charger: charger.id, evse: evse.id)] = charger.site }
        }
        for session in sessions where site == nil || session.site == site {
            if evses[session.evseKey] == nil { evses[session.evseKey] = session.site }
        }
        self.evses = evses
    }

    /// The zone of a site's calendar: `--tz`, else the declared site's, else UTC.
    public func timeZone(ofSite site: String) -> TimeZone {
        timeZoneOverride ?? fleet.site(id: site)?.timeZone ?? TimeZone(identifier: "UTC")!
    }

    /// The EVSEs of one site, of one charger, or all.
    public func evses(site: String? = nil, charger: String? = nil) -> [EVSEKey] {
        evses.filter { key, evseSite in
            (site == nil || evseSite == site) && (charger == nil || key.charger == charger)
        }.keys.sorted()
    }

    /// The rated power of an EVSE in kW: its largest connector's, from the fleet; nil when not declared.
    public func ratedPowerKW(_ key: EVSEKey) -> Double? {
        fleet.charger(id: key.charger)?.evse(id: key.evse)?.connectors.map(\.ratedPowerKW).max()
    }
}
