import Foundation
import Ingest
import SQLite
import Telemetry
import Testing

@Suite struct ReadingStoreTests {
    static func temporaryDatabase() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wattline-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("wattline.db").path
    }

    static func item(_ ms: Int64, _ value: Double, lsn: UInt64) -> ReadingSequencer.Item {
        ReadingSequencer.Item(reading: Reading(series: Series(site: "s", charger: "CP-1", evse: 1, connector: 1,
                                                              measurand: .energyActiveImportRegister),
                                               timestamp: ms, value: value, decimals: 1, transactionId: "T"),
                              lsn: lsn)
    }

    @Test func storesOnceAndRecognisesDuplicatesAndConflictsAcrossReopen() throws {
        let path = try Self.temporaryDatabase()
        var outcomes: [ReadingStore.Outcome] = []
        do {
            let store = try ReadingStore(path: path)
            try store.write([Self.item(1_000, 10.5, lsn: 1), Self.item(2_000, 11.5, lsn: 2)], checkpoint: 2,
                            stage: "readings", outcomes: &outcomes)
            #expect(outcomes == [.stored, .stored])
            store.close()
        }
        let store = try ReadingStore(path: path)
        #expect(try store.checkpoint(stage: "readings") == 2)
        try store.write([Self.item(2_000, 11.5, lsn: 3), Self.item(2_000, 12.5, lsn: 4), Self.item(3_000, 13.5, lsn: 5)],
                        checkpoint: 5, stage: "readings", outcomes: &outcomes)
        #expect(outcomes == [.duplicate, .conflict, .stored])
        #expect(try store.checkpoint(stage: "readings") == 5)
        store.close()

        // As an analyst would read it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, "SELECT count(*) FROM readings; SELECT value FROM reading_conflicts;"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output == "3\n12.5\n")
    }
}
