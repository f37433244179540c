import CSQLite

/// Parameter binding. Indices are 1-based. Names are written as in the SQL (`:kwh`, `@kwh`, `$kwh`); a name
/// without one of those prefixes gets `:`. Passing nil to a typed overload binds NULL, as does `.null`.
/// Text and blobs are copied by SQLite (`SQLITE_TRANSIENT`), so the Swift value need not outlive the call.
/// Binding while the statement is mid-run (after ``step()`` returned true) fails with `SQLITE_MISUSE`; ``reset()`` first.
extension Statement {
    /// Binds `values` to parameters 1...n. The count must equal ``parameterCount``, so a forgotten parameter
    /// is an error rather than a silent NULL.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        guard values.count == parameterCount else {
            throw SQLiteError(extendedResultCode: .range,
                              message: "\(values.count) values for \(parameterCount) parameters",
                              operation: "binding parameters of", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value, at: offset + 1)
        }
    }

    public func bind(_ value: SQLiteValue, at index: Int) throws(SQLiteError) {
        try bind(value, index, label: "parameter \(index)")
    }

    public func bind(_ value: SQLiteValue, named name: String) throws(SQLiteError) {
        let (index, fullName) = try parameterIndex(name)
        try bind(value, Int(index), label: fullName)
    }

    /// The 1-based index of a named parameter.
    public func parameterIndex(named name: String) throws(SQLiteError) -> Int {
        Int(try parameterIndex(name).index)
    }

    // MARK: Typed overloads (nil binds NULL)

    public func bind(_ value: Int64?, at index: Int) throws(SQLiteError) { try bind(value.map { .integer($0) } ?? .null, at: index) }
    public func bind(_ value: Int?, at index: Int) throws(SQLiteError) { try bind(value.map { .integer(Int64($0)) } ?? .null, at: index) }
    public func bind(_ value: Double?, at index: Int) throws(SQLiteError) { try bind(value.map { .real($0) } ?? .null, at: index) }
    public func bind(_ value: String?, at index: Int) throws(SQLiteError) { try bind(value.map { .text($0) } ?? .null, at: index) }
    public func bind(_ value: [UInt8]?, at index: Int) throws(SQLiteError) { try bind(value.map { .blob($0) } ?? .null, at: index) }
    public func bind(_ value: Bool?, at index: Int) throws(SQLiteError) { try bind(value.map { .integer($0 ? 1 : 0) } ?? .null, at: index) }

    public func bind(_ value: Int64?, named name: String) throws(SQLiteError) { try bind(value.map { .integer($0) } ?? .null, named: name) }
    public func bind(_ value: Int?, named name: String) throws(SQLiteError) { try bind(value.map { .integer(Int64($0)) } ?? .null, named: name) }
    public func bind(_ value: Double?, named name: String) throws(SQLiteError) { try bind(value.map { .real($0) } ?? .null, named: name) }
    public func bind(_ value: String?, named name: String) throws(SQLiteError) { try bind(value.map { .text($0) } ?? .null, named: name) }
    public func bind(_ value: [UInt8]?, named name: String) throws(SQLiteError) { try bind(value.map { .blob($0) } ?? .null, named: name) }
    public func bind(_ value: Bool?, named name: String) throws(SQLiteError) { try bind(value.map { .integer($0 ? 1 : 0) } ?? .null, named: name) }

    // MARK: - Private

    private func parameterIndex(_ name: String) throws(SQLiteError) -> (index: Int32, fullName: String) {
        let fullName = name.first.map { ":@$".contains($0) } == true ? name : ":" + name
        let index = sqlite3_bind_parameter_index(handle, fullName)
        guard index > 0 else {
            throw SQLiteError(extendedResultCode: .range, message: "no parameter named \(fullName)",
                              operation: "binding \(fullName) of", sql: sql)
        }
        return (index, fullName)
    }

    private func bind(_ value: SQLiteValue, _ index: Int, label: @autoclosure () -> String) throws(SQLiteError) {
        try checkOpen("binding \(label()) of")
        guard let position = Int32(exactly: index) else {
            throw SQLiteError(extendedResultCode: .range, message: "parameter index \(index) is out of range",
                              operation: "binding \(label()) of", sql: sql)
        }
        let rc: Int32
        switch value {
        case .integer(let integer):
            rc = sqlite3_bind_int64(handle, position, integer)
        case .real(let real):
            rc = sqlite3_bind_double(handle, position, real)
        case .text(var text):
            rc = text.withUTF8 { utf8 in
                // A NULL pointer would bind NULL instead of '', and an empty buffer may have no address.
                guard let base = utf8.baseAddress, utf8.count > 0 else {
                    return sqlite3_bind_text64(handle, position, "", 0, wattline_sqlite_transient(), UInt8(SQLITE_UTF8))
                }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { chars in
                    sqlite3_bind_text64(handle, position, chars, UInt64(utf8.count), wattline_sqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { raw in
                // Same trap as text: a NULL pointer binds NULL, so an empty blob is bound as a zero-length zeroblob.
                guard let base = raw.baseAddress, raw.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, position, 0)
                }
                return sqlite3_bind_blob64(handle, position, base, UInt64(raw.count), wattline_sqlite_transient())
            }
        case .null:
            rc = sqlite3_bind_null(handle, position)
        }
        try database.check(rc, "binding \(label()) of", sql: sql)
    }
}
