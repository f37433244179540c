import SQLite
import Telemetry

/// Where released readings are kept, with the log position they cover, in one SQLite transaction per batch.
///
/// Tables (docs/sqlite-schema.md): `series` (one row per series identity), `readings` (primary key
/// (series_id, ts): an identity is stored once), `reading_conflicts` (same identity, another value: kept, flagged),
/// and `checkpoints` (stage, LSN). The primary key is also the last line of deduplication: a reading read again
/// after a restart (records past the last checkpoint are processed again) finds its row and counts as a duplicate.
///
/// Not thread-safe: the worker thread owns it (and its `Database`).
public final class ReadingStore {
    public enum Outcome: Sendable, Equatable { case stored, duplicate, conflict }

    let database: Database
    private let insertSeries: Statement
    private let findSeries: Statement
    private let insertReading: Statement
    private let findReading: Statement
    private let insertConflict: Statement
    private let saveCheckpoint: Statement
    private var seriesIDs: [Series: Int64] = [:]

    public init(path: String) throws(SQLiteError) {
        database = try Database(path: path)
        try Self.migrate(database)
        insertSeries = try database.prepare("""
            INSERT INTO series (site, charger, evse, connector, measurand, phase, location)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        findSeries = try database.prepare("""
            SELECT id FROM series WHERE site = ? AND charger = ? AND evse = ? AND connector = ? AND measurand = ?
            AND phase = ? AND location = ?
            """)
        insertReading = try database.prepare("""
            INSERT INTO readings (series_id, ts, value, decimals, context, transaction_id, flags, lsn)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, ts) DO NOTHING
            """)
        findReading = try database.prepare("SELECT value FROM readings WHERE series_id = ? AND ts = ?")
        insertConflict = try database.prepare("""
            INSERT INTO reading_conflicts (series_id, ts, value, decimals, transaction_id, lsn) VALUES (?, ?, ?, ?, ?, ?)
            """)
        saveCheckpoint = try database.prepare("""
            INSERT INTO checkpoints (stage, lsn) VALUES (?, ?) ON CONFLICT (stage) DO UPDATE SET lsn = excluded.lsn
            """)
    }

    static func migrate(_ database: Database) throws(SQLiteError) {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS series (
                id INTEGER PRIMARY KEY,
                site TEXT NOT NULL, charger TEXT NOT NULL, evse INTEGER NOT NULL, connector INTEGER NOT NULL,
                measurand TEXT NOT NULL, phase TEXT NOT NULL, location TEXT NOT NULL,
                UNIQUE (site, charger, evse, connector, measurand, phase, location));
            CREATE TABLE IF NOT EXISTS readings (
                series_id INTEGER NOT NULL REFERENCES series (id),
                ts INTEGER NOT NULL,
                value REAL NOT NULL,
                decimals INTEGER NOT NULL,
                context TEXT NOT NULL,
                transaction_id TEXT,
                flags INTEGER NOT NULL,
                lsn INTEGER NOT NULL,
                PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS reading_conflicts (
                series_id INTEGER NOT NULL REFERENCES series (id),
                ts INTEGER NOT NULL,
                value REAL NOT NULL,
                decimals INTEGER NOT NULL,
                transaction_id TEXT,
                lsn INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS checkpoints (
                stage TEXT PRIMARY KEY,
                lsn INTEGER NOT NULL);
            """)
    }

    /// The LSN a stage checkpointed (records up to and including it are covered), or nil.
    public func checkpoint(stage: String) throws(SQLiteError) -> UInt64? {
        let statement = try database.prepare("SELECT lsn FROM checkpoints WHERE stage = ?")
        try statement.bind(stage, at: 1)
        guard try statement.step() else { return nil }
        return UInt64(statement.int64(at: 0))
    }

    /// Writes `items` and the checkpoint in one transaction.
    public func write(_ items: [ReadingSequencer.Item], checkpoint lsn: UInt64?, stage: String,
                      outcomes: inout [Outcome]) throws {
        outcomes.removeAll(keepingCapacity: true)
        try database.transaction(.immediate) {
            for item in items { outcomes.append(try store(item)) }
            if let lsn {
                try saveCheckpoint.run([.text(stage), .integer(Int64(bitPattern: lsn))])
            }
        }
    }

    private func store(_ item: ReadingSequencer.Item) throws(SQLiteError) -> Outcome {
        let reading = item.reading
        let id = try seriesID(reading.series)
        try insertReading.run([
            .integer(id), .integer(reading.timestamp), .real(reading.value), .integer(Int64(reading.decimals)),
            .text(reading.context.rawValue), reading.transactionId.map { .text($0) } ?? .null,
            .integer(Int64(item.flags.rawValue)), .integer(Int64(bitPattern: item.lsn)),
        ])
        if database.changes > 0 { return .stored }
        findReading.reset()
        try findReading.bind([.integer(id), .integer(reading.timestamp)])
        guard try findReading.step() else { return .stored }
        let existing = findReading.double(at: 0)
        findReading.reset()
        if existing.bitPattern == reading.value.bitPattern { return .duplicate }
        try insertConflict.run([
            .integer(id), .integer(reading.timestamp), .real(reading.value), .integer(Int64(reading.decimals)),
            reading.transactionId.map { .text($0) } ?? .null, .integer(Int64(bitPattern: item.lsn)),
        ])
        return .conflict
    }

    private func seriesID(_ series: Series) throws(SQLiteError) -> Int64 {
        if let id = seriesIDs[series] { return id }
        let values: [SQLiteValue] = [
            .text(series.site), .text(series.charger), .integer(Int64(series.evse)), .integer(Int64(series.connector)),
            .text(series.measurand.rawValue), .text(series.phase?.rawValue ?? ""), .text(series.location.rawValue),
        ]
        try insertSeries.run(values)
        findSeries.reset()
        try findSeries.bind(values)
        guard try findSeries.step() else {
            throw SQLiteError(extendedResultCode: .error, message: "series row missing after insert", operation: "series lookup")
        }
        let id = findSeries.int64(at: 0)
        findSeries.reset()
        seriesIDs[series] = id
        return id
    }

    /// Closes the database.
    public func close() { database.close() }
}
