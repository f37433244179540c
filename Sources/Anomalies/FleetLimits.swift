import Pipeline

/// What the rules need from the fleet declaration, in a `Codable` form kept in snapshots.
public struct FleetLimits: Sendable, Codable, Equatable {
    public struct SiteLimits: Sendable, Codable, Equatable {
        public var gridLimitW: Double?
        public var phaseImbalanceLimitVA: Double?
    }

    public struct EVSELimits: Sendable, Codable, Equatable {
        /// The largest rated power of its connectors (W).
        public var ratedW: Double
        /// All connectors DC / all AC (mixed EVSEs are neither).
        public var isDC: Bool
        public var isAC: Bool
        /// AC phases wired (the largest of its AC connectors).
        public var phases: Int?
        /// Declared phase-to-neutral nominal voltage of its AC connectors.
        public var nominalV: Double?
    }

    public struct ChargerLimits: Sendable, Codable, Equatable {
        public var site: String
        public var offlineAfterMs: Int64?
        public var evses: [Int: EVSELimits]
    }

    public var sites: [String: SiteLimits]
    public var chargers: [String: ChargerLimits]
    /// Declared charger ids in declaration order (watched for silence from the first `advance(to:)` on).
    public var declaredChargers: [String]

    public init(_ fleet: Fleet) {
        var sites: [String: SiteLimits] = [:]
        for site in fleet.sites {
            sites[site.id] = SiteLimits(gridLimitW: site.gridLimitKW.map { $0 * 1_000 },
                                        phaseImbalanceLimitVA: site.phaseImbalanceLimitKVA.map { $0 * 1_000 })
        }
        var chargers: [String: ChargerLimits] = [:]
        var declared: [String] = []
        for charger in fleet.chargers where chargers[charger.id] == nil {
            var evses: [Int: EVSELimits] = [:]
            for evse in charger.evses where !evse.connectors.isEmpty {
                let c = evse.connectors
                let ac = c.filter { $0.powerType.isAC }
                evses[evse.id] = EVSELimits(
                    ratedW: (c.map(\.ratedPowerKW).max() ?? 0) * 1_000,
                    isDC: ac.isEmpty, isAC: ac.count == c.count,
                    phases: ac.compactMap(\.phases).max(),
                    nominalV: ac.compactMap(\.nominalVoltageV).max())
            }
            chargers[charger.id] = ChargerLimits(
                site: charger.site, offlineAfterMs: charger.offlineAfter.map(DurationText.milliseconds), evses: evses)
            declared.append(charger.id)
        }
        self.sites = sites
        self.chargers = chargers
        self.declaredChargers = declared
    }
}
