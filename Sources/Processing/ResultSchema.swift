import SQLite

/// The tables of `DATA/wattline.db` the processors write (docs/sqlite-schema.md is the reference).
///
/// Times are ISO-8601 UTC text with milliseconds (`2026-11-21T08:00:00.000Z`), which sort and compare as times;
/// energies in Wh, powers in W, durations in seconds.
enum ResultSchema {
    static let version = 1

    static func migrate(_ database: Database) throws(SQLiteError) {
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
