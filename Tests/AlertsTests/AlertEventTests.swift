import Foundation
import Sessions
import Testing
@testable import Alerts

/// What a hook reads for session events: the figures, and for `near_complete` what reached which threshold.
@Suite struct AlertEventTests {
    func json(_ event: AlertEvent) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(event.jsonText().utf8)) as? [String: Any])
    }

    @Test func nearCompleteOnTheEstimateCarriesTheTimeToFull() throws {
        var figures = SessionFigures(soc: 80)
        figures.timeToFullS = 540
        figures.threshold = 600
        let event = SessionEvent(kind: .nearComplete, sessionId: "S-1", site: "S1", charger: "CP-1", evse: 1,
                                 at: 1_795_248_000_000, figures: figures)
        let object = try json(AlertEvent(event, record: nil))
        #expect(object["type"] as? String == "session.near_complete")
        #expect(object["value"] as? Double == 540)
        #expect(object["threshold"] as? Double == 600)
        #expect(object["unit"] as? String == "s")
        let session = try #require(object["session"] as? [String: Any])
        #expect(session["time_to_full_s"] as? Double == 540)
        #expect(session["soc"] as? Double == 80)
        #expect((object["message"] as? String)?.contains("full in about 9 min") == true)
    }

    @Test func nearCompleteOnTheSoCRuleCarriesTheSoC() throws {
        var figures = SessionFigures(soc: 91)
        figures.threshold = 90
        let event = SessionEvent(kind: .nearComplete, sessionId: "S-1", site: "S1", charger: "CP-1", evse: 1,
                                 at: 1_795_248_000_000, figures: figures)
        let object = try json(AlertEvent(event, record: nil))
        #expect(object["value"] as? Double == 91)
        #expect(object["threshold"] as? Double == 90)
        #expect(object["unit"] as? String == "%")
        let session = try #require(object["session"] as? [String: Any])
        #expect(session["time_to_full_s"] is NSNull)
    }
}
