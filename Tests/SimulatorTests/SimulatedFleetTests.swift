import Simulator
import Telemetry
import Testing

@Suite struct SimulatedFleetTests {
    @Test func chargersAreSpreadOverSitesWithValidIds() throws {
        let fleet = try SimulatedFleet(chargerCount: 20, siteCount: 3, seed: 42)
        #expect(fleet.sites.map(\.id) == ["sim-1", "sim-2", "sim-3"])
        #expect(fleet.chargers.count == 20)
        #expect(fleet.chargers.filter { $0.siteID == "sim-1" }.count == 7)
        #expect(fleet.chargers.filter { $0.siteID == "sim-3" }.count == 6)
        #expect(fleet.chargers.first?.id == "SIM-1-01")
        #expect(fleet.chargers.last?.id == "SIM-3-06")
        #expect(Set(fleet.chargers.map(\.id)).count == 20)
        for charger in fleet.chargers {
            #expect(Identifier.isValid(charger.id))
            #expect(fleet.site(id: charger.siteID) != nil)
            #expect(charger.evses.map(\.id) == Array(1...charger.evses.count))
        }
        for site in fleet.sites {
            #expect(Identifier.isValid(site.id))
            #expect(site.timezone.hasPrefix("Europe/"))
        }
        #expect(fleet.sites.map(\.profile) == [.urban, .urban, .highway])
    }

    @Test(arguments: [1, 2, 3, 20, 150])
    func everyProtocolOnceTheFleetIsBigEnough(count: Int) throws {
        let fleet = try SimulatedFleet(chargerCount: count, siteCount: 1, seed: 5)
        let protocols = fleet.chargers.map(\.protocol)
        #expect(protocols.count == count)
        #expect(Set(protocols).count == min(count, 3))
        if count >= 20 {
            #expect(protocols.filter { $0 == .ocpp16 }.count > count / 3)
            #expect(protocols.filter { $0 == .everest }.count < count / 4)
        }
    }

    @Test func ratingsAreThoseOfRealConnectors() throws {
        let fleet = try SimulatedFleet(chargerCount: 300, siteCount: 6, seed: 11)
        let ratings = fleet.chargers.flatMap { $0.evses.map(\.rating) }
        for rating in ratings {
            if rating.isDC {
                #expect((50_000...350_000).contains(rating.ratedPowerW))
                #expect(rating.standard != .type2)
            } else {
                #expect((7_000...22_000).contains(rating.ratedPowerW))
                #expect(rating.standard == .type2)
                // Rated power is what the phases' current delivers at 230 V, within 3 % (7.4 kW is 32 A at 232 V).
                let nominal = rating.phases * rating.ratedCurrentA * 230
                #expect(abs(rating.ratedPowerW - nominal) <= nominal * 3 / 100)
            }
        }
        #expect(ratings.contains { $0.isDC } && ratings.contains { !$0.isDC })
        #expect(Set(ratings.map(\.ratedPowerW)) == [7400, 11_000, 22_000, 50_000, 150_000, 350_000])
        for charger in fleet.chargers where charger.protocol == .everest {
            #expect(charger.evses.count == 1, "EVerest topics in the shipped pipeline name no EVSE")
            #expect(!charger.evses[0].rating.isDC)
        }
    }

    @Test func theDeclarationListsEverySiteAndCharger() throws {
        let fleet = try SimulatedFleet(chargerCount: 20, siteCount: 3, seed: 42)
        let yaml = fleet.declarationYAML()
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("sites:"))
        #expect(lines.contains("chargers:"))
        #expect(lines.filter { $0.hasPrefix("  - id: sim-") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("  - id: SIM-") }.count == 20)
        #expect(lines.filter { $0.hasPrefix("            rated_power_kw: ") }.count
                == fleet.chargers.reduce(0) { $0 + $1.evses.count })
        #expect(yaml.contains("""
              - id: sim-1
                name: Simulated site 1 (urban)
                timezone: Europe/Berlin
            """))
        let first = fleet.chargers[0]
        #expect(yaml.contains("""
              - id: \(first.id)
                site: sim-1
                protocol: \(first.protocol.rawValue)
                vendor: Wattline Sim
                model: \(first.model)
                evses:
                  - id: 1
                    connectors:
                      - id: 1
                        standard: \(first.evses[0].rating.standard.rawValue)
            """))
        #expect(!yaml.contains("\t"))
        #expect(yaml.hasSuffix("\n"))
    }

    @Test func aTopicNamesItsCharger() throws {
        let fleet = try SimulatedFleet(chargerCount: 4, siteCount: 1, seed: 1)
        let id = fleet.chargers[2].id
        for topic in [SimulatorTopics.ocppIn(id), SimulatorTopics.ocppOut(id), SimulatorTopics.everestPowermeter(id),
                      SimulatorTopics.everestSessionInfo(id, evse: 1)] {
            #expect(SimulatorTopics.chargerID(inTopic: topic) == id)
            #expect(fleet.charger(forTopic: topic)?.id == id)
        }
        #expect(SimulatorTopics.chargerID(inTopic: "ev/site/\(id)/1/power") == nil)
        #expect(fleet.charger(forTopic: "ocpp/CP-OTHER/in") == nil)
    }
}
