import Foundation
import Telemetry
import Testing
import WriteAheadLog

/// `advanceNextLSN(to:)`: the numbering of a log that holds no record moves forward, durably; a log with records
/// keeps its numbering.
@Suite struct NumberingTests {
    /// An empty log numbered from 500: its one segment is named 500, a reopen before any record keeps the numbering,
    /// and records follow from there.
    @Test func anEmptyLogIsNumberedOnDurably() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        do {
            let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
            #expect(log.isEmpty && log.nextLSN == 1)
            try log.advanceNextLSN(to: 500)
            #expect(log.isEmpty && log.nextLSN == 500 && log.firstLSN == 500 && log.lastLSN == 499)
            #expect(try segmentNames(in: directory) == ["00000000000000000500.wal"])
            try log.close()
        }
        do {
            let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
            #expect(log.recoveryReport.isClean && !log.recoveryReport.createdNewLog)
            #expect(log.isEmpty && log.nextLSN == 500)
            // Not past the next LSN: nothing changes (LSNs never go backwards).
            try log.advanceNextLSN(to: 20)
            try log.advanceNextLSN(to: 500)
            #expect(log.nextLSN == 500)
            #expect(try log.appendTick(at: 7).lsn == 500)
            #expect(!log.isEmpty)
            try log.close()
        }
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        #expect(log.nextLSN == 501 && log.firstLSN == 500)
        try log.close()
        #expect(try readAll(directory, from: 500).map(\.lsn) == [500])
    }

    /// A log that holds a record keeps its numbering, and says why.
    @Test func aLogWithRecordsIsNotRenumbered() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        try log.appendTick(at: 1)
        try log.appendTick(at: 2)
        #expect(throws: WriteAheadLogError.notEmpty(directory: directory, firstLSN: 1, lastLSN: 2)) {
            try log.advanceNextLSN(to: 100)
        }
        #expect(log.nextLSN == 3)
        #expect(try log.appendTick(at: 3).lsn == 3)
        try log.close()
    }

    /// A renumbering killed after it created the new segment but before its header was written (the old segment is
    /// removed first): recovery writes the header from the file name and the numbering holds. (Killed before
    /// that, it leaves no segment: a new log at 1, which its caller moves on again.)
    @Test func aRenumberingInterruptedByACrashRecovers() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        do {
            let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
            #expect(log.recoveryReport.createdNewLog && log.nextLSN == 1)
            try log.close()
        }
        try FileManager.default.removeItem(atPath: directory + "/00000000000000000001.wal")
        let path = directory + "/00000000000000000500.wal"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0x57, 0x57])))
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        #expect(log.nextLSN == 500 && log.isEmpty)
        #expect(log.recoveryReport.truncation?.path == path)
        #expect(try log.appendTick(at: 1).lsn == 500)
        try log.close()
        #expect(try segmentNames(in: directory) == ["00000000000000000500.wal"])
    }
}
