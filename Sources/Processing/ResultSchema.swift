import SQLite

/// The tables of `DATA/wattline.db` the processors write (docs/sqlite-schema.md is the reference).
///
/// Times are ISO-8601 UTC text with milliseconds (`2026-11-21T08:00:00.000Z`), which sort and compare as times;
/// energies in Wh, powers in W, durations in seconds.
enum ResultSchema {
    /// `PRAGMA user_version` of a database at this schema: 1 had no cost columns, 2 adds billing, 3 the ledger of
    /// alert events queued since the checkpoint.
    static let version = 3

    static func migrate(_ database: Database) throws(SQLiteError) {
        let current: Int64
        if case .integer(let value)? = try database.scalar("PRAGMA user_version") { current = value } else { current = 0 }
        // A later Wattline's file: writing it with this one's rules would undo what the later one relies on (for
        // version 3, the ledger that keeps alert events from being queued twice after a crash).
        guard current <= Int64(version) else {
            throw SQLiteError(extendedResultCode: .error,
                              message: "the results database has schema version \(current), newer than this Wattline's \(version); run the Wattline that wrote it, or give this one another --data directory",
                              operation: "opening the results database")
        }
        try createVersion1(database)
        if current < 2 { try addBilling(database) }
        if current < 3 { try addAlertLedger(database) }
        if current != Int64(version) { try database.execute("PRAGMA user_version = \(version)") }
    }

    /// The cost columns of `sessions` and the billing tables (version 2). Amounts are exact decimal text in the
    /// currency's major unit (`"12.34"`), never binary floating point; `CAST(cost_total AS REAL)` for rough sums.
    static let costColumns: [(name: String, type: String)] = [
        ("tariff_id", "TEXT"), ("currency", "TEXT"),
        ("cost_energy", "TEXT"), ("cost_time", "TEXT"), ("cost_parking", "TEXT"), ("cost_flat", "TEXT"),
        ("cost_excl_vat", "TEXT"), ("vat", "TEXT"), ("cost_total", "TEXT"),
        ("cost_status", "TEXT"),          // priced | running | no_tariff | failed
        ("cost_error", "TEXT"),           // why, when cost_status = failed
        ("power_w", "REAL"),              // the latest active power (open sessions)
        ("time_to_full_s", "REAL"),       // the estimated time to full charge (open sessions reporting SoC)
        ("cost_breakdown", "TEXT"),       // the whole breakdown as JSON: periods, lines, VAT, bounds
    ]

    private static func addBilling(_ database: Database) throws(SQLiteError) {
        let statement = try database.prepare("SELECT name FROM pragma_table_info('sessions')")
        var existing: Set<String> = []
        while try statement.step() { existing.insert(statement.text(at: 0)) }
        for column in costColumns where !existing.contains(column.name) {
            try database.execute("ALTER TABLE sessions ADD COLUMN \(column.name) \(column.type)")
        }
        try database.execute("""
            CREATE TABLE IF NOT EXISTS session_costs (
                session_id TEXT NOT NULL,
                line INTEGER NOT NULL,            -- order within the session's breakdown
                period INTEGER NOT NULL,          -- index of the charging period (CDR charging_periods)
                period_start TEXT NOT NULL, period_end TEXT NOT NULL,
                state TEXT NOT NULL,              -- charging | suspended_ev | suspended_evse | idle
                dimension TEXT NOT NULL,          -- flat | energy | time | parking | idle
                element INTEGER,                  -- the tariff element that priced it (NULL: the idle fee)
                price TEXT NOT NULL,              -- excl. VAT, per kWh | hour | session
                vat_rate TEXT NOT NULL,           -- percent
                measured_volume TEXT NOT NULL, step_volume TEXT NOT NULL, unit TEXT NOT NULL,  -- Wh | ms | session
                amount TEXT NOT NULL,             -- price x billed volume, before the once-per-dimension rounding
                PRIMARY KEY (session_id, line)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS sessions_priced ON sessions (started_at) WHERE cost_status IS NOT NULL;

            CREATE TABLE IF NOT EXISTS cdrs (
                id TEXT PRIMARY KEY,              -- the CDR id (a credit record's id ends in -credit-N)
                session_id TEXT NOT NULL,
                kind TEXT NOT NULL,               -- cdr | credit
                issued_at TEXT NOT NULL,          -- when it was first exported
                replaces TEXT,                    -- the CDR a credit or re-issue corrects
                total_cost TEXT NOT NULL, currency TEXT NOT NULL,
                body TEXT NOT NULL                -- the OCPI CDR JSON exactly as exported
            );
            CREATE INDEX IF NOT EXISTS cdrs_by_session ON cdrs (session_id, issued_at);
            """)
    }

    /// Alert events queued to the outbox by commits after the processors' checkpoint (version 3): a restart applies
    /// those records again and makes the same events, which are not queued a second time. Rows leave at the next
    /// checkpoint that covers them.
    private static func addAlertLedger(_ database: Database) throws(SQLiteError) {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS alert_ledger (
                event_id TEXT PRIMARY KEY,        -- the event's stable id
                lsn INTEGER NOT NULL              -- the processors had applied the log up to this record when it was queued
            ) WITHOUT ROWID;
            """)
    }

    /// The tables of version 1 (what every later version builds on).
    static func createVersion1(_ database: Database) throws(SQLiteError) {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY,
                site TEXT NOT NULL, charger TEXT NOT NULL, evse INTEGER NOT NULL, connector INTEGER NOT NULL,
                transaction_id TEXT, id_tag TEXT, id_tag_status TEXT,
                state TEXT NOT NULL,              -- open | closed | finalized
                phase TEXT NOT NULL,              -- where the EVSE stands: charging, idle, ended, ...
                start_kind TEXT NOT NULL,         -- transaction | evidence | inferred
                started_at TEXT NOT NULL, plugged_at TEXT, charging_ended_at TEXT, ended_at TEXT, unplugged_at TEXT,
                end_reason TEXT, stop_reason TEXT,
                meter_start_wh REAL, meter_stop_wh REAL, energy_wh REAL, energy_source TEXT NOT NULL,
                integrated_energy_wh REAL,
                charging_s REAL NOT NULL, suspended_ev_s REAL NOT NULL, suspended_evse_s REAL NOT NULL,
                idle_s REAL NOT NULL, interrupted_s REAL NOT NULL, interruptions INTEGER NOT NULL,
                peak_power_w REAL, average_power_w REAL, offered_power_w REAL,
                soc_start REAL, soc_end REAL, taper_soc REAL, limited_by TEXT NOT NULL, complete INTEGER NOT NULL,
                quality INTEGER NOT NULL,         -- SessionQuality bits
                quality_flags TEXT NOT NULL,      -- the same, as comma-separated names
                anomalies TEXT NOT NULL,          -- anomaly kinds seen during the session, comma-separated
                amended INTEGER NOT NULL, late_readings INTEGER NOT NULL,
                signed_begin TEXT, signed_end TEXT,
                record TEXT NOT NULL              -- the whole record as JSON, power curve included
            );
            CREATE INDEX IF NOT EXISTS sessions_by_site ON sessions (site, started_at);
            CREATE INDEX IF NOT EXISTS sessions_by_charger ON sessions (charger, started_at);
            CREATE INDEX IF NOT EXISTS sessions_open ON sessions (state) WHERE state = 'open';
            CREATE INDEX IF NOT EXISTS sessions_amended ON sessions (started_at) WHERE amended > 0;

            CREATE TABLE IF NOT EXISTS anomalies (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL, severity TEXT NOT NULL,
                site TEXT, charger TEXT, evse INTEGER, connector INTEGER, session_id TEXT,
                started_at TEXT NOT NULL, updated_at TEXT NOT NULL, resolved_at TEXT,
                value REAL NOT NULL, last_value REAL NOT NULL, threshold REAL NOT NULL, unit TEXT NOT NULL,
                count INTEGER NOT NULL, detail TEXT, message TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS anomalies_by_time ON anomalies (started_at);
            CREATE INDEX IF NOT EXISTS anomalies_by_charger ON anomalies (charger, started_at);
            CREATE INDEX IF NOT EXISTS anomalies_open ON anomalies (kind) WHERE resolved_at IS NULL;

            CREATE TABLE IF NOT EXISTS load_intervals (
                level TEXT NOT NULL,              -- connector | main_meter | charger | site
                site TEXT NOT NULL, charger TEXT NOT NULL, evse INTEGER NOT NULL, connector INTEGER NOT NULL,
                start TEXT NOT NULL, end TEXT NOT NULL,
                average_w REAL, peak_w REAL, energy_wh REAL, demand_w REAL,
                samples INTEGER NOT NULL, energy_source TEXT NOT NULL, derived INTEGER NOT NULL, flags INTEGER NOT NULL,
                connectors INTEGER NOT NULL,
                PRIMARY KEY (level, site, charger, evse, connector, start)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS load_by_site ON load_intervals (site, level, start);

            CREATE TABLE IF NOT EXISTS stage_checkpoints (
                stage TEXT PRIMARY KEY,
                lsn INTEGER NOT NULL,             -- every log record up to this one is reflected in the tables
                snapshot BLOB NOT NULL            -- the stage's state at that point (zstd-compressed JSON)
            );
            """)
    }
}
