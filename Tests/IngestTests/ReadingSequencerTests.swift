import Foundation
import Ingest
import Processing
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

    /// Random readings from a few chargers, with receive times out of order, and settles at random receive times:
    /// after every step the held count and the oldest held LSN agree with a model of what was added and not yet
    /// released, and a settle at `t` leaves nothing held that was received `lateness` or more before `t`.
    @Test(arguments: 0..<20 as Range<UInt64>)
    func theWindowsSummariesFollowWhatTheyHold(seed: UInt64) {
        var random = SeriesHistoryTests.Sequence64(seed: seed)
        let lateness: Int64 = 2_000
        let sequencer = ReadingSequencer(configuration: .init(lateness: lateness))
        var released: [ReadingSequencer.Item] = []
        var seen = 0
        var model: [UInt64: Int64] = [:]  // held readings: LSN -> receive time (one reading per record here)
        func takeReleased() {
            for item in released[seen...] { #expect(model.removeValue(forKey: item.lsn) != nil, "released twice: \(item.lsn)") }
            seen = released.count
            #expect(sequencer.heldCount == model.count, "seed \(seed)")
            #expect(sequencer.oldestHeldLSN == model.keys.min(), "seed \(seed)")
        }
        var clock: Int64 = 1_000_000
        var chargerClocks: [Int64] = [1_000_000, 1_000_000, 1_000_000, 1_000_000]
        for lsn in UInt64(1)...600 {
            clock += Int64(random.next() % 400)
            if random.next() % 8 == 0 {
                let settle = clock - Int64(random.next() % 1_000)
                sequencer.advance(receiveTime: settle, into: &released)
                takeReleased()
                #expect(model.values.allSatisfy { $0 + lateness > settle }, "a due reading stayed held (seed \(seed))")
            }
            // Chargers whose own clocks often stand still: their readings then leave by receive time, at a settle.
            let c = Int(random.next() % 4)
            if random.next() % 4 == 0 { chargerClocks[c] += Int64(random.next() % 4_000) }
            let charger = ["A", "B", "C", "D"][c]
            let timestamp = chargerClocks[c] - Int64(random.next() % 3) * 500
            let receivedAt = clock - Int64(random.next() % 8_000)
            let outcome = sequencer.add(Self.reading(charger, at: timestamp, Double(random.next() % 2)), lsn: lsn,
                                        receivedAt: receivedAt, released: &released)
            if outcome != .duplicate { model[lsn] = receivedAt }
            takeReleased()
        }
        sequencer.advance(receiveTime: .max - lateness, into: &released)
        takeReleased()
        #expect(model.isEmpty)
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

    /// A reading from the future is remembered for redelivery: delivered again it is a duplicate, with another
    /// value a conflict; it makes none of the charger's next readings late; and a checkpoint keeps it, so after a
    /// restart its redelivery is still a duplicate. (Until stop 22 every redelivery of it was passed on again.)
    @Test func aReadingFromTheFutureIsRememberedForRedelivery() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 1_000, futureTolerance: 60_000))
        var released: [ReadingSequencer.Item] = []
        sequencer.add(Self.reading(at: 10_000, 1), lsn: 1, receivedAt: 10_000, released: &released)
        #expect(sequencer.add(Self.reading(at: 10_000_000, 2), lsn: 2, receivedAt: 10_500, released: &released) == .future)
        #expect(sequencer.add(Self.reading(at: 10_000_000, 2), lsn: 3, receivedAt: 11_000, released: &released) == .duplicate)
        #expect(sequencer.add(Self.reading(at: 10_000_000, 3), lsn: 4, receivedAt: 11_000, released: &released) == .conflict)
        #expect(released.map(\.flags) == [.future, [.future, .conflict]])
        // The charger's clock goes on below it: held and released in order, nothing late.
        #expect(sequencer.add(Self.reading(at: 11_000, 4), lsn: 5, receivedAt: 11_000, released: &released) == .held)
        #expect(sequencer.add(Self.reading(at: 12_500, 5), lsn: 6, receivedAt: 12_500, released: &released) == .held)
        #expect(released.suffix(2).map(\.reading.timestamp) == [10_000, 11_000])
        #expect(released.suffix(2).allSatisfy { $0.flags.isEmpty })
        #expect(Self.pairs(sequencer.snapshot(through: 4))["CP-1 Power.Active.Import"]
                == [10_001, 10_000_002, 10_000_003])

        let restarted = ReadingSequencer(configuration: .init(lateness: 1_000, futureTolerance: 60_000))
        restarted.restore(sequencer.snapshot(through: 6), through: 6)
        released = []
        #expect(restarted.add(Self.reading(at: 10_000_000, 2), lsn: 7, receivedAt: 20_000, released: &released) == .duplicate)
        #expect(released.isEmpty)
    }

    /// Readings from the future do not crowd a series' ordinary history out of a checkpoint: with as many of them
    /// as the history keeps pairs, a redelivery of an ordinary reading after the restart is still a duplicate, and so
    /// is one of a reading from the future. Through the checkpoint's JSON, as a restart reads it.
    @Test func readingsFromTheFutureLeaveTheHistoryARestartNeeds() throws {
        let configuration = ReadingSequencer.Configuration(lateness: 1_000, futureTolerance: 60_000, historyPerSeries: 4)
        let sequencer = ReadingSequencer(configuration: configuration)
        var released: [ReadingSequencer.Item] = []
        for (k, ms) in [Int64(1_000), 2_000, 3_000, 4_000, 10_000].enumerated() {
            sequencer.add(Self.reading(at: ms, Double(ms)), lsn: UInt64(k + 1), receivedAt: ms, released: &released)
        }
        for k in 0..<4 {
            let outcome = sequencer.add(Self.reading(at: 10_000_000 + Int64(k) * 1_000, 7), lsn: UInt64(6 + k),
                                        receivedAt: 10_000, released: &released)
            #expect(outcome == .future)
        }
        #expect(released.count == 8)
        let checkpoint = try JSONDecoder().decode(ReleasedHistory.self,
                                                  from: try JSONEncoder().encode(sequencer.snapshot(through: 9)))
        #expect(checkpoint == sequencer.snapshot(through: 9), "the flags survive the JSON")
        #expect(checkpoint.series.first?.future.filter { $0 }.count == 4)
        // No flag set is no flags: a history equals its decoded copy either way.
        #expect(ReleasedHistory.Released(series: checkpoint.series[0].series, timestamps: [1], values: [1],
                                         future: [false]).future.isEmpty)
        let restarted = ReadingSequencer(configuration: configuration)
        restarted.restore(checkpoint, through: 9)
        released = []
        #expect(restarted.add(Self.reading(at: 4_000, 4_000), lsn: 10, receivedAt: 11_000, released: &released) == .duplicate)
        #expect(restarted.add(Self.reading(at: 3_000, 3_000), lsn: 11, receivedAt: 11_000, released: &released) == .duplicate)
        #expect(restarted.add(Self.reading(at: 10_003_000, 7), lsn: 12, receivedAt: 11_000, released: &released) == .duplicate)
        #expect(released.isEmpty)
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

    // MARK: The history in a checkpoint

    /// Each series' pairs (timestamp + value: the tests' values are small), by charger and measurand, whatever the
    /// order of series.
    static func pairs(_ history: ReleasedHistory) -> [String: [Double]] {
        Dictionary(uniqueKeysWithValues: history.series.map { item in
            ("\(item.series.charger) \(item.series.measurand.rawValue)",
             zip(item.timestamps, item.values).map { Double($0.0) + $0.1 })
        })
    }

    /// A checkpoint through record n keeps what records up to n released, not what later records did (those are
    /// read again after a restart from it).
    @Test func aSnapshotKeepsOnlyWhatRecordsUpToItsLSNReleased() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 1_000))
        var released: [ReadingSequencer.Item] = []
        for k in Int64(1)...6 {
            sequencer.add(Self.reading(at: k * 1_000, Double(k)), lsn: UInt64(k), receivedAt: k * 1_000, released: &released)
            sequencer.add(Self.reading("B", at: k * 1_000, Double(k)), lsn: UInt64(k), receivedAt: k * 1_000, released: &released)
        }
        // Released: 1 ... 5 s of each charger (6 s is held).
        #expect(released.count == 10)
        #expect(Self.pairs(sequencer.snapshot(through: 3)) == ["CP-1 Power.Active.Import": [1_001, 2_002, 3_003],
                                                              "B Power.Active.Import": [1_001, 2_002, 3_003]])
        #expect(Self.pairs(sequencer.snapshot(through: 6))["CP-1 Power.Active.Import"]?.count == 5)
        #expect(sequencer.snapshot(through: 0).series.isEmpty)
    }

    /// Restored from a checkpoint through record 10: a reading of a later record that an earlier run released is a
    /// duplicate; records up to 10, read again after the restart, go through as they did the first time; and the
    /// restored pairs flag nothing late or conflicting (this run's window never held them).
    @Test func aRestoredHistoryRecognisesDeliveriesAfterItsCheckpointOnly() {
        let first = ReadingSequencer(configuration: .init(lateness: 1_000))
        var released: [ReadingSequencer.Item] = []
        for k in Int64(1)...10 {
            first.add(Self.reading(at: k * 1_000, Double(k)), lsn: UInt64(k), receivedAt: k * 1_000, released: &released)
        }
        first.advance(receiveTime: 20_000, into: &released)
        #expect(released.count == 10)
        let history = first.snapshot(through: 10)

        let sequencer = ReadingSequencer(configuration: .init(lateness: 1_000))
        sequencer.restore(history, through: 10)
        #expect(sequencer.restoredThrough == 10)
        released = []
        // Record 9 read again: held and released as the first time, unflagged.
        #expect(sequencer.add(Self.reading(at: 9_000, 9), lsn: 9, receivedAt: 9_000, released: &released) == .held)
        // Record 11 delivers record 4's reading again, 12 record 10's.
        #expect(sequencer.add(Self.reading(at: 4_000, 4), lsn: 11, receivedAt: 21_000, released: &released) == .duplicate)
        #expect(sequencer.add(Self.reading(at: 10_000, 10), lsn: 12, receivedAt: 21_000, released: &released) == .duplicate)
        // Another value at a restored timestamp, an older timestamp: held (never flagged against restored pairs).
        #expect(sequencer.add(Self.reading(at: 5_000, 50), lsn: 13, receivedAt: 21_000, released: &released) == .held)
        #expect(sequencer.add(Self.reading(at: 500, 1), lsn: 14, receivedAt: 21_000, released: &released) == .held)
        sequencer.advance(receiveTime: 30_000, into: &released)
        #expect(released.map(\.reading.timestamp) == [500, 5_000, 9_000])
        #expect(released.allSatisfy { $0.flags.isEmpty })
        // This run's own history judges as before: record 9's reading again is a duplicate.
        #expect(sequencer.add(Self.reading(at: 9_000, 9), lsn: 15, receivedAt: 30_000, released: &released) == .duplicate)

        // The next checkpoint keeps the restored pairs, each once (record 9's was released again in this run).
        let next = Self.pairs(sequencer.snapshot(through: 15))["CP-1 Power.Active.Import"] ?? []
        #expect(next == [501, 1_001, 2_002, 3_003, 4_004, 5_005, 5_050, 6_006, 7_007, 8_008, 9_009, 10_010])
    }

    /// The history stays bounded with restored pairs: the oldest go first, restored or not.
    @Test func aRestoredHistoryCountsTowardsTheBound() {
        let sequencer = ReadingSequencer(configuration: .init(lateness: 1_000, historyPerSeries: 4))
        let restored = ReleasedHistory(series: [.init(series: Self.reading(at: 0, 0).series,
                                                      timestamps: [1_000, 2_000, 3_000, 4_000, 5_000], values: [1, 2, 3, 4, 5])])
        sequencer.restore(restored, through: 5)
        #expect(Self.pairs(sequencer.snapshot(through: 5)).values.first == [2_002, 3_003, 4_004, 5_005])
        var released: [ReadingSequencer.Item] = []
        sequencer.add(Self.reading(at: 6_000, 6), lsn: 6, receivedAt: 6_000, released: &released)
        sequencer.add(Self.reading(at: 8_000, 8), lsn: 7, receivedAt: 8_000, released: &released)
        #expect(released.count == 1)
        #expect(Self.pairs(sequencer.snapshot(through: 7)).values.first == [3_003, 4_004, 5_005, 6_006])
        #expect(sequencer.add(Self.reading(at: 2_000, 2), lsn: 8, receivedAt: 8_000, released: &released) != .duplicate,
                "dropped from the history")
        #expect(sequencer.add(Self.reading(at: 3_000, 3), lsn: 9, receivedAt: 8_000, released: &released) == .duplicate)
    }
}
