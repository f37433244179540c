import Foundation
import Testing

@testable import Pipeline

@Suite("Fleet")
struct FleetTests {
    let yaml = """
        \(minimalTopics)
        undeclared_chargers: reject
        fleet:
          sites:
            - id: depot
              timezone: Europe/Berlin
              grid_limit_kw: 250
              phase_imbalance_limit_kva: 4.6
              ocpi: {country_code: de, party_id: wtl}
              address: {street: Hauptstr. 1, city: Berlin, postal_code: "10115", country: deu}
          chargers:
            - id: CP-1
              site: depot
              protocol: ocpp201
              offline_after: 9m
              quirks: {energy_unit: kWh, meter_start: cumulative}
              evses:
                - id: 1
                  connectors:
                    - {id: 1, standard: IEC_62196_T2, power_type: AC_3_PHASE, rated_power_kw: 22, rated_current_a: 32}
                    - {id: 2, standard: IEC_62196_T2, power_type: AC_3_PHASE, phases: 1, rated_power_kw: 7.4}
                - id: 2
                  connectors:
                    - {id: 1, standard: IEC_62196_T2_COMBO, power_type: DC, rated_power_kw: 150}
        """

    @Test func looksUpSitesChargersAndConnectors() throws {
        let pipeline = try #require(loadValid(yaml))
        let fleet = pipeline.fleet
        let site = try #require(fleet.site(id: "depot"))
        #expect(site.name == "depot")
        #expect(site.timeZone == TimeZone(identifier: "Europe/Berlin"))
        #expect(site.gridLimitKW == 250)
        #expect(site.phaseImbalanceLimitKVA == 4.6)
        #expect(site.ocpi == Site.OCPIParty(countryCode: "DE", partyID: "WTL"))
        #expect(site.address?.country == "DEU")
        #expect(site.address?.postalCode == "10115")

        let charger = try #require(fleet.charger(id: "CP-1"))
        #expect(charger.protocol == .ocpp201)
        #expect(charger.offlineAfter == .seconds(540))
        #expect(charger.quirks == Charger.Quirks(energyUnit: .kWh, meterStart: .cumulative))
        #expect(fleet.chargers(atSite: "depot").map(\.id) == ["CP-1"])

        #expect(fleet.connector(charger: "CP-1", evse: 1, connector: 1)?.phases == 3)
        #expect(fleet.connector(charger: "CP-1", evse: 1, connector: 1)?.ratedCurrentA == 32)
        #expect(fleet.connector(charger: "CP-1", evse: 1, connector: 2)?.phases == 1)
        #expect(fleet.connector(charger: "CP-1", evse: 2, connector: 1)?.phases == nil)
        #expect(fleet.connector(charger: "CP-1", evse: 2, connector: 1)?.ratedPowerKW == 150)
        #expect(fleet.connector(charger: "CP-1", evse: 3, connector: 1) == nil)
        #expect(fleet.connector(charger: "CP-2", evse: 1, connector: 1) == nil)
        #expect(fleet.charger(id: "cp-1") == nil)
        #expect(fleet.site(id: "unassigned") == nil)
    }

    @Test func undeclaredChargersFollowThePolicy() throws {
        let rejecting = try #require(loadValid(yaml))
        #expect(rejecting.resolveCharger("CP-9") == .rejected)
        #expect(rejecting.resolveCharger("CP-1") == .declared(try #require(rejecting.fleet.charger(id: "CP-1"))))

        let accepting = try #require(loadValid(
            yaml.replacingOccurrences(of: "undeclared_chargers: reject", with: "default_site: yard")))
        #expect(accepting.undeclaredChargers == .accept)
        #expect(accepting.resolveCharger("CP-9") == .undeclared(site: "yard"))
    }

    @Test func duplicateEVSEAndConnectorIdsAreReported() {
        let yaml = """
            \(minimalTopics)
            fleet:
              sites: [{id: s, timezone: UTC}]
              chargers:
                - id: CP-1
                  site: s
                  evses:
                    - id: 1
                      connectors:
                        - {id: 1, standard: CHADEMO, power_type: DC, rated_power_kw: 50}
                        - {id: 1, standard: CHADEMO, power_type: DC, rated_power_kw: 50}
                    - id: 1
                      connectors:
                        - {id: 1, standard: CHADEMO, power_type: DC, rated_power_kw: 50}
            """
        #expect(issueLines(yaml) == [
            "Pipelines/depot.yaml:13: fleet.chargers[0].evses[0].connectors[1].id: duplicate connector id '1' (first declared at Pipelines/depot.yaml:12)",
            "Pipelines/depot.yaml:14: fleet.chargers[0].evses[1].id: duplicate EVSE id '1' (first declared at Pipelines/depot.yaml:10)",
        ])
    }

    @Test(arguments: [
        ("standard: TYPE2", "fleet.chargers[0].evses[0].connectors[0].standard: unknown value 'TYPE2'"),
        ("power_type: AC", "fleet.chargers[0].evses[0].connectors[0].power_type: unknown value 'AC'; expected one of: AC_1_PHASE, AC_3_PHASE, DC"),
        ("phases: 4", "fleet.chargers[0].evses[0].connectors[0].phases: 4 is out of range (expected 1...3)"),
        ("rated_power_kw: 0", "fleet.chargers[0].evses[0].connectors[0].rated_power_kw: 0 is out of range (expected a number greater than 0)"),
        ("rated_power_kw: .nan", "fleet.chargers[0].evses[0].connectors[0].rated_power_kw: expected a number, found '.nan'"),
    ])
    func connectorValuesAreChecked(line: String, messagePrefix: String) throws {
        var fields = ["id: 1", "standard: IEC_62196_T2", "power_type: AC_3_PHASE", "rated_power_kw: 11"]
        let key = line.prefix(while: { $0 != ":" })
        if let index = fields.firstIndex(where: { $0.hasPrefix(key + ":") }) {
            fields[index] = line
        } else {
            fields.append(line)
        }
        let yaml = """
            \(minimalTopics)
            fleet:
              sites: [{id: s, timezone: UTC}]
              chargers:
                - id: CP-1
                  site: s
                  evses:
                    - id: 1
                      connectors:
                        - \(fields.joined(separator: "\n" + String(repeating: " ", count: 14)))
            """
        let found = issueLines(yaml)
        #expect(found.count == 1)
        let issueLine = try #require(found.first)
        #expect(issueLine.contains(messagePrefix))
        let lineNumber = 12 + fields.firstIndex(of: line)!
        #expect(issueLine.hasPrefix("Pipelines/depot.yaml:\(lineNumber): "))
    }

    @Test(arguments: [
        ("timezone: CET", "fleet.sites[0].timezone: 'CET' is not an IANA time zone such as Europe/Berlin"),
        ("ocpi: {country_code: DEU, party_id: WTL}", "fleet.sites[0].ocpi.country_code: expected an ISO 3166-1 alpha-2 code such as DE, found 'DEU'"),
        ("ocpi: {country_code: DE, party_id: W}", "fleet.sites[0].ocpi.party_id: expected 3 letters or digits such as WTL, found 'W'"),
        ("ocpi: {country_code: DE}", "fleet.sites[0].ocpi: missing required key 'party_id'"),
        ("coordinates: {lat: 52, lon: 181}", "fleet.sites[0].coordinates.lon: 181 is out of range (expected -180...180)"),
        ("grid_limit_kw: -1", "fleet.sites[0].grid_limit_kw: -1 is out of range (expected a number greater than 0)"),
        ("address: {country: Germany}", "fleet.sites[0].address.country: expected an ISO 3166-1 alpha-3 code such as DEU, found 'Germany'"),
    ])
    func siteValuesAreChecked(line: String, message: String) {
        let yaml = """
            \(minimalTopics)
            fleet:
              sites:
                - id: s
                  \(line)
            """
        let fixed = line.hasPrefix("timezone") ? yaml : yaml.replacingOccurrences(of: "- id: s", with: "- id: s\n      timezone: UTC")
        let expectedLine = line.hasPrefix("timezone") ? 7 : 8
        #expect(issueLines(fixed) == ["Pipelines/depot.yaml:\(expectedLine): \(message)"])
    }

    @Test func chargerValuesAreChecked() {
        let yaml = """
            \(minimalTopics)
            default_site: "no site"
            fleet:
              sites: [{id: s, timezone: UTC}]
              chargers:
                - id: CP-1
                  site: s
                  protocol: ocpp15
                  offline_after: 10
                  quirks: {energy_unit: MWh, meter_start: zero}
            """
        #expect(issueLines(yaml) == [
            "Pipelines/depot.yaml:4: default_site: 'no site' is not a valid id: site id has byte 0x20 at byte 2; allowed are A-Z a-z 0-9 . _ : -",
            "Pipelines/depot.yaml:10: fleet.chargers[0].protocol: unknown value 'ocpp15'; expected one of: ocpp16, ocpp201, everest, compact (did you mean 'ocpp16'?)",
            "Pipelines/depot.yaml:11: fleet.chargers[0].offline_after: expected a duration such as 30s, 5m, 1h or 1d, found '10'",
            "Pipelines/depot.yaml:12: fleet.chargers[0].quirks.energy_unit: unknown value 'MWh'; expected one of: Wh, kWh (did you mean 'Wh'?)",
            "Pipelines/depot.yaml:12: fleet.chargers[0].quirks.meter_start: unknown value 'zero'; expected one of: auto, zero_based, cumulative",
        ])
    }

    @Test func aProgrammaticFleetKeepsTheFirstOfARepeatedId() throws {
        let zone = try #require(TimeZone(identifier: "UTC"))
        let fleet = Fleet(
            sites: [Site(id: "s", timeZone: zone)],
            chargers: [Charger(id: "A", site: "s", vendor: "first"), Charger(id: "A", site: "s", vendor: "second")])
        #expect(fleet.charger(id: "A")?.vendor == "first")
    }
}
