import Foundation
import Sessions
import Telemetry
import Testing

/// `SessionRecord.jsonText()` (the `sessions.record` column, written by hand for speed) against `JSONEncoder`'s
/// encoding of the same record: the same document, and it decodes back to an equal record.
@Suite struct RecordJSONTests {
    func records() throws -> [SessionRecord] {
        var tracker = SessionTracker(configuration: SessionConfiguration())
        var out: [SessionRecord] = []
        for fixture in ["ocpp16-session.jsonl", "ocpp201-session.jsonl", "everest.jsonl", "compact.jsonl"] {
            for message in try decodeFixture(fixture) {
                tracker.feed(message)
                out += tracker.drainClosed()
            }
            out += tracker.openSessions
        }
        return out
    }

    /// Every optional set, non-ASCII and escapes in the strings, an interruption still running.
    func everythingSet(_ base: SessionRecord) -> SessionRecord {
        var r = base
        r.transactionId = "tx \"7\"\n"
        r.idTag = "ÄBC\\1"
        r.idTagStatus = "Accepted"
        r.pluggedAt = 1_700_000_000_000
        r.chargingEndedAt = 1_700_000_100_000
        r.endedAt = 1_700_000_200_000
        r.unpluggedAt = 1_700_000_300_000
        r.endReason = .superseded
        r.stopReason = "EVDisconnected"
        r.meterStartWh = 12.5
        r.meterStopWh = 1e-7
        r.energyWh = -0.25
        r.integratedEnergyWh = 123_456_789.125
        r.chargerReportedEnergyWh = 3
        r.energyAfterStopWh = 0.1
        r.interruptions = [SessionPeriod(start: 5, end: 9), SessionPeriod(start: 11, end: nil)]
        r.peakPowerW = 7_400
        r.averagePowerW = 6_999.75
        r.offeredPowerW = 11_000
        r.socStart = 20
        r.socEnd = 80.5
        r.taperSoC = 78
        r.signedBegin = SignedReading(timestamp: 1, data: "OCMF|{}", signingMethod: "ECDSA", encodingMethod: "OCMF",
                                      publicKey: "04ab")
        r.signedEnd = SignedReading(timestamp: 2, data: "x")
        r.anomalies = ["meter_stuck", "power_spike"]
        r.quality = [.timedOut, .lateData]
        r.timeToFullS = 1_234.5
        r.curve.points.append(CurvePoint(t: 99, averageW: 0.5, maxW: 1, samples: 3, soc: nil))
        return r
    }

    func document(_ data: Data) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test func theSameDocumentAsJSONEncoder() throws {
        let plain = try records()
        #expect(plain.count >= 4)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for record in plain + plain.map(everythingSet) {
            let text = record.jsonText()
            let mine = try document(Data(text.utf8))
            let reference = try document(encoder.encode(record))
            #expect(mine == reference, "\(text)")
            #expect(try JSONDecoder().decode(SessionRecord.self, from: Data(text.utf8)) == record)
        }
    }

    @Test func keysInByteOrderAndOptionalsLeftOut() throws {
        let record = try #require(try records().first)
        let text = record.jsonText()
        let keys = try document(Data(text.utf8)).allKeys.compactMap { $0 as? String }
        // The top-level keys appear in the text in byte order.
        let positions = keys.sorted().compactMap { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == keys.count)
        #expect(positions == positions.sorted())
        if record.signedBegin == nil { #expect(!text.contains("signedBegin")) }
        let full = everythingSet(record).jsonText()
        #expect(full.contains("\"signedBegin\":{\"data\":\"OCMF|{}\""))
        #expect(full.contains("\"transactionId\":\"tx \\\"7\\\"\\n\""))
    }
}
