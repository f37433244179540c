import Foundation
import SQLite
import Telemetry

/// The `cdrs` table: every CDR and credit record as exported, append-only. The only writer of `wattline.db` outside
/// the processors stage; `wattline cdrs` alone opens it, read-write. Rows are inserted and never updated or
/// deleted: an exported CDR never changes.
///
/// Not `Sendable`: one owner, like the `Database` it holds.
public final class CDRLedger {
    /// One stored record.
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case cdr, credit
        }

        public var id: String
        public var sessionId: String
        public var kind: Kind
        /// ms UTC of the first export.
        public var issuedAt: Int64
        /// The CDR a credit or re-issue corrects.
        public var replaces: String?
        /// Incl. VAT, exact decimal text.
        public var totalCost: String
        public var currency: String
        /// The OCPI CDR JSON exactly as exported.
        public var body: String

        public init(id: String, sessionId: String, kind: Kind, issuedAt: Int64, replaces: String?, totalCost: String,
                    currency: String, body: String) {
            self.id = id
            self.sessionId = sessionId
            self.kind = kind
            self.issuedAt = issuedAt
            self.replaces = replaces
            self.totalCost = totalCost
            self.currency = currency
            self.body = body
        }
    }

    private let database: Database

    /// Opens `wattline.db` read-write. Throws when the file or its `cdrs` table (schema version 2) is missing.
    public init(path: String) throws(ReportError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .results("no results yet in \(path)") }
        let database = try Self.checked { try Database(path: path) }
        let table = try Self.checked { try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'cdrs'") }
        guard table == .integer(1) else {
            database.close()
            throw .ledger("\(path) has no cdrs table (schema version 2): run `wattline run` once to upgrade it")
        }
        self.database = database
    }

    /// The records of one session, in the order they were issued.
    public func entries(session: String) throws(ReportError) -> [Entry] {
        try Self.checked {
            let statement = try database.prepare("""
                SELECT id, session_id, kind, issued_at, replaces, total_cost, currency, body FROM cdrs
                WHERE session_id = ? ORDER BY issued_at, rowid
                """)
            try statement.bind([.text(session)])
            var entries: [Entry] = []
            while try statement.step() {
                let id = statement.text(at: 0)
                guard let kind = Entry.Kind(rawValue: statement.text(at: 2)) else {
                    throw ReportError.corruptLedger(id: id, reason: "kind '\(statement.text(at: 2))' is neither cdr nor credit")
                }
                let issuedText = statement.text(at: 3)
                guard let issued = try? Timestamp.parse(issuedText) else {
                    throw ReportError.corruptLedger(id: id, reason: "issued_at '\(issuedText)' is not an ISO-8601 time")
                }
                entries.append(Entry(id: id, sessionId: statement.text(at: 1), kind: kind, issuedAt: issued,
                                     replaces: statement.isNull(at: 4) ? nil : statement.text(at: 4),
                                     totalCost: statement.text(at: 5), currency: statement.text(at: 6), body: statement.text(at: 7)))
            }
            return entries
        }
    }

    /// The breakdown lines of a session (`session_costs`), in order.
    public func lines(session: String) throws(ReportError) -> [CostLineRow] {
        try Self.checked {
            let statement = try database.prepare("""
                SELECT line, period, period_start, period_end, state, dimension, measured_volume, step_volume
                FROM session_costs WHERE session_id = ? ORDER BY line
                """)
            try statement.bind([.text(session)])
            var lines: [CostLineRow] = []
            while try statement.step() {
                let line = statement.int(at: 0)
                func time(_ column: Int, _ name: String) throws(ReportError) -> Int64 {
                    let text = statement.text(at: column)
                    do { return try Timestamp.parse(text) } catch {
                        throw .malformedTime(table: "session_costs", id: "\(session) line \(line)", column: name, text: text)
                    }
                }
                func volume(_ column: Int, _ name: String) throws(ReportError) -> Decimal {
                    let text = statement.text(at: column)
                    guard let value = AmountText.parse(text) else {
                        throw .malformedAmount(session: session, column: "session_costs.\(name) (line \(line))", text: text)
                    }
                    return value
                }
                lines.append(CostLineRow(
                    period: statement.int(at: 1), periodStart: try time(2, "period_start"), periodEnd: try time(3, "period_end"),
                    state: statement.text(at: 4), dimension: statement.text(at: 5),
                    billedVolume: try volume(6, "measured_volume") + volume(7, "step_volume")))
            }
            return lines
        }
    }

    /// Inserts records in one transaction (a credit and its re-issue land together or not at all).
    public func append(_ entries: [Entry]) throws(ReportError) {
        try Self.checked {
            try database.transaction(.immediate) {
                let insert = try database.prepare("""
                    INSERT INTO cdrs (id, session_id, kind, issued_at, replaces, total_cost, currency, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for entry in entries {
                    try insert.run([.text(entry.id), .text(entry.sessionId), .text(entry.kind.rawValue),
                                    .text(Timestamp.format(entry.issuedAt)), entry.replaces.map { .text($0) } ?? .null,
                                    .text(entry.totalCost), .text(entry.currency), .text(entry.body)])
                }
            }
        }
    }

    public func close() { database.close() }

    /// Runs SQLite work, passing report errors on and naming SQLite's.
    private static func checked<R>(_ body: () throws -> R) throws(ReportError) -> R {
        do {
            return try body()
        } catch let error as ReportError {
            throw error
        } catch let error as SQLiteError {
            throw .from(error)
        } catch {
            throw .ledger(String(describing: error))
        }
    }
}
