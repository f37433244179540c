import Ingest
import Telemetry
import Testing

@Suite struct ReadingSequencerTests {
    static func reading(_ charger: String = "CP-1", _ measurand: Measurand = .powerActiveImport, at ms: Int64, _ value: Double) -> Reading {
        Reading(series: Series(site: "s", charger: charger, evse: 1, connector: 1, measurand: measurand),
                timestamp: ms, value: value, decimals: 0)
    }

    @Test func readingsAreReleasedInOrderOnceTheChargersClockMovesPastTheWindow() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 10_000))
        var released: [ReadingSequencer.Item] = []
        for (lsn, ms) in [Int64(3_000), 1_000, 2_000, 12_500, 11_000].enumerated() {
            sequencer.add(Self.reading(at: ms, Double(ms)), lsn: UInt64(lsn), receivedAt: ms, released: &released)
        }
        // The charger's latest is 12.5 s: everything at or before 2.5 s is out, in timestamp order.
        #expect(released.map(\.reading.timestamp) == [1_000, 2_000])
        #expect(sequencer.heldCount == 3)
        sequencer.add(Self.reading(at: 30_000, 30), lsn: 9, receivedAt: 30_000, released: &released)
        #expect(released.map(\.reading.timestamp) == [1_000, 2_000, 3_000, 11_000, 12_500])
        #expect(sequencer.oldestHeldLSN == 9)
    }

    @Test func eachChargerIsJudgedOnItsOwnClock() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 5_000))
        var released: [ReadingSequencer.Item] = []
        sequencer.add(Self.reading("A", at: 1_000, 1), lsn: 1, receivedAt: 0, released: &released)
        sequencer.add(Self.reading("B", at: 100_000, 1), lsn: 2, receivedAt: 0, released: &released)
        #expect(released.isEmpty, "B's clock must not release A's readings")
        sequencer.add(Self.reading("A", at: 7_000, 1), lsn: 3, receivedAt: 0, released: &released)
        #expect(released.map(\.reading.series.charger) == ["A"])
    }

    @Test func duplicatesConflictsAndLateReadings() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 1_000))
        var released: [ReadingSequencer.Item] = []
        #expect(sequencer.add(Self.reading(at: 1_000, 5), lsn: 1, receivedAt: 1_000, released: &released) == .held)
        #expect(sequencer.add(Self.reading(at: 1_000, 5), lsn: 2, receivedAt: 1_000, released: &released) == .duplicate)
        #expect(sequencer.add(Self.reading(at: 1_000, 6), lsn: 3, receivedAt: 1_000, released: &released) == .conflict)
        sequencer.add(Self.reading(at: 5_000, 7), lsn: 4, receivedAt: 5_000, released: &released)
        #expect(released.count == 2)
        #expect(released.last?.flags == .conflict)
        // Released already: a redelivery is still a duplicate, a changed value a conflict.
        #expect(sequencer.add(Self.reading(at: 1_000, 5), lsn: 5, receivedAt: 6_000, released: &released) == .duplicate)
        // Older than what was released for the series, and new: late, passed on at once, flagged.
        #expect(sequencer.add(Self.reading(at: 500, 4), lsn: 6, receivedAt: 6_000, released: &released) == .late)
        #expect(released.last?.flags == .late && released.last?.reading.timestamp == 500)
    }

    /// The worker's path: one record's readings at a time, chargers mixed within a record, against the same
    /// readings added one by one; series of two sites under one charger id stay apart.
    @Test func addingARecordsReadingsTogetherEqualsAddingThemOneByOne() {
        var records: [[Reading]] = []
        for k in Int64(0)..<40 {
            let t = 1_000 * (k / 2) + (k % 3 == 0 ? -2_500 : 0) + (k % 7 == 6 ? -8_000 : 0)
            var record = [Self.reading("A", at: t, Double(k)), Self.reading("A", .voltage, at: t, 230),
                          Self.reading("B", at: t, Double(k % 4))]
            if k % 5 == 0 { record.append(Self.reading("A", at: t, Double(k))) }  // a duplicate inside the record
            var other = Self.reading("A", at: t, 1)
            other.series.site = "elsewhere"
            record.append(other)
            records.append(record)
        }
        let single = ReadingSequencer(configuration: .init(lateness: 3_000))
        let batched = ReadingSequencer(configuration: .init(lateness: 3_000))
        var releasedSingle: [ReadingSequencer.Item] = [], releasedBatched: [ReadingSequencer.Item] = []
        var outcomesSingle: [ReadingSequencer.Outcome] = [], outcomesBatched: [ReadingSequencer.Outcome] = []
        for (lsn, record) in records.enumerated() {
            let receivedAt = Int64(lsn) * 500
            for reading in record {
                outcomesSingle.append(single.add(reading, lsn: UInt64(lsn), receivedAt: receivedAt, released: &releasedSingle))
            }
            batched.add(contentsOf: record, lsn: UInt64(lsn), receivedAt: receivedAt, released: &releasedBatched) {
                outcomesBatched.append($0)
            }
        }
        #expect(outcomesBatched == outcomesSingle)
        #expect(releasedBatched == releasedSingle)
        #expect(outcomesSingle.contains(.duplicate) && outcomesSingle.contains(.late))
        #expect(!releasedSingle.isEmpty)
        // A redelivered record is all duplicates, for both sites' series.
        batched.add(contentsOf: records[30], lsn: 99, receivedAt: 20_000, released: &releasedBatched) {
            #expect($0 == .duplicate)
        }
    }

    @Test func futureTimestampsAreFlaggedAndMoveNoClock() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 1_000, futureTolerance: 60_000))
        var released: [ReadingSequencer.Item] = []
        sequencer.add(Self.reading(at: 10_000, 1), lsn: 1, receivedAt: 10_000, released: &released)
        #expect(sequencer.add(Self.reading(at: 10_000_000, 2), lsn: 2, receivedAt: 10_500, released: &released) == .future)
        // Passed on at once, flagged; it releases nothing else.
        #expect(released.map(\.flags) == [.future])
        #expect(sequencer.heldCount == 1)
    }

    @Test func aSilentChargersWindowIsReleasedOnReceiveTime() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 10_000))
        var released: [ReadingSequencer.Item] = []
        sequencer.add(Self.reading("A", at: 5_000, 1), lsn: 1, receivedAt: 100_000, released: &released)
        sequencer.add(Self.reading("B", at: 5_000, 1), lsn: 2, receivedAt: 108_000, released: &released)
        sequencer.advance(receiveTime: 109_999, into: &released)
        #expect(released.isEmpty)
        sequencer.advance(receiveTime: 110_000, into: &released)
        #expect(released.map(\.reading.series.charger) == ["A"])
        #expect(sequencer.oldestHeldLSN == 2)
    }

    /// A charger whose clock jumped ahead once, then carried on with older timestamps: the reading from the future of
    /// its own clock is released after `lateness` of receive time even though the charger keeps talking, so it holds
    /// neither the checkpoint nor the log back.
    @Test func aReadingThatWaitedTheWindowIsReleasedWhileTheChargerKeepsTalking() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 10_000))
        var released: [ReadingSequencer.Item] = []
        sequencer.add(Self.reading("A", at: 200_000, 1), lsn: 1, receivedAt: 100_000, released: &released)  // jumped ahead
        for step in 1...30 {
            let t = Int64(100_000 + step * 1_000)
            sequencer.add(Self.reading("A", .voltage, at: t, Double(step)), lsn: UInt64(1 + step), receivedAt: t, released: &released)
            sequencer.advance(receiveTime: t, into: &released)
        }
        // The jumped reading waited 10 s at receive time 110,000 and went out with everything older than it; since
        // then each reading leaves once it has waited 10 s: at 130,000 those received up to 120,000.
        #expect(released.contains { $0.lsn == 1 })
        #expect(released.count == 21)
        #expect(sequencer.oldestHeldLSN == 22)
    }
}
