import Foundation
import MosquittoTestSupport
import SQLite
import Testing

/// The files this module writes are ordinary SQLite databases: an analyst's `sqlite3` reads them, both while the
/// service still has them open (WAL readers do not block) and after it closed them. `make setup` installs the
/// `sqlite3` package, so a missing tool is a failure, not a skip.
@Suite struct CommandLineToolTests {
    static let sqlite3 = "/usr/bin/sqlite3"

    /// Runs `sqlite3 -readonly <path> <sql>` and returns its standard output; records stderr and a non-zero exit.
    private func query(_ path: String, _ sql: String) throws -> String {
        // -init /dev/null: ignore any ~/.sqliterc on the machine running the tests.
        let result = try ChildProcess.capture(Self.sqlite3, ["-batch", "-init", "/dev/null", "-readonly", path, sql])
        #expect(result.status == 0, "sqlite3 failed: \(result.stderrText)")
        return result.stdoutText
    }

    @Test func sqlite3ReadsWhatWasWritten() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path("sessions.db")
        let db = try Database(path: path)
        try db.execute("""
            CREATE TABLE session(
                id INTEGER PRIMARY KEY,
                charger TEXT NOT NULL,
                kwh REAL,
                meter BLOB,
                started INTEGER NOT NULL
            )
            """)
        try db.transaction(.immediate) {
            let insert = try db.prepare("INSERT INTO session(charger, kwh, meter, started) VALUES (:c, :k, :m, :s)")
            try insert.bind("CP-Zürich-1", named: ":c")
            try insert.bind(42.125, named: ":k")
            try insert.bind([0x00, 0xCA, 0xFE, 0x00] as [UInt8], named: ":m")
            try insert.bind(Int64(1_717_171_717_000), named: ":s")
            try insert.step()
            insert.reset()
            try insert.bind("CP-⚡-2", named: ":c")
            try insert.bind(nil as Double?, named: ":k")
            try insert.bind(nil as [UInt8]?, named: ":m")
            try insert.bind(Int64.max, named: ":s")
            try insert.step()
        }

        let sql = "SELECT id, charger, kwh, hex(meter), typeof(kwh), started FROM session ORDER BY id;"
        let expected = """
            1|CP-Zürich-1|42.125|00CAFE00|real|1717171717000
            2|CP-⚡-2|||null|9223372036854775807

            """
        // While the service still holds the connection: the rows live in the -wal file.
        #expect(scratch.exists("sessions.db-wal"))
        #expect(try query(path, sql) == expected)

        db.close()
        #expect(try query(path, sql) == expected)
        #expect(try query(path, "PRAGMA integrity_check;") == "ok\n")
        #expect(try query(path, "PRAGMA journal_mode;") == "wal\n")
    }
}
