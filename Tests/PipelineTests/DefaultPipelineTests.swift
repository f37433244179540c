import Foundation
import Telemetry
import Testing

@testable import Pipeline

@Suite("The shipped pipeline")
struct DefaultPipelineTests {
    func loadDefault() throws -> PipelineDefinition {
        try PipelineDefinition.load(path: packageRoot + "/Pipelines/default.yaml", environment: [:])
    }

    @Test func loadsWithoutIssues() throws {
        let pipeline = try loadDefault()
        #expect(pipeline.broker.url == BrokerURL(scheme: .mqtt, host: "127.0.0.1", port: 1883))
        #expect(pipeline.broker.clientID == "wattline")
        #expect(pipeline.broker.protocolVersion == .mqtt5)
        #expect(pipeline.broker.session == .persistent)
        #expect(pipeline.broker.sessionExpiry == .seconds(86_400))
        #expect(pipeline.broker.availabilityTopic == "wattline/wattline/status")
        #expect(pipeline.broker.tls == nil)
        #expect(pipeline.dataDirectory == "data")
        #expect(pipeline.undeclaredChargers == .accept)
        #expect(pipeline.defaultSite == "unassigned")
    }

    @Test func subscribesToTheDocumentedFilters() throws {
        let pipeline = try loadDefault()
        #expect(pipeline.topics.map(\.filter) == [
            "ocpp/+/in",
            "ocpp/+/out",
            // MQTT wildcards take a whole level: the `everest-` prefix is checked by the matcher.
            "+/modules/+/impl/+/var/powermeter",
            "+/everest_api/+/var/session_info",
            "ev/+/+/+/+",
        ])
        #expect(pipeline.topics.map(\.format) == [.ocppJ, .ocppJ, .everest, .everest, .compact])
        #expect(pipeline.topics.map(\.direction) == [.charger, .backend, .charger, .charger, .charger])
    }

    @Test func includesTheDemoFleet() throws {
        let fleet = try loadDefault().fleet
        #expect(fleet.sites.map(\.id) == ["depot", "highway"])
        #expect(fleet.site(id: "depot")?.timeZone.identifier == "Europe/Berlin")
        #expect(fleet.site(id: "highway")?.timeZone.identifier == "Europe/Amsterdam")
        #expect(fleet.chargers.map(\.id) == ["CP-DEPOT-01", "CP-DEPOT-02", "CP-DEPOT-03", "CP-HWY-01", "CP-HWY-02"])
        #expect(Set(fleet.chargers.compactMap(\.protocol)) == [.ocpp16, .ocpp201, .everest])
        #expect(fleet.connector(charger: "CP-DEPOT-01", evse: 2, connector: 1)?.ratedPowerKW == 22)
        #expect(fleet.connector(charger: "CP-DEPOT-02", evse: 1, connector: 1)?.ratedPowerKW == 11)
        #expect(fleet.connector(charger: "CP-HWY-01", evse: 1, connector: 1)?.powerType == .dc)
        #expect(fleet.connector(charger: "CP-HWY-02", evse: 2, connector: 1)?.standard == .chademo)
        #expect(fleet.charger(id: "CP-HWY-02")?.quirks.energyUnit == .kWh)
    }

    @Test(arguments: [
        ("ocpp/CP-DEPOT-01/in", 0, "CP-DEPOT-01"),
        ("ocpp/CP-DEPOT-01/out", 1, "CP-DEPOT-01"),
        ("everest-CP-DEPOT-03/modules/powermeter_1/impl/main/var/powermeter", 2, "CP-DEPOT-03"),
        ("CP-DEPOT-03/everest_api/connector_1/var/session_info", 3, "CP-DEPOT-03"),
        ("ev/depot/CP-DEPOT-09/1/power", 4, "CP-DEPOT-09"),
    ])
    func routesEachKindOfTopic(topic: String, template: Int, charger: String) throws {
        let match = try #require(try loadDefault().topicRouter.match(topic: topic))
        #expect(match.templateIndex == template)
        #expect(match.charger == charger)
    }
}
