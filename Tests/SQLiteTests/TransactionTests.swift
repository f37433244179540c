import SQLite
import Testing

@Suite struct TransactionTests {
    struct Abort: Error, Equatable {}

    let scratch: ScratchDirectory
    let db: Database

    init() throws {
        scratch = try ScratchDirectory()
        db = try Database(path: scratch.path("tx.db"))
        try db.execute("CREATE TABLE t(x INTEGER NOT NULL)")
    }

    private func count() throws -> SQLiteValue? {
        try db.scalar("SELECT count(*) FROM t")
    }

    @Test(arguments: [Database.TransactionKind.immediate, .deferred])
    func commitsWhenTheBodyReturns(kind: Database.TransactionKind) throws {
        let id = try db.transaction(kind) {
            #expect(db.isInTransaction)
            try db.execute("INSERT INTO t VALUES (1), (2)")
            return db.lastInsertRowID
        }
        #expect(id == 2)
        #expect(!db.isInTransaction)
        // Visible from another connection, so really committed.
        let other = try Database(path: scratch.path("tx.db"))
        #expect(try other.scalar("SELECT count(*) FROM t") == .integer(2))
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        #expect(throws: Abort()) {
            try db.transaction(.immediate) {
                try db.execute("INSERT INTO t VALUES (1), (2), (3)")
                #expect(try count() == .integer(3))
                throw Abort()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try count() == .integer(0))
    }

    @Test func rollsBackEarlierWorkWhenAStatementFails() throws {
        let error = #expect(throws: SQLiteError.self) {
            try db.transaction(.immediate) {
                try db.execute("INSERT INTO t VALUES (1)")
                try db.execute("INSERT INTO t VALUES (NULL)")
            }
        }
        #expect(error?.extendedResultCode == .constraintNotNull)
        #expect(try count() == .integer(0))
    }

    @Test func nestingIsAClearError() throws {
        try db.transaction(.immediate) {
            try db.execute("INSERT INTO t VALUES (1)")
            let error = #expect(throws: SQLiteError.self) {
                try db.transaction(.immediate) { try db.execute("INSERT INTO t VALUES (2)") }
            }
            #expect(error?.resultCode == .misuse)
            #expect(error?.message.contains("does not nest") == true)
            #expect(db.isInTransaction) // the outer transaction is untouched
        }
        #expect(try db.scalar("SELECT group_concat(x) FROM t") == "1")
    }

    @Test func aBeginInSQLCountsAsAnOpenTransaction() throws {
        try db.execute("BEGIN")
        #expect(db.isInTransaction)
        #expect(throws: SQLiteError.self) { try db.transaction(.deferred) {} }
        try db.execute("ROLLBACK")
        #expect(!db.isInTransaction)
    }

    @Test func aDeferredWriterLosesToAnEarlierCommitAndRollsBack() throws {
        let other = try Database(path: scratch.path("tx.db"))
        let error = #expect(throws: SQLiteError.self) {
            try db.transaction(.deferred) {
                _ = try count() // takes a read snapshot
                try other.execute("INSERT INTO t VALUES (100)") // commits after the snapshot
                try db.execute("INSERT INTO t VALUES (1)") // cannot upgrade a stale snapshot to a writer
            }
        }
        #expect(error?.extendedResultCode == .busySnapshot)
        #expect(!db.isInTransaction)
        #expect(try db.scalar("SELECT group_concat(x) FROM t") == "100")
    }
}
