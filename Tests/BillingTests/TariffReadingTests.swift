import Foundation
import Testing

@testable import Billing
@testable import Pipeline

@Suite("Reading tariffs from a pipeline")
struct TariffReadingTests {
    static let head = """
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
        fleet:
          sites:
            - {id: depot, timezone: Europe/Berlin}
          chargers:
            - {id: CP-1, site: depot}
            - {id: CP-2, site: depot}

        """

    func catalog(_ tariffs: String) throws -> TariffCatalog {
        let pipeline = try loadPipeline(Self.head + tariffs).get()
        return try TariffCatalog.read(pipeline)
    }

    func issues(_ tariffs: String) -> [String] {
        do {
            _ = try catalog(tariffs)
            return []
        } catch let error as PipelineError {
            return error.issues.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    /// A typo in a price component is reported with its file, line and the closest key.
    @Test func typoIsReportedWithItsLine() {
        let lines = issues("""
            tariffs:
              default: standard
              definitions:
                - id: standard
                  currency: EUR
                  elements:
                    - price_components:
                        - type: ENERGY
                          pirce: 0.30
            """)
        // head is 9 lines; `pirce` is line 9 of the section → line 18.
        #expect(lines.contains("pipeline.yaml:18: unknown key 'pirce' (did you mean 'price'?)"))
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:17: tariffs.definitions[0].elements[0].price_components[0]: missing required key 'price'") })
    }

    @Test func badValuesAreReported() {
        let lines = issues("""
            tariffs:
              default: standrad
              definitions:
                - id: standard
                  currency: EUT
                  vat: 119
                  elements:
                    - price_components:
                        - {type: ENERGIE, price: 0.3x}
                      restrictions: {start_time: "25:00", day_of_week: [MONDAY, FUNDAY]}
              assignments:
                - {tariff: standard, site: nowhere}
            """)
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:11: tariffs.default: unknown value 'standrad'") && $0.hasSuffix("(did you mean 'standard'?)") })
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:14: tariffs.definitions[0].currency: unknown currency 'EUT'") })
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:15: tariffs.definitions[0].vat: 119 is out of range") })
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:18:") && $0.contains("unknown value 'ENERGIE'") })
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:18:") && $0.contains("expected a decimal number") })
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:19:") && $0.contains("expected a local time HH:MM") })
        #expect(lines.contains { $0.hasPrefix("pipeline.yaml:19:") && $0.contains("unknown value 'FUNDAY'") })
        #expect(lines.contains("pipeline.yaml:21: tariffs.assignments[0].site: 'nowhere' is not a declared site"))
        // 'standard' is declared (its definition has problems of its own): no derived complaint about it.
        #expect(lines.count == 8)
    }

    @Test func overlappingVersionsAreRefused() {
        let lines = issues("""
            tariffs:
              definitions:
                - {id: a, currency: EUR, valid_until: "2026-07-01T00:00:00+02:00", elements: [{price_components: [{type: ENERGY, price: 0.30}]}]}
                - {id: a, currency: EUR, valid_from: "2026-06-01T00:00:00+02:00", elements: [{price_components: [{type: ENERGY, price: 0.35}]}]}
            """)
        #expect(lines.count == 1 && lines[0].contains("tariff 'a' already has a version valid in this period"))
    }

    /// Tariff change between two sessions: the version valid at each session's start prices all of it.
    ///   session A starts 23:30 (v1 0.30): 10 kWh across midnight → 3.00 although v2 is valid from 00:00
    ///   session B starts 00:10 (v2 0.35): 10 kWh → 3.50
    @Test func tariffChangeBetweenSessions() throws {
        let catalog = try catalog("""
            tariffs:
              default: standard
              definitions:
                - id: standard
                  currency: EUR
                  valid_until: 2026-07-01T00:00:00+02:00
                  elements: [{price_components: [{type: ENERGY, price: 0.30}]}]
                - id: standard
                  currency: EUR
                  valid_from: 2026-07-01T00:00:00+02:00
                  elements: [{price_components: [{type: ENERGY, price: 0.35}]}]
            """)
        let a = session([s("2026-06-30T23:30:00+02:00", "0", .charging),
                         s("2026-07-01T00:30:00+02:00", "10000", .idle)], zone: "Europe/Berlin")
        let b = session([s("2026-07-01T00:10:00+02:00", "0", .charging),
                         s("2026-07-01T01:10:00+02:00", "10000", .idle)], zone: "Europe/Berlin")
        #expect(try catalog.cost(of: a)?.totalExclVAT == d("3.00"))
        #expect(try catalog.cost(of: b)?.totalExclVAT == d("3.50"))
    }

    /// Assignment: id-tag group beats location; connector beats charger beats site; else the default.
    @Test func assignment() throws {
        let catalog = try catalog("""
            tariffs:
              default: public
              groups:
                acme: ["04A2C3D4", "ACME-*"]
              assignments:
                - {tariff: site, site: depot}
                - {tariff: charger, charger: CP-2}
                - {tariff: connector, charger: CP-2, evse: 1, connector: 2}
                - {tariff: fleet, group: acme}
              definitions:
                - {id: public, currency: EUR, elements: [{price_components: [{type: FLAT, price: 1}]}]}
                - {id: site, currency: EUR, elements: [{price_components: [{type: FLAT, price: 2}]}]}
                - {id: charger, currency: EUR, elements: [{price_components: [{type: FLAT, price: 3}]}]}
                - {id: connector, currency: EUR, elements: [{price_components: [{type: FLAT, price: 4}]}]}
                - {id: fleet, currency: EUR, valid_until: "2027-01-01T00:00:00Z", elements: [{price_components: [{type: FLAT, price: 5}]}]}
            """)
        let t = ms("2026-05-04T10:00:00Z")
        func pick(_ site: String, _ charger: String, _ connector: Int, _ tag: String?, at time: Int64 = t) -> String? {
            catalog.tariff(site: site, charger: charger, evse: 1, connector: connector, idTag: tag, at: time)?.id
        }
        #expect(pick("elsewhere", "CP-9", 1, nil) == "public")
        #expect(pick("depot", "CP-1", 1, nil) == "site")
        #expect(pick("depot", "CP-2", 1, "X") == "charger")
        #expect(pick("depot", "CP-2", 2, nil) == "connector")
        #expect(pick("depot", "CP-2", 2, "ACME-17") == "fleet")
        #expect(pick("depot", "CP-2", 2, "04A2C3D4") == "fleet")
        // The fleet tariff expired: the next matching assignment.
        #expect(pick("depot", "CP-2", 2, "ACME-17", at: ms("2027-02-01T00:00:00Z")) == "connector")
    }

    /// Tariffs in a file the pipeline includes (`include: tariffs/example.yaml`): the shipped example loads.
    @Test func includedExampleFile() throws {
        let pipeline = try loadPipeline(Self.head + "include: [tariffs/example.yaml]\n",
                                        baseDirectory: repositoryRoot + "/Pipelines").get()
        let catalog = try TariffCatalog.read(pipeline)
        #expect(catalog.tariffs.map(\.id) == ["standard", "fleet"])
        #expect(catalog.defaultTariff == "standard")
        #expect(catalog.tariffs[0].location?.file.hasSuffix("tariffs/example.yaml") == true)
        let standard = catalog.tariffs[0]
        #expect(standard.idleFee == IdleFee(graceMs: 900_000, pricePerHour: 6, stepSize: 60, cap: 12))
        #expect(standard.minPrice == PriceBound(exclVAT: 1, inclVAT: d("1.19")))
        #expect(standard.elements[1].restrictions.startTime == 960)
        #expect(standard.elements[1].restrictions.daysOfWeek?.count == 5)
        #expect(catalog.tariff(site: "depot", charger: "CP-1", evse: 1, connector: 1, idTag: "ACME-3",
                               at: ms("2026-05-04T10:00:00Z"))?.id == "fleet")
    }

    /// Restrictions in OCPI units: min_duration in seconds (or a duration), max_kwh, min_power in kW.
    @Test func restrictionsRead() throws {
        let catalog = try catalog("""
            tariffs:
              definitions:
                - id: r
                  currency: JPY
                  suspended_evse: parking
                  max_price: 5000
                  elements:
                    - price_components: [{type: TIME, price: 600, step_size: 60}]
                      restrictions: {min_duration: 3600, max_duration: 2h, max_kwh: 20.5, min_power: 50, start_date: 2026-01-01, end_date: 2027-01-01, end_time: "24:00", start_time: "22:00"}
            """)
        let r = catalog.tariffs[0].elements[0].restrictions
        #expect(r.minDurationMs == 3_600_000 && r.maxDurationMs == 7_200_000)
        #expect(r.maxKWh == d("20.5") && r.minPowerKW == 50)
        #expect(r.startDate == LocalDate(year: 2026, month: 1, day: 1) && r.endTime == 1440)
        #expect(catalog.tariffs[0].suspendedEVSE == .parking)
        #expect(catalog.tariffs[0].maxPrice == PriceBound(exclVAT: 5000))
    }
}
