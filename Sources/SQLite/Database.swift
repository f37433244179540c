import CSQLite

/// One SQLite connection to one database file: WAL journal, foreign keys on, a busy timeout, extended result codes.
///
/// `Database` is deliberately not `Sendable`. A connection belongs to one owner at a time (the pipeline stage that
/// writes through it), and the compiler keeps it inside that owner's isolation domain; ownership can still move
/// with `sending`. Because of that single-owner rule the connection is opened with `SQLITE_OPEN_NOMUTEX`: SQLite's
/// per-connection mutex would guard nothing the type system does not already guard.
///
/// Statements keep their connection alive. ``close()`` may run while statements exist: the C connection then stays
/// allocated until the last ``Statement`` is finalized, and those statements throw instead of running.
///
/// Not for in-memory databases: WAL needs a file, so `":memory:"` fails to open.
public final class Database {
    /// The path given when opening.
    public let path: String
    /// The settings the connection was opened with.
    public let configuration: Configuration
    /// The C connection; nil once closed. Only this module sees it.
    private(set) var handle: OpaquePointer?

    /// Opens (and, for `.readWrite`, creates when missing) the database at `path` and configures the connection.
    /// If any step fails the connection is closed before the error is thrown.
    public init(path: String, configuration: Configuration = Configuration()) throws(SQLiteError) {
        self.path = path
        self.configuration = configuration
        self.handle = try Self.open(path: path, access: configuration.access)
        do {
            try configure()
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// True until ``close()``.
    public var isOpen: Bool {
        handle != nil
    }

    /// Closes the connection; later calls do nothing. Any transaction still open is rolled back.
    ///
    /// Uses `sqlite3_close_v2`, which cannot fail with `SQLITE_BUSY`: statements still alive keep the C connection
    /// allocated (a "zombie") until they are finalized, and refuse to run in the meantime.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        _ = sqlite3_close_v2(handle)
    }

    /// Runs one or several `;`-separated statements without parameters, discarding any rows.
    ///
    /// Statements run one by one and are not wrapped in a transaction: when one fails, those before it stay done.
    /// The error names the statement that failed, not the whole script.
    public func execute(_ sql: String) throws(SQLiteError) {
        let connection = try openHandle("executing", sql: sql)
        try withCString(sql) { (start) throws(SQLiteError) in
            var cursor = start
            while cursor.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                // On a prepare error SQLite does not say where the statement ends: report the rest of the script.
                try check(sqlite3_prepare_v2(connection, cursor, -1, &statement, &tail), "preparing",
                          sql: String(String(cString: cursor).drop(while: \.isWhitespace)))
                guard let statement else {
                    // Only whitespace, a comment or a lone `;` was left before `tail`.
                    guard let tail, tail > cursor else { return }
                    cursor = tail
                    continue
                }
                defer { sqlite3_finalize(statement) }
                var rc = sqlite3_step(statement)
                while rc == SQLITE_ROW {
                    rc = sqlite3_step(statement)
                }
                try check(rc, "executing", sql: String(cString: sqlite3_sql(statement)))
                guard let tail else { return }
                cursor = tail
            }
        }
    }

    /// Runs one statement with its parameters bound in order, discarding any rows.
    public func execute(_ sql: String, _ values: [SQLiteValue]) throws(SQLiteError) {
        try prepare(sql).run(values)
    }

    /// Compiles one statement. Text after the first statement (other than whitespace and comments) is refused,
    /// so a second statement is never silently ignored; use ``execute(_:)`` for scripts.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        let connection = try openHandle("preparing", sql: sql)
        let handle = try withCString(sql) { (start) throws(SQLiteError) -> OpaquePointer in
            var statement: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            try check(sqlite3_prepare_v2(connection, start, -1, &statement, &tail), "preparing", sql: sql)
            guard let statement else {
                throw SQLiteError.misuse("the text holds no SQL statement", "preparing", sql: sql)
            }
            if let tail, tail.pointee != 0 {
                var extra: OpaquePointer?
                let rc = sqlite3_prepare_v2(connection, tail, -1, &extra, nil)
                sqlite3_finalize(extra)
                if rc != SQLITE_OK || extra != nil {
                    sqlite3_finalize(statement)
                    throw SQLiteError.misuse(
                        "prepare(_:) takes one statement but the text holds more; use execute(_:) for scripts",
                        "preparing", sql: sql)
                }
            }
            return statement
        }
        return Statement(database: self, handle: handle)
    }

    /// The first column of the first row of a query, or nil when it returns no row.
    /// For `PRAGMA` reads and `count(*)`-style checks.
    public func scalar(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteValue? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step(), statement.columnCount > 0 else { return nil }
        return statement.value(at: 0)
    }

    /// The rowid of the most recent successful `INSERT` on this connection (`sqlite3_last_insert_rowid`).
    /// Traps when the database is closed.
    public var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(openHandle())
    }

    /// Rows changed by the most recent `INSERT`, `UPDATE` or `DELETE` (`sqlite3_changes64`).
    /// Traps when the database is closed.
    public var changes: Int {
        Int(sqlite3_changes64(openHandle()))
    }

    /// True while a transaction is open (`sqlite3_get_autocommit` is off), whether begun by
    /// ``transaction(_:_:)`` or by a `BEGIN` in SQL. False when closed.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    // MARK: - Internal

    /// Turns a return code of a call on this connection into an error; see ``SQLiteError/check(_:connection:_:sql:)``.
    func check(_ rc: Int32, _ operation: @autoclosure () -> String, sql: @autoclosure () -> String? = nil) throws(SQLiteError) {
        try SQLiteError.check(rc, connection: handle, operation(), sql: sql())
    }

    /// The C connection, or an error saying the database is closed.
    func openHandle(_ operation: @autoclosure () -> String, sql: @autoclosure () -> String?) throws(SQLiteError) -> OpaquePointer {
        guard let handle else {
            throw SQLiteError.misuse("the database at \(path) is closed", operation(), sql: sql())
        }
        return handle
    }

    /// The C connection for non-throwing accessors; using a closed database there is a programming error.
    private func openHandle() -> OpaquePointer {
        guard let handle else { preconditionFailure("the database at \(path) is closed") }
        return handle
    }

    // MARK: - Opening

    private static func open(path: String, access: Configuration.Access) throws(SQLiteError) -> OpaquePointer {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch access {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            // sqlite3_open_v2 usually allocates a connection even when it fails (to carry the message); it must
            // still be closed. sqlite3_close_v2(NULL) is a no-op. Read the message first.
            let error = SQLiteError(rc == SQLITE_OK ? SQLITE_NOMEM : rc, connection: handle,
                                    operation: "opening database at \(path)")
            _ = sqlite3_close_v2(handle)
            throw error
        }
        return handle
    }

    /// Sets up a just-opened connection: result codes, busy timeout, foreign keys, strict quoting, WAL, synchronous.
    private func configure() throws(SQLiteError) {
        let connection = try openHandle("configuring", sql: nil)
        let operation = "configuring database at \(path)"

        // Also set by SQLITE_OPEN_EXRESCODE; repeated so that it holds whatever the flag's history in a given build.
        try check(sqlite3_extended_result_codes(connection, 1), operation)
        try check(sqlite3_busy_timeout(connection, configuration.busyTimeoutMilliseconds), operation)

        // Foreign keys through sqlite3_db_config, which reports the resulting state back.
        var foreignKeys: Int32 = 0
        try check(wattline_sqlite_db_config_int(connection, SQLITE_DBCONFIG_ENABLE_FKEY, 1, &foreignKeys), operation)
        guard foreignKeys == 1 else {
            throw SQLiteError(extendedResultCode: .error, message: "foreign keys stayed off (SQLite built without them?)",
                              operation: "enabling foreign keys on database at \(path)")
        }
        // Double-quoted text is an identifier, never a string literal: `WHERE id = "x"` fails instead of comparing
        // with the string when there is no column x.
        try check(wattline_sqlite_db_config_int(connection, SQLITE_DBCONFIG_DQS_DML, 0, nil), operation)
        try check(wattline_sqlite_db_config_int(connection, SQLITE_DBCONFIG_DQS_DDL, 0, nil), operation)

        if configuration.access == .readWrite {
            // The pragma answers with the mode now in force; SQLite keeps the old one when it cannot switch.
            let mode = try scalar("PRAGMA journal_mode=WAL")
            guard case .text(let name)? = mode, name.lowercased() == "wal" else {
                throw SQLiteError(extendedResultCode: .error,
                                  message: "journal_mode is \(mode.map(String.init(describing:)) ?? "unknown") after asking for WAL; WAL needs a database file on a local file system",
                                  operation: operation, sql: "PRAGMA journal_mode=WAL")
            }
        }
        try execute("PRAGMA synchronous=\(configuration.synchronous.rawValue)")
    }

    /// Runs `body` on the NUL-terminated UTF-8 of `sql`, keeping its typed error (`String.withCString` only rethrows).
    private func withCString<R>(_ sql: String, _ body: (UnsafePointer<CChar>) throws(SQLiteError) -> R) throws(SQLiteError) -> R {
        let result: Result<R, SQLiteError> = sql.withCString { start in
            do throws(SQLiteError) {
                return .success(try body(start))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
