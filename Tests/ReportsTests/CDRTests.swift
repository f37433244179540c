import Billing
import Foundation
import MosquittoTestSupport
import Pipeline
import Processing
import Reports
import SQLite
import Testing

/// `CDRExporter` and `CDRLedger`: OCPI 2.2.1 field names and JSON types, only finalized priced sessions, and the
/// ledger's rule — an exported CDR never changes; a correction is a credit plus a re-issue.
@Suite struct CDRTests {
    static let now = ReportFixture.ms("2026-04-01T09:00:00.000Z")

    static func export(_ data: String, now: Int64 = now, fleet: Fleet? = nil) throws -> CDRExporter.Outcome {
        let results = try ResultQueries(dataDirectory: data)
        let ledger = try CDRLedger(path: results.path)
        defer { ledger.close() }
        let pipeline = try PipelineDefinition.load(path: ReportFixture.pipelinePath)
        let builder = CDRBuilder(fleet: fleet ?? pipeline.fleet, tariffs: try TariffCatalog.read(pipeline))
        return try CDRExporter.export(sessions: try ReportSource.sessions(results), ledger: ledger, builder: builder, now: now)
    }

    static func object(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    enum Kind { case string, number, object, array, bool }

    /// The JSON type of a member, read from the text (JSONSerialization does not tell booleans from numbers).
    static func kind(_ value: JSONValue?) -> Kind? {
        switch value {
        case .string?: .string
        case .object?: .object
        case .array?: .array
        case .number?: .number
        case .bool?: .bool
        case .null?, nil: nil
        }
    }

    /// OCPI 2.2.1 CDR object: every required field and its JSON type.
    static let required: [(String, Kind)] = [
        ("country_code", .string), ("party_id", .string), ("id", .string), ("start_date_time", .string),
        ("end_date_time", .string), ("cdr_token", .object), ("auth_method", .string), ("cdr_location", .object),
        ("currency", .string), ("charging_periods", .array), ("total_cost", .object), ("total_energy", .number),
        ("total_time", .number), ("last_updated", .string),
    ]

    @Test func cdrsCarryTheOCPIFieldsWithTheirTypes() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-cdrs")
        defer { directory.remove() }
        let outcome = try Self.export(try ReportFixture.write(in: directory))
        // Finalized and priced: s1–s4. s5 has no tariff, s6 is open, s7 is closed but not finalized.
        // Oldest first: s4 started 03-29T03:00Z, before s2.
        #expect(outcome.records.map(\.sessionId) == ["00000000000000s1", "00000000000000s4", "00000000000000s2", "00000000000000s3"])
        #expect(outcome.issued == 4 && outcome.corrected == 0 && outcome.refused.isEmpty)
        for record in outcome.records {
            let cdr = try Self.object(record.body)
            let typed = try JSONValue.parse(record.body)
            for (field, kind) in Self.required { #expect(Self.kind(typed[field]) == kind, "\(record.id).\(field)") }
            for field in ["total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost"] {
                #expect(Self.kind(typed[field]) == .object, "\(record.id).\(field)")
                #expect(Self.kind(typed[field]?["excl_vat"]) == .number)
            }
            #expect(Self.kind(typed["total_parking_time"]) == .number)
            let token = try #require(cdr["cdr_token"] as? [String: Any])
            for field in ["country_code", "party_id", "uid", "type", "contract_id"] {
                #expect(Self.kind(typed["cdr_token"]?[field]) == .string, "\(field)")
            }
            #expect(["AD_HOC_USER", "APP_USER", "OTHER", "RFID"].contains(token["type"] as? String))
            #expect(["AUTH_REQUEST", "COMMAND", "WHITELIST"].contains(cdr["auth_method"] as? String))
            let location = try #require(cdr["cdr_location"] as? [String: Any])
            #expect(location.count >= 10)
            for field in ["id", "address", "city", "country", "evse_uid", "evse_id", "connector_id", "connector_standard",
                          "connector_format", "connector_power_type"] {
                #expect(Self.kind(typed["cdr_location"]?[field]) == .string, "cdr_location.\(field)")
            }
            let coordinates = typed["cdr_location"]?["coordinates"]
            #expect(Self.kind(coordinates?["latitude"]) == .string)
            #expect(Self.kind(coordinates?["longitude"]) == .string)
            #expect(Self.kind(typed["total_cost"]?["excl_vat"]) == .number)
            #expect(Self.kind(typed["total_cost"]?["incl_vat"]) == .number)
            guard case .array(let periods)? = typed["charging_periods"] else { Issue.record("charging_periods"); continue }
            #expect(!periods.isEmpty)
            for period in periods {
                #expect(Self.kind(period["start_date_time"]) == .string)
                guard case .array(let dimensions)? = period["dimensions"] else { Issue.record("dimensions"); continue }
                #expect(!dimensions.isEmpty)
                for dimension in dimensions {
                    let type = dimension["type"]?.stringValue ?? ""
                    #expect(["ENERGY", "TIME", "PARKING_TIME"].contains(type))
                    #expect(Self.kind(dimension["volume"]) == .number)
                }
            }
            #expect((cdr["last_updated"] as? String) == "2026-04-01T09:00:00.000Z")
            // tariffs: the version that priced the session, as an OCPI Tariff object.
            guard case .array(let tariffs)? = typed["tariffs"], let tariff = tariffs.first, tariffs.count == 1 else {
                Issue.record("\(record.id): tariffs")
                continue
            }
            for (field, kind) in [("country_code", Kind.string), ("party_id", .string), ("id", .string), ("currency", .string),
                                  ("elements", .array), ("last_updated", .string)] {
                #expect(Self.kind(tariff[field]) == kind, "tariffs[0].\(field)")
            }
            guard case .array(let elements)? = tariff["elements"] else { continue }
            for element in elements {
                guard case .array(let components)? = element["price_components"] else { Issue.record("price_components"); continue }
                for component in components {
                    #expect(Self.kind(component["type"]) == .string)
                    #expect(Self.kind(component["price"]) == .number)
                    #expect(Self.kind(component["step_size"]) == .number)
                }
            }
        }
        // s2: exact figures, its breakdown's two periods and its signed meter values.
        let s2 = try Self.object(outcome.records[2].body)
        #expect(outcome.records[2].body.contains("\"total_cost\":{\"excl_vat\":7.35,\"incl_vat\":8.75}"))
        #expect(s2["currency"] as? String == "EUR" && s2["country_code"] as? String == "DE" && s2["party_id"] as? String == "WTL")
        #expect(outcome.records[2].body.contains("\"total_energy\":7,"))
        #expect(outcome.records[2].body.contains("\"total_time\":2.5,"))
        let periods: String = #""charging_periods":[{"start_date_time":"2026-03-29T08:00:00.000Z","dimensions":"#
            + #"[{"type":"ENERGY","volume":7},{"type":"TIME","volume":2}],"tariff_id":"standard"},"#
            + #"{"start_date_time":"2026-03-29T10:00:00.000Z","dimensions":[{"type":"PARKING_TIME","volume":0.75}],"#
            + #""tariff_id":"standard"}]"#
        #expect(outcome.records[2].body.contains(periods))
        let location = try #require(s2["cdr_location"] as? [String: Any])
        #expect(location["connector_id"] as? String == "2" && location["connector_standard"] as? String == "DOMESTIC_F")
        #expect(location["evse_id"] as? String == "DE*WTL*ECP1*1" && location["country"] as? String == "DEU")
        let signed = try #require(s2["signed_data"] as? [String: Any])
        #expect(signed["encoding_method"] as? String == "OCMF")
        let values = try #require(signed["signed_values"] as? [[String: Any]])
        #expect(values.map { $0["nature"] as? String } == ["Start", "End"])
        #expect(values[0]["plain_data"] as? String == "{\"RD\":[{\"RV\":1.0}]}")
        #expect(try Self.object(outcome.records[0].body)["signed_data"] == nil)
        // The EUR tariff as declared in Fixtures/reports/pipeline.yaml.
        let tariff: String = #""tariffs":[{"country_code":"DE","party_id":"WTL","id":"standard","currency":"EUR","elements":["#
            + #"{"price_components":[{"type":"ENERGY","price":0.45,"vat":19,"step_size":1}],"#
            + #""restrictions":{"start_time":"16:00","end_time":"20:00","day_of_week":["MONDAY","FRIDAY"]}},"#
            + #"{"price_components":[{"type":"ENERGY","price":0.35,"vat":19,"step_size":0},"#
            + #"{"type":"PARKING_TIME","price":2.4,"vat":19,"step_size":900}]}],"#
            + #""start_date_time":"2025-12-31T23:00:00.000Z","last_updated":"2025-12-31T23:00:00.000Z"}]"#
        #expect(outcome.records[2].body.contains(tariff))
    }

    @Test func exportedCDRsNeverChangeAndCorrectionsAreCreditsAndReissues() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-cdrs")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let first = try Self.export(data)
        // Again, later: the stored bodies, byte for byte; nothing written.
        let again = try Self.export(data, now: Self.now + 86_400_000)
        #expect(again.records == first.records)
        #expect(again.issued == 0 && again.corrected == 0)
        // A renamed site is no new figure: nothing to correct, the stored bodies come back.
        let declared = try ReportFixture.fleet()
        var sites = declared.sites
        sites[0].name = "Depot Spandau"
        let renamed = try Self.export(data, fleet: Fleet(sites: sites, chargers: declared.chargers))
        #expect(renamed.records == first.records && renamed.corrected == 0)

        // Billing re-prices s2: 8.19 + 1.56 = 9.75.
        let database = try Database(path: data + "/wattline.db")
        try ReportFixture.setCost(database, session: "00000000000000s2",
                                  ReportFixture.Cost(currency: "EUR", exclVAT: "8.19", vat: "1.56", total: "9.75"))
        database.close()
        let later = Self.now + 2 * 86_400_000
        let corrected = try Self.export(data, now: later)
        #expect(corrected.corrected == 1 && corrected.issued == 0)
        let s2 = corrected.records.filter { $0.sessionId == "00000000000000s2" }
        #expect(s2.map(\.id) == ["00000000000000s2", "00000000000000s2-credit-1", "00000000000000s2-r1"])
        #expect(s2[0] == first.records[2])
        #expect(s2[1].kind == .credit && s2[1].replaces == "00000000000000s2" && s2[1].totalCost == "-8.75")
        #expect(s2[2].kind == .cdr && s2[2].replaces == "00000000000000s2" && s2[2].totalCost == "9.75")
        let credit = try Self.object(s2[1].body)
        #expect(credit["credit"] as? Bool == true)
        #expect(credit["credit_reference_id"] as? String == "00000000000000s2")
        #expect(s2[1].body.contains("\"total_cost\":{\"excl_vat\":-7.35,\"incl_vat\":-8.75}"))
        #expect(s2[1].body.contains("\"total_energy\":7,"))
        #expect(credit["last_updated"] as? String == "2026-04-03T09:00:00.000Z")
        #expect(s2[2].body.contains("\"total_cost\":{\"excl_vat\":8.19,\"incl_vat\":9.75}"))
        let typedCredit = try JSONValue.parse(s2[1].body)
        for (field, kind) in Self.required { #expect(Self.kind(typedCredit[field]) == kind, "credit.\(field)") }
        #expect(Self.kind(typedCredit["credit"]) == .bool)

        // Once corrected, the ledger is stable again.
        let settled = try Self.export(data, now: later + 86_400_000)
        #expect(settled.records == corrected.records && settled.corrected == 0)

        // A second correction credits the re-issue, not the original.
        let again2 = try Database(path: data + "/wattline.db")
        try again2.execute("UPDATE sessions SET energy_wh = 7100 WHERE id = '00000000000000s2'")
        again2.close()
        let second = try Self.export(data, now: later + 2 * 86_400_000)
        let ids = second.records.filter { $0.sessionId == "00000000000000s2" }.map { "\($0.id)<\($0.replaces ?? "")" }
        #expect(ids == ["00000000000000s2<", "00000000000000s2-credit-1<00000000000000s2", "00000000000000s2-r1<00000000000000s2",
                        "00000000000000s2-credit-2<00000000000000s2-r1", "00000000000000s2-r2<00000000000000s2-r1"])
        let ledger = try Database(path: data + "/wattline.db", configuration: .init(access: .readOnly))
        defer { ledger.close() }
        #expect(try ledger.scalar("SELECT count(*) FROM cdrs") == .integer(8))
    }

    @Test func aSiteWithoutOCPIDeclarationsIsRefusedWithTheReason() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-cdrs")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let results = try ResultQueries(dataDirectory: data)
        let ledger = try CDRLedger(path: results.path)
        defer { ledger.close() }
        let bare = Fleet(sites: [Site(id: "depot", timeZone: TimeZone(identifier: "Europe/Berlin")!)])
        let outcome = try CDRExporter.export(sessions: try ReportSource.sessions(results), ledger: ledger,
                                             builder: CDRBuilder(fleet: bare), now: Self.now)
        #expect(outcome.records.isEmpty)
        #expect(outcome.refused.contains("site 'depot' declares no ocpi (fleet.sites[].ocpi): OCPI CDRs require it"))
        #expect(outcome.refused.contains("session 00000000000000s4: site 'boston' is not declared in the fleet; a CDR needs its location"))
    }
}
