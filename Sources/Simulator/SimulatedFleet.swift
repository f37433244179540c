/// A generated fleet: `siteCount` sites and `chargerCount` chargers spread over them, the same for the same seed.
///
/// Sites are `sim-1`, `sim-2`, ...; every third site is a motorway service area (`SiteProfile.highway`), the others
/// are urban. Chargers are `SIM-<site>-<nn>`, numbered within their site. About half speak OCPP 1.6J, a third OCPP
/// 2.0.1 and one in eight EVerest (at least one of each once the fleet is big enough), shuffled by the seed.
public struct SimulatedFleet: Sendable, Hashable {
    public let sites: [SimulatedSite]
    public let chargers: [SimulatedCharger]
    public let seed: UInt64
    /// Charger id → index in `chargers`.
    private let chargerIndex: [String: Int]

    public init(chargerCount: Int, siteCount: Int, seed: UInt64) throws(SimulationSettingsError) {
        guard (1...SimulationSettings.maxChargers).contains(chargerCount) else { throw .chargerCount(chargerCount) }
        guard (1...chargerCount).contains(siteCount) else { throw .siteCount(siteCount, chargerCount: chargerCount) }
        self.seed = seed
        var random = SimulationRandom(seed: seed, stream: RandomStream.fleet)

        var sites: [SimulatedSite] = []
        for number in 1...siteCount {
            let profile: SiteProfile = number % 3 == 0 ? .highway : .urban
            let zone = SiteTimeZone.catalog[(number - 1) % SiteTimeZone.catalog.count]
            sites.append(SimulatedSite(number: number, profile: profile, zone: zone,
                                       gridDecivolts: Int64(random.integer(2290...2345))))
        }

        var protocols = Self.protocolMix(count: chargerCount)
        for index in stride(from: protocols.count - 1, to: 0, by: -1) {
            protocols.swapAt(index, random.integer(0...index))
        }

        var chargers: [SimulatedCharger] = []
        var next = 0
        for (siteIndex, site) in sites.enumerated() {
            let share = chargerCount / siteCount + (siteIndex < chargerCount % siteCount ? 1 : 0)
            let width = max(2, String(share).count)
            for number in 1...share {
                let proto = protocols[next]
                next += 1
                let model = ChargerModel.pick(for: proto, at: site.profile, using: &random)
                let digits = String(number)
                let id = "SIM-\(siteIndex + 1)-" + String(repeating: "0", count: width - digits.count) + digits
                let evses = model.evses.enumerated().map { SimulatedEVSE(id: $0.offset + 1, rating: $0.element) }
                chargers.append(SimulatedCharger(id: id, siteID: site.id, protocol: proto, vendor: ChargerModel.vendor,
                                                 model: model.name, evses: evses))
            }
        }
        self.sites = sites
        self.chargers = chargers
        chargerIndex = Dictionary(uniqueKeysWithValues: chargers.enumerated().map { ($0.element.id, $0.offset) })
    }

    /// How many chargers speak each protocol, in a fixed order (shuffled by the caller).
    static func protocolMix(count: Int) -> [SimulatedProtocol] {
        let everest = count >= 3 ? max(1, count / 8) : 0
        let ocpp201 = count >= 2 ? max(1, Int((Double(count) * 0.35).rounded())) : 0
        return Array(repeating: .everest, count: everest) + Array(repeating: .ocpp201, count: ocpp201)
            + Array(repeating: .ocpp16, count: count - everest - ocpp201)
    }

    public func charger(id: String) -> SimulatedCharger? {
        chargerIndex[id].map { chargers[$0] }
    }

    public func site(id: String) -> SimulatedSite? {
        sites.first { $0.id == id }
    }

    /// The charger a simulated message's topic belongs to (`SimulatorTopics.chargerID(inTopic:)`).
    public func charger(forTopic topic: String) -> SimulatedCharger? {
        SimulatorTopics.chargerID(inTopic: topic).flatMap { charger(id: $0) }
    }
}
