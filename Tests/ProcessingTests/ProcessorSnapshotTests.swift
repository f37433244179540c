import Foundation
import MosquittoTestSupport
import Telemetry
import Testing
@testable import Processing

/// The processors' checkpoint snapshot with the reordering window's released history in it.
@Suite struct ProcessorSnapshotTests {
    static let series = Series(site: "depot", charger: "CP-1", evse: 1, connector: 1, measurand: .voltage, phase: .l1)

    static let history = ReleasedHistory(series: [
        .init(series: series, timestamps: [1_000, 11_000, 21_003, 31_000], values: [230.1, -0.0, 0.1 + 0.2, .infinity]),
        .init(series: Series(site: "depot", charger: "CP-2", evse: 0, connector: 0, measurand: .energyActiveImportRegister),
              timestamps: [Int64.min, 0, Int64.max], values: [1e300, .leastNonzeroMagnitude, 12_345_678]),
    ])

    /// Every timestamp and every value's bit pattern comes back.
    @Test func theHistoryRoundTripsExactly() throws {
        let encoder = JSONEncoder()
        let decoded = try JSONDecoder().decode(ReleasedHistory.self, from: try encoder.encode(Self.history))
        #expect(decoded.series.map(\.series) == Self.history.series.map(\.series))
        #expect(decoded.series.map(\.timestamps) == Self.history.series.map(\.timestamps))
        #expect(decoded.series.map { $0.values.map(\.bitPattern) } == Self.history.series.map { $0.values.map(\.bitPattern) })
        let nan = ReleasedHistory(series: [.init(series: Self.series, timestamps: [1], values: [.nan])])
        let back = try JSONDecoder().decode(ReleasedHistory.self, from: try encoder.encode(nan))
        #expect(back.series.first?.values.first?.bitPattern == Double.nan.bitPattern)
    }

    /// A damaged packed series or an unknown version is an error, never a wrong history.
    @Test func aDamagedHistoryIsRefused() throws {
        let text = String(decoding: try JSONEncoder().encode(Self.history), as: UTF8.self)
        let unknown = text.replacingOccurrences(of: #""version":1"#, with: #""version":2"#)
        #expect(unknown != text)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ReleasedHistory.self, from: Data(unknown.utf8)) }
        let damaged = try #require(text.range(of: #""packed":""#)).upperBound
        var broken = text
        broken.replaceSubrange(damaged..<text.index(damaged, offsetBy: 4), with: "AAAA")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ReleasedHistory.self, from: Data(broken.utf8)) }
    }

    /// A stage on `directory`'s database, given the first `limit` of `ProcessorStageTests.items()` from `from` on.
    static func stage(_ directory: TemporaryDirectory, from: Int = 0, limit: Int = 0,
                      history: ((UInt64) -> ReleasedHistory)? = nil) throws -> ProcessorStage {
        let stage = try ProcessorStage(databasePath: directory.path + "/wattline.db", pipeline: try ProcessorStageTests.pipeline())
        stage.releasedHistory = history
        try ProcessorStageTests.feed(stage, ProcessorStageTests.items(), from: from, limit: limit)
        return stage
    }

    /// The stage saves the history through its checkpoint's record with its snapshot, and a reopened stage hands it
    /// back; the snapshot is still the chain's JSON object, so a build without the history reads it.
    @Test func theCheckpointCarriesTheHistory() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        var asked: [UInt64] = []
        let first = try Self.stage(directory, limit: 120) { lsn in
            asked.append(lsn)
            return Self.history
        }
        let checkpoint = try #require(first.checkpoint)
        #expect(asked.last == checkpoint, "asked for the history through the checkpoint's record")
        let saved = try #require(try first.store.checkpoint(stage: ProcessorStage.stageName))
        first.close()
        _ = try JSONDecoder().decode(ProcessorChain.self, from: Data(saved.snapshot))

        let reopened = try Self.stage(directory)
        defer { reopened.close() }
        #expect(reopened.checkpoint == checkpoint)
        #expect(reopened.restoredHistory == Self.history)
        #expect(reopened.chain.sessions.openSessions.count == 1)
    }

    /// A snapshot written before the history was part of it (the chain's JSON alone) restores, with no history;
    /// so does one the stage wrote without a window upstream (the key is left out).
    @Test func aSnapshotWithoutTheHistoryRestores() throws {
        let directory = try TemporaryDirectory(prefix: "processors")
        defer { directory.remove() }
        let first = try Self.stage(directory, limit: 120)
        let old = Array(try ProcessorStage.snapshotEncoder.encode(first.chain))
        try first.store.write(sessions: [], anomalies: [], intervals: [], stage: ProcessorStage.stageName,
                              checkpoint: (lsn: 120, bytes: old))
        first.close()
        let reopened = try Self.stage(directory, from: 120, limit: 130)
        #expect(reopened.restoredHistory == nil)
        #expect(reopened.chain.sessions.openSessions.count == 1)
        reopened.close()
        let again = try Self.stage(directory)
        defer { again.close() }
        #expect(again.checkpoint == 130)
        #expect(again.restoredHistory == nil)
    }
}
