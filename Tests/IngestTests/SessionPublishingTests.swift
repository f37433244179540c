import Foundation
import Ingest
import MosquittoTestSupport
import Testing

/// Open sessions' progress on `{prefix}/{site}/{charger}/{evse}/session`, against a real mosquitto.
@Suite(.serialized) struct SessionPublishingTests {
    @Test func anOpenSessionsProgressIsPublishedWithQoS1() throws {
        let broker = try MosquittoBroker()
        let harness = try IngestHarness(broker: broker, extra: """
            processors:
              sessions:
                publish: {topic_prefix: dash/sessions, interval: 1s}
            tariffs:
              default: flat-rate
              definitions:
                - id: flat-rate
                  currency: EUR
                  vat: 19
                  valid_from: 2026-01-01T00:00:00Z
                  elements:
                    - price_components:
                        - {type: ENERGY, price: 0.40}
                        - {type: FLAT, price: 1.00}
            """)
        defer { harness.data.remove() }
        let ingest = try harness.makeIngest()
        try ingest.start()
        defer { ingest.stop() }
        #expect(IngestHarness.eventually(10) { ingest.connected.load(ordering: .relaxed) })
        // 7.2 kW on a charger that sends no transactions: a session by evidence, open while power flows.
        let lines = (0..<30).map { #"{"ts":\#(1_795_262_400_000 + Int64($0) * 1000),"power_w":7200,"energy_wh":\#(1000 + $0 * 2)}"# }
        try broker.publish(topic: "ev/site-s/CP-S/1/meter", lines: lines, qos: 1)
        let received = harness.receiveOne("dash/sessions/#", format: "%q %t %p") {
            $0.hasPrefix("1 dash/sessions/site-s/CP-S/1/session ")
        }
        #expect(!received.isEmpty, "no QoS 1 progress message on dash/sessions/site-s/CP-S/1/session")
        let json = String(received.drop { $0 != "{" })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(received)")
        #expect(object["site"] as? String == "site-s")
        #expect(object["charger"] as? String == "CP-S")
        #expect(object["evse"] as? Int == 1)
        #expect(object["cost_status"] as? String == "running")
        #expect(object["tariff_id"] as? String == "flat-rate")
        #expect(object["currency"] as? String == "EUR")
        #expect(object["power_w"] as? Double == 7200)
        // Exact decimal text with the currency's two digits, at least the flat fee with VAT (1.19).
        let total = try #require(object["cost_total"] as? String, "\(object)")
        #expect(total.range(of: #"^\d+\.\d\d$"#, options: .regularExpression) != nil, "\(total)")
        #expect((Decimal(string: total) ?? 0) >= Decimal(string: "1.19")!, "\(total)")
    }
}
