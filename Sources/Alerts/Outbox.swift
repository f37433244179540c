import Foundation
import SQLite
import Telemetry

/// The alert outbox: table `alert_outbox` in `DATA/wattline.db`, one row per (hook, event).
///
/// The processors stage enqueues in the same transaction as the anomaly or session rows that caused the events,
/// so an event exists exactly when its cause is durable; the dispatcher takes rows out once a hook delivered
/// them (or they were dead-lettered). Across a crash, delivery is therefore at least once, never lost.
///
/// Not thread-safe: each thread uses its own `Outbox` over its own `Database` (SQLite's WAL mode serialises the
/// writers; the busy timeout waits for the other's short transactions).
public final class Outbox {
    public let database: Database
    private let insert: Statement
    private let coalesce: Statement
    private let countRows: Statement

    /// Creates the table when missing.
    public static func migrate(_ database: Database) throws(SQLiteError) {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS alert_outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                hook TEXT NOT NULL,
                event_id TEXT NOT NULL,
                type TEXT NOT NULL,
                charger TEXT,
                coalesce_key TEXT,            -- the anomaly id of an anomaly.updated event, else NULL
                coalesced INTEGER NOT NULL DEFAULT 0,
                event TEXT NOT NULL,          -- the event as JSON
                created_at TEXT NOT NULL,     -- the event's time
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms INTEGER NOT NULL DEFAULT 0,
                claimed INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            );
            CREATE UNIQUE INDEX IF NOT EXISTS alert_outbox_event ON alert_outbox (hook, event_id);
            CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (hook, claimed, next_attempt_ms, seq);
            CREATE INDEX IF NOT EXISTS alert_outbox_coalesce ON alert_outbox (hook, coalesce_key) WHERE coalesce_key IS NOT NULL;
            """)
    }

    public init(database: Database) throws(SQLiteError) {
        self.database = database
        try Self.migrate(database)
        insert = try database.prepare("""
            INSERT OR IGNORE INTO alert_outbox (hook, event_id, type, charger, coalesce_key, event, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        coalesce = try database.prepare("""
            UPDATE alert_outbox SET event_id = ?, event = ?, created_at = ?, coalesced = coalesced + 1
            WHERE hook = ? AND coalesce_key = ? AND claimed = 0 AND attempts = 0
            """)
        countRows = try database.prepare("SELECT COUNT(*) FROM alert_outbox")
    }

    /// What `enqueue` did.
    public struct EnqueueResult: Sendable, Equatable {
        public var inserted = 0
        /// `anomaly.updated` events merged into one still waiting.
        public var coalesced = 0
        /// (hook, event) pairs refused because the outbox holds `quota` rows: the caller keeps them in `failed.jsonl`.
        public var overQuota: [(hook: String, event: AlertEvent)] = []

        public init() {}

        public static func == (a: EnqueueResult, b: EnqueueResult) -> Bool {
            a.inserted == b.inserted && a.coalesced == b.coalesced && a.overQuota.map(\.event) == b.overQuota.map(\.event)
                && a.overQuota.map(\.hook) == b.overQuota.map(\.hook)
        }
    }

    /// Routes `events` to their hooks and adds them. Call inside the transaction that writes their causes.
    public func enqueue(_ events: [AlertEvent], configuration: AlertConfiguration) throws(SQLiteError) -> EnqueueResult {
        var result = EnqueueResult()
        guard !events.isEmpty, !configuration.hooks.isEmpty else { return result }
        var rows = try count()
        for event in events {
            let json = event.jsonText()
            let time = Timestamp.format(event.at)
            for hook in configuration.hooks(for: event) {
                if let key = event.coalesceKey {
                    try coalesce.run([.text(event.id), .text(json), .text(time), .text(hook.name), .text(key)])
                    if database.changes > 0 {
                        result.coalesced += 1
                        continue
                    }
                }
                guard rows < configuration.outboxQuota else {
                    result.overQuota.append((hook.name, event))
                    continue
                }
                try insert.run([.text(hook.name), .text(event.id), .text(event.type), event.charger.map { .text($0) } ?? .null,
                                event.coalesceKey.map { .text($0) } ?? .null, .text(json), .text(time)])
                if database.changes > 0 {
                    rows += 1
                    result.inserted += 1
                }
            }
        }
        return result
    }

    /// Rows waiting, over all hooks.
    public func count() throws(SQLiteError) -> Int {
        defer { countRows.reset() }
        guard try countRows.step() else { return 0 }
        return countRows.int(at: 0)
    }
}

/// A row the dispatcher took from the outbox.
public struct OutboxRow: Sendable, Equatable {
    public var seq: Int64
    public var hook: String
    public var eventId: String
    public var charger: String?
    /// The event's JSON as enqueued (without `coalesced`).
    public var event: String
    public var attempts: Int
    public var coalesced: Int
    public var lastError: String?

    /// The JSON handed to the hook: the event with `coalesced` (how many later updates it stands for) added.
    public var deliveredJSON: String {
        guard event.hasPrefix("{") else { return event }
        return "{\"coalesced\":\(coalesced)," + event.dropFirst()
    }
}

extension Outbox {
    /// Rows of `hook` that are due (not claimed, backoff over), oldest first.
    public func due(hook: String, nowMs: Int64, limit: Int) throws(SQLiteError) -> [OutboxRow] {
        let statement = try database.prepare("""
            SELECT seq, hook, event_id, charger, event, attempts, coalesced, last_error FROM alert_outbox
            WHERE hook = ? AND claimed = 0 AND next_attempt_ms <= ? ORDER BY seq LIMIT ?
            """)
        try statement.bind([.text(hook), .integer(nowMs), .integer(Int64(limit))])
        return try Self.rows(statement)
    }

    /// Every row, oldest first.
    public func all() throws(SQLiteError) -> [OutboxRow] { try Self.waiting(in: database) }

    /// Every row of the outbox in `database` (which may be opened read-only), oldest first; none without a table.
    public static func waiting(in database: Database) throws(SQLiteError) -> [OutboxRow] {
        guard try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'alert_outbox'") == .integer(1) else { return [] }
        let statement = try database.prepare("""
            SELECT seq, hook, event_id, charger, event, attempts, coalesced, last_error FROM alert_outbox ORDER BY seq
            """)
        return try rows(statement)
    }

    private static func rows(_ statement: Statement) throws(SQLiteError) -> [OutboxRow] {
        var rows: [OutboxRow] = []
        while try statement.step() {
            rows.append(OutboxRow(
                seq: statement.int64(at: 0), hook: statement.text(at: 1), eventId: statement.text(at: 2),
                charger: statement.isNull(at: 3) ? nil : statement.text(at: 3), event: statement.text(at: 4),
                attempts: statement.int(at: 5), coalesced: statement.int(at: 6),
                lastError: statement.isNull(at: 7) ? nil : statement.text(at: 7)))
        }
        return rows
    }

    /// The earliest backoff end of unclaimed rows still waiting (ms), or nil when nothing waits on a backoff.
    public func nextAttemptTime(after nowMs: Int64) throws(SQLiteError) -> Int64? {
        guard case .integer(let t)? = try database.scalar(
            "SELECT MIN(next_attempt_ms) FROM alert_outbox WHERE claimed = 0 AND next_attempt_ms > ?", [.integer(nowMs)])
        else { return nil }
        return t
    }

    /// Marks rows as being delivered (so the stage no longer coalesces into them).
    public func claim(_ seqs: [Int64]) throws {
        try database.transaction(.immediate) {
            for seq in seqs { try database.execute("UPDATE alert_outbox SET claimed = 1 WHERE seq = ?", [.integer(seq)]) }
        }
    }

    /// Rows claimed by a run that ended with the process: waiting again.
    public func releaseClaims() throws(SQLiteError) {
        try database.execute("UPDATE alert_outbox SET claimed = 0 WHERE claimed = 1")
    }

    /// Rows delivered or dead-lettered.
    public func remove(_ seqs: [Int64]) throws {
        try database.transaction(.immediate) {
            for seq in seqs { try database.execute("DELETE FROM alert_outbox WHERE seq = ?", [.integer(seq)]) }
        }
    }

    /// A failed attempt: waits `nextAttemptMs` for the next.
    public func retryLater(_ seqs: [Int64], attempts: Int, nextAttemptMs: Int64, error: String) throws {
        try database.transaction(.immediate) {
            for seq in seqs {
                try database.execute(
                    "UPDATE alert_outbox SET claimed = 0, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE seq = ?",
                    [.integer(Int64(attempts)), .integer(nextAttemptMs), .text(error), .integer(seq)])
            }
        }
    }

    /// Hooks that have rows, with their counts.
    public func countsByHook() throws(SQLiteError) -> [String: Int] {
        let statement = try database.prepare("SELECT hook, COUNT(*) FROM alert_outbox GROUP BY hook")
        var counts: [String: Int] = [:]
        while try statement.step() { counts[statement.text(at: 0)] = statement.int(at: 1) }
        return counts
    }
}
