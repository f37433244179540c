import Foundation
import MosquittoTestSupport
import SQLite
import Testing
@testable import Processing

/// `ResultSchema`: a version-1 file (no billing columns) is brought to the current version in place, rows kept;
/// a new file starts at the current version; migrating twice changes nothing; a later Wattline's file is refused.
@Suite struct ResultSchemaTests {
    @Test func upgradesVersionOneInPlace() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/wattline.db"
        do {
            // The version-1 tables, as an earlier Wattline left them, with one session row.
            let database = try Database(path: path)
            try ResultSchema.createVersion1(database)
            try database.execute("""
                INSERT INTO sessions (id, site, charger, evse, connector, state, phase, start_kind, started_at,
                    energy_source, charging_s, suspended_ev_s, suspended_evse_s, idle_s, interrupted_s, interruptions,
                    limited_by, complete, quality, quality_flags, anomalies, amended, late_readings, record)
                VALUES ('a1', 'depot', 'CP-1', 1, 1, 'closed', 'ended', 'transaction', '2026-11-21T08:00:00.000Z',
                    'register', 0, 0, 0, 0, 0, 0, 'vehicle', 1, 0, '', '', 0, 0, '{}');
                PRAGMA user_version = 1;
                """)
            database.close()
        }
        let database = try Database(path: path)
        defer { database.close() }
        try ResultSchema.migrate(database)
        #expect(try database.scalar("PRAGMA user_version") == .integer(Int64(ResultSchema.version)))
        let names = try columnNames(database, "sessions")
        for column in ResultSchema.costColumns { #expect(names.contains(column.name), "missing \(column.name)") }
        #expect(try database.scalar("SELECT site FROM sessions WHERE id = 'a1'") == .text("depot"))
        #expect(try database.scalar("""
            SELECT count(*) FROM sqlite_master WHERE name IN ('session_costs', 'cdrs', 'alert_ledger')
            """) == .integer(3))
        // A second migration is a no-op (no duplicate column error).
        try ResultSchema.migrate(database)
        #expect(try columnNames(database, "sessions").count == names.count)
    }

    @Test func newFileStartsAtCurrentVersion() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path + "/wattline.db")
        defer { database.close() }
        try ResultSchema.migrate(database)
        #expect(try database.scalar("PRAGMA user_version") == .integer(Int64(ResultSchema.version)))
        #expect(try columnNames(database, "sessions").contains("cost_total"))
    }

    /// A file a later Wattline wrote is refused, untouched: this one would write it without what the later one
    /// relies on.
    @Test func aNewerFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.path + "/wattline.db")
        defer { database.close() }
        try database.execute("PRAGMA user_version = \(ResultSchema.version + 1)")
        do {
            try ResultSchema.migrate(database)
            Issue.record("a newer file was migrated")
        } catch {
            #expect(error.message.contains("schema version \(ResultSchema.version + 1), newer than this Wattline's"))
        }
        #expect(try database.scalar("PRAGMA user_version") == .integer(Int64(ResultSchema.version + 1)))
        #expect(try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sessions'") == .integer(0))
    }

    private func columnNames(_ database: Database, _ table: String) throws -> [String] {
        let statement = try database.prepare("SELECT name FROM pragma_table_info('\(table)')")
        var names: [String] = []
        while try statement.step() { names.append(statement.text(at: 0)) }
        return names
    }
}
