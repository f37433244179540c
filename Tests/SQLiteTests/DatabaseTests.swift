import Foundation
import SQLite
import Testing

/// Opening, configuration, scripts and closing, against real files.
@Suite struct DatabaseTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory()
    }

    @Test func createsTheFileInWALMode() throws {
        #expect(!scratch.exists("w.db"))
        let db = try Database(path: scratch.path("w.db"))
        #expect(scratch.exists("w.db"))
        #expect(try db.scalar("PRAGMA journal_mode") == "wal")
        try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        #expect(scratch.exists("w.db-wal"))
        let walSize = try FileManager.default.attributesOfItem(atPath: scratch.path("w.db-wal"))[.size] as? Int
        #expect((walSize ?? 0) > 0)
        #expect(scratch.exists("w.db-shm"))
    }

    @Test func walModeIsPersistentInTheFile() throws {
        do {
            let db = try Database(path: scratch.path("p.db"))
            try db.execute("CREATE TABLE t(x)")
        }
        let header = try Data(contentsOf: URL(fileURLWithPath: scratch.path("p.db"))).prefix(20)
        // Bytes 18 and 19 of the header are the read and write format versions: 2 means WAL.
        #expect(Array(header.suffix(2)) == [2, 2])
    }

    @Test func synchronousDefaultsToNormalAndFullIsSelectable() throws {
        let normal = try Database(path: scratch.path("s.db"))
        #expect(try normal.scalar("PRAGMA synchronous") == .integer(1))
        let full = try Database(path: scratch.path("s.db"), configuration: .init(synchronous: .full))
        #expect(try full.scalar("PRAGMA synchronous") == .integer(2))
        #expect(full.configuration.synchronous == .full)
    }

    @Test func busyTimeoutIsApplied() throws {
        let standard = try Database(path: scratch.path("b.db"))
        #expect(try standard.scalar("PRAGMA busy_timeout") == .integer(5_000))
        let custom = try Database(path: scratch.path("b.db"), configuration: .init(busyTimeout: .milliseconds(250)))
        #expect(try custom.scalar("PRAGMA busy_timeout") == .integer(250))
    }

    @Test func foreignKeysAreEnforced() throws {
        let db = try Database(path: scratch.path("fk.db"))
        #expect(try db.scalar("PRAGMA foreign_keys") == .integer(1))
        try db.execute("""
            CREATE TABLE charger(id TEXT PRIMARY KEY);
            CREATE TABLE session(id INTEGER PRIMARY KEY, charger TEXT NOT NULL REFERENCES charger(id));
            INSERT INTO charger VALUES ('CP-1');
            INSERT INTO session(charger) VALUES ('CP-1');
            """)
        let error = #expect(throws: SQLiteError.self) {
            try db.execute("INSERT INTO session(charger) VALUES (?)", ["CP-404"])
        }
        #expect(error?.extendedResultCode == .constraintForeignKey)
        #expect(error?.message == "FOREIGN KEY constraint failed")
    }

    @Test func doubleQuotedTextIsNeverAStringLiteral() throws {
        let db = try Database(path: scratch.path("dqs.db"))
        try db.execute("CREATE TABLE t(x)")
        let error = #expect(throws: SQLiteError.self) { try db.execute("SELECT x FROM t WHERE x = \"CP-1\"") }
        #expect(error?.message == "no such column: CP-1")
    }

    @Test func executeRunsEveryStatementOfAScript() throws {
        let db = try Database(path: scratch.path("script.db"))
        try db.execute("""
            -- schema
            CREATE TABLE a(x);;
            CREATE TABLE b(y); /* trailing comment */
            INSERT INTO a VALUES (1), (2);
            SELECT * FROM a;
            """)
        #expect(try db.scalar("SELECT count(*) FROM a") == .integer(2))
        #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'b'") == .integer(1))
        try db.execute("")
        try db.execute("  -- nothing but a comment")
    }

    @Test func aFailingScriptNamesTheStatementAndKeepsEarlierWork() throws {
        let db = try Database(path: scratch.path("script.db"))
        let error = #expect(throws: SQLiteError.self) {
            try db.execute("CREATE TABLE a(x); INSERT INTO missing VALUES (1); CREATE TABLE b(x)")
        }
        #expect(error?.message == "no such table: missing")
        #expect(error?.sql?.hasPrefix("INSERT INTO missing VALUES (1)") == true)
        #expect(error?.sql?.contains("CREATE TABLE b") == true) // a prepare error cannot know where the statement ends
        #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')") == .integer(1))
    }

    @Test func prepareRefusesMoreThanOneStatement() throws {
        let db = try Database(path: scratch.path("prep.db"))
        let twice = #expect(throws: SQLiteError.self) { try db.prepare("SELECT 1; SELECT 2") }
        #expect(twice?.resultCode == .misuse)
        #expect(twice?.message.contains("one statement") == true)
        let empty = #expect(throws: SQLiteError.self) { try db.prepare("  ") }
        #expect(empty?.resultCode == .misuse)
        // A trailing semicolon and comment are fine.
        let one = try db.prepare("SELECT 1; -- done")
        try #require(try one.step())
        #expect(one.int(at: 0) == 1)
    }

    @Test func lastInsertRowIDAndChanges() throws {
        let db = try Database(path: scratch.path("rows.db"))
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x)")
        try db.execute("INSERT INTO t(x) VALUES ('a'), ('b'), ('c')")
        #expect(db.changes == 3)
        #expect(db.lastInsertRowID == 3)
        try db.execute("UPDATE t SET x = 'z' WHERE id < ?", [3])
        #expect(db.changes == 2)
        #expect(db.lastInsertRowID == 3)
    }

    @Test func readOnlyRefusesWrites() throws {
        let path = scratch.path("ro.db")
        do {
            let writer = try Database(path: path)
            try writer.execute("CREATE TABLE t(x); INSERT INTO t VALUES (42)")
        }
        let reader = try Database(path: path, configuration: .init(access: .readOnly))
        #expect(try reader.scalar("SELECT x FROM t") == .integer(42))
        #expect(try reader.scalar("PRAGMA journal_mode") == "wal")
        let error = #expect(throws: SQLiteError.self) { try reader.execute("INSERT INTO t VALUES (43)") }
        #expect(error?.resultCode == .readOnly)
        #expect(error?.message == "attempt to write a readonly database")
        #expect(try reader.scalar("SELECT count(*) FROM t") == .integer(1))
    }

    @Test func readOnlyDoesNotCreateAMissingFile() throws {
        let error = #expect(throws: SQLiteError.self) {
            try Database(path: scratch.path("absent.db"), configuration: .init(access: .readOnly))
        }
        #expect(error?.resultCode == .cantOpen)
        #expect(error?.operation == "opening database at \(scratch.path("absent.db"))")
        #expect(!scratch.exists("absent.db"))
    }

    @Test func openingInAMissingDirectoryFailsWithThePath() throws {
        let path = scratch.path("no/such/dir/x.db")
        let error = #expect(throws: SQLiteError.self) { try Database(path: path) }
        #expect(error?.resultCode == .cantOpen)
        #expect(error?.description == "SQLite error 14 (SQLITE_CANTOPEN): unable to open database file — while opening database at \(path)")
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let path = scratch.path("junk.db")
        try Data(repeating: 0xA5, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SQLiteError.self) { try Database(path: path) }
        #expect(error?.resultCode == .notADatabase)
        #expect(error?.sql == "PRAGMA journal_mode=WAL")
    }

    @Test func inMemoryDatabasesAreRefusedBecauseWALNeedsAFile() throws {
        let error = #expect(throws: SQLiteError.self) { try Database(path: ":memory:") }
        #expect(error?.message.contains("journal_mode is 'memory'") == true)
    }

    @Test func closedDatabaseThrowsAndStatementsOutliveIt() throws {
        let db = try Database(path: scratch.path("c.db"))
        try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        let statement = try db.prepare("SELECT x FROM t")
        db.close()
        db.close() // idempotent
        #expect(!db.isOpen)
        #expect(!db.isInTransaction)

        let execute = #expect(throws: SQLiteError.self) { try db.execute("SELECT 1") }
        #expect(execute?.resultCode == .misuse)
        #expect(execute?.message.hasSuffix("is closed") == true)
        let step = #expect(throws: SQLiteError.self) { try statement.step() }
        #expect(step?.resultCode == .misuse)
        #expect(step?.sql == "SELECT x FROM t")

        // The data is on disk and the file is free for a new connection.
        let again = try Database(path: scratch.path("c.db"))
        #expect(try again.scalar("SELECT x FROM t") == .integer(1))
    }

    @Test func closingTheLastConnectionCheckpointsAndRemovesTheWAL() throws {
        do {
            let db = try Database(path: scratch.path("ck.db"))
            try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
            #expect(scratch.exists("ck.db-wal"))
        }
        #expect(!scratch.exists("ck.db-wal"))
    }

    @Test func scalarReturnsNilWithoutRows() throws {
        let db = try Database(path: scratch.path("sc.db"))
        try db.execute("CREATE TABLE t(x)")
        #expect(try db.scalar("SELECT x FROM t") == nil)
        #expect(try db.scalar("SELECT ? * 2", [21]) == .integer(42))
        #expect(try db.scalar("SELECT NULL") == .null)
    }
}
