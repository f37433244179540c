import CSQLite

/// One compiled SQL statement (`sqlite3_stmt`), finalized when released.
///
/// Use: bind parameters, call ``step()`` until it returns false, read columns while it returns true, then
/// ``reset()`` to run it again. ``run(_:)`` does all of that for statements whose rows are not wanted.
///
/// A statement stepped to a row but neither finished nor reset keeps its read transaction open, which stops WAL
/// checkpoints from getting past it; reset or release statements as soon as their rows are read.
///
/// Column getters follow SQLite's own conversions (`sqlite3_column_*`): a NULL reads as `0`, `0.0`, `""` or `[]`;
/// use ``isNull(at:)`` or ``value(at:)`` to tell NULL apart. Column indices are 0-based, parameter indices 1-based,
/// as in the C API. Not `Sendable`, for the same reason as ``Database``, which it keeps alive.
public final class Statement {
    /// The connection this statement belongs to.
    public let database: Database
    /// The `sqlite3_stmt`; valid until deinit.
    let handle: OpaquePointer
    /// The SQL text of this statement.
    public let sql: String

    init(database: Database, handle: OpaquePointer) {
        self.database = database
        self.handle = handle
        self.sql = String(cString: sqlite3_sql(handle))
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Number of parameters (the largest parameter index).
    public var parameterCount: Int {
        Int(sqlite3_bind_parameter_count(handle))
    }

    /// Runs the statement to its next row: true when a row is available, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        try checkOpen("executing")
        let rc = sqlite3_step(handle)
        try database.check(rc, "executing", sql: sql)
        return rc == SQLITE_ROW
    }

    /// Rewinds the statement so it can run again; bindings stay. Never throws: an error of the last ``step()``
    /// (which `sqlite3_reset` repeats) was already thrown there.
    public func reset() {
        _ = sqlite3_reset(handle)
    }

    /// Sets every parameter back to NULL.
    public func clearBindings() {
        _ = sqlite3_clear_bindings(handle)
    }

    /// Resets, binds `values` to parameters 1...n (all of them), and steps until done, discarding rows.
    /// The statement is left finished, so it holds no lock; call again with the next values.
    public func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        reset()
        try bind(values)
        while try step() {}
    }

    // MARK: - Columns

    /// Number of columns in a result row (0 for statements that return none).
    public var columnCount: Int {
        Int(sqlite3_column_count(handle))
    }

    /// The name of a result column (its `AS` name, else SQLite's choice).
    public func columnName(at column: Int) -> String {
        precondition(column >= 0 && column < columnCount, "column \(column) out of range 0..<\(columnCount) in `\(sql)`")
        return sqlite3_column_name(handle, Int32(column)).map { String(cString: $0) } ?? ""
    }

    /// The names of all result columns.
    public var columnNames: [String] {
        (0..<columnCount).map(columnName(at:))
    }

    /// True when the column of the current row is NULL.
    public func isNull(at column: Int) -> Bool {
        sqlite3_column_type(handle, rowColumn(column)) == SQLITE_NULL
    }

    public func int64(at column: Int) -> Int64 {
        sqlite3_column_int64(handle, rowColumn(column))
    }

    public func int(at column: Int) -> Int {
        Int(sqlite3_column_int64(handle, rowColumn(column)))
    }

    public func double(at column: Int) -> Double {
        sqlite3_column_double(handle, rowColumn(column))
    }

    /// Nonzero integer is true.
    public func bool(at column: Int) -> Bool {
        sqlite3_column_int64(handle, rowColumn(column)) != 0
    }

    /// The column as UTF-8 text; bytes that are not valid UTF-8 become U+FFFD. Embedded NUL characters are kept.
    public func text(at column: Int) -> String {
        let index = rowColumn(column)
        // Pointer first, then length: the documented order, as the text conversion can change the length.
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    public func blob(at column: Int) -> [UInt8] {
        let index = rowColumn(column)
        // NULL for a zero-length blob as well as for a NULL value.
        guard let bytes = sqlite3_column_blob(handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, index))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// The column in its stored class, without conversion.
    public func value(at column: Int) -> SQLiteValue {
        switch sqlite3_column_type(handle, rowColumn(column)) {
        case SQLITE_INTEGER: .integer(int64(at: column))
        case SQLITE_FLOAT: .real(double(at: column))
        case SQLITE_TEXT: .text(text(at: column))
        case SQLITE_BLOB: .blob(blob(at: column))
        default: .null
        }
    }

    /// Every column of the current row.
    public var row: [SQLiteValue] {
        (0..<columnCount).map(value(at:))
    }

    // MARK: - Internal

    /// Throws when the database has been closed; a statement never runs on a zombie connection.
    func checkOpen(_ operation: @autoclosure () -> String) throws(SQLiteError) {
        guard database.isOpen else {
            throw SQLiteError.misuse("the database at \(database.path) is closed", operation(), sql: sql)
        }
    }

    /// `column` as a C index, trapping when it is out of range or there is no current row
    /// (`sqlite3_column_*` results are undefined then).
    private func rowColumn(_ column: Int) -> Int32 {
        let available = Int(sqlite3_data_count(handle))
        precondition(column >= 0 && column < available,
                     "column \(column) is not in the current row (\(available) columns; did step() return true?) of `\(sql)`")
        return Int32(column)
    }
}
