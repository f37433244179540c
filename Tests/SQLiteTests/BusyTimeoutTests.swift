import Dispatch
import Foundation
import SQLite
import Synchronization
import Testing

/// Two connections competing for the write lock. Timings are checked loosely: lower bounds come from SQLite
/// sleeping at least the timeout; upper bounds only rule out the wrong timeout.
@Suite struct BusyTimeoutTests {
    let scratch: ScratchDirectory
    let path: String

    init() throws {
        scratch = try ScratchDirectory()
        path = scratch.path("busy.db")
        let setup = try Database(path: path)
        try setup.execute("CREATE TABLE t(x)")
    }

    @Test func busyOnlyAfterTheTimeout() throws {
        let holder = try Database(path: path)
        try holder.execute("BEGIN IMMEDIATE")

        let waiter = try Database(path: path, configuration: .init(busyTimeout: .milliseconds(300)))
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: SQLiteError.self) { try waiter.execute("INSERT INTO t VALUES (1)") }
        let waited = clock.now - start

        #expect(error?.resultCode == .busy)
        #expect(error?.message == "database is locked")
        #expect(waited >= .milliseconds(250), "gave up after \(waited)")
        #expect(waited < .seconds(4), "waited \(waited); the 5 s default seems to apply")

        try holder.execute("COMMIT")
        try waiter.execute("INSERT INTO t VALUES (1)")
        #expect(try waiter.scalar("SELECT count(*) FROM t") == .integer(1))
    }

    @Test func zeroTimeoutFailsWithoutWaiting() throws {
        let holder = try Database(path: path)
        try holder.execute("BEGIN IMMEDIATE")
        let waiter = try Database(path: path, configuration: .init(busyTimeout: .zero))
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: SQLiteError.self) { try waiter.execute("BEGIN IMMEDIATE") }
        #expect(error?.resultCode == .busy)
        #expect(clock.now - start < .seconds(2))
    }

    @Test func aWaiterGetsTheLockWhenTheHolderCommitsInTime() throws {
        let locked = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let holderError = Failure()
        let path = self.path

        let thread = Thread {
            defer { finished.signal() }
            do {
                let holder = try Database(path: path)
                try holder.execute("BEGIN IMMEDIATE; INSERT INTO t VALUES ('holder')")
                locked.signal()
                Thread.sleep(forTimeInterval: 0.3)
                try holder.execute("COMMIT")
            } catch {
                holderError.text.withLock { $0 = "\(error)" }
                locked.signal()
            }
        }
        thread.start()
        locked.wait()

        let waiter = try Database(path: path) // default 5 s timeout
        let clock = ContinuousClock()
        let start = clock.now
        try waiter.execute("INSERT INTO t VALUES ('waiter')")
        let waited = clock.now - start
        finished.wait()

        #expect(holderError.text.withLock { $0 } == nil)
        #expect(waited >= .milliseconds(100), "the insert did not wait for the lock (\(waited))")
        #expect(try waiter.scalar("SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY rowid)") == "holder,waiter")
    }
}

/// What went wrong on the holder's thread, if anything.
private final class Failure: Sendable {
    let text = Mutex<String?>(nil)
}
