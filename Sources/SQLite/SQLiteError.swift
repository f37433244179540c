import CSQLite

/// A failed SQLite call: the result codes, SQLite's own message, and what was being done.
///
/// Its description reads as a sentence:
/// "SQLite error 19 (SQLITE_CONSTRAINT_NOTNULL): NOT NULL constraint failed: t.x — while executing `INSERT ...`".
/// Bound values are never part of it, so an error can be logged without leaking payload data.
///
/// A few errors come from this wrapper rather than from SQLite (a closed database, a nested transaction, a
/// multi-statement string given to `prepare`); they carry the SQLite code that fits best (usually
/// `SQLITE_MISUSE`) and a message that says what was wrong.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code, such as `.constraint` or `.busy`.
    public var resultCode: ResultCode {
        extendedResultCode.primary
    }

    /// The extended result code, such as `.constraintNotNull` (equal to ``resultCode`` when SQLite gave no detail).
    public let extendedResultCode: ResultCode

    /// SQLite's message (`sqlite3_errmsg`), or `sqlite3_errstr` of the code when the connection had none.
    public let message: String

    /// What was being done, as a phrase that follows "while": "executing", "preparing",
    /// "binding parameter 2 of", "opening database at /var/lib/wattline/x.db".
    public let operation: String

    /// The SQL that failed, if any.
    public let sql: String?

    public init(extendedResultCode: ResultCode, message: String, operation: String, sql: String? = nil) {
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.operation = operation
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(resultCode.rawValue) (\(extendedResultCode.name)): \(message) — while \(operation)"
        if let sql {
            text += " `\(sql.trimmingSQLWhitespace())`"
        }
        return text
    }
}

extension SQLiteError {
    /// The one place a return code becomes an error: `SQLITE_OK`, `SQLITE_ROW` and `SQLITE_DONE` pass, anything
    /// else throws with the connection's message.
    ///
    /// Call it straight after the failing C call on the same connection: `sqlite3_errmsg` describes the most recent
    /// call. When the connection's recorded code does not match `rc` (or there is no connection) the message falls
    /// back to SQLite's generic text for the code, so a stale message is never attached to the wrong error.
    static func check(
        _ rc: Int32,
        connection: OpaquePointer?,
        _ operation: @autoclosure () -> String,
        sql: @autoclosure () -> String? = nil
    ) throws(SQLiteError) {
        switch rc {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return
        default:
            throw SQLiteError(rc, connection: connection, operation: operation(), sql: sql())
        }
    }

    /// The error for return code `rc` of a call on `connection`, with the connection's message.
    init(_ rc: Int32, connection: OpaquePointer?, operation: String, sql: String? = nil) {
        let message: String
        if let connection, sqlite3_extended_errcode(connection) == rc, let text = sqlite3_errmsg(connection) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(rc))
        }
        self.init(extendedResultCode: ResultCode(rawValue: rc), message: message, operation: operation, sql: sql)
    }

    /// An error this wrapper raises itself, for a mistake in how it was called.
    static func misuse(_ message: String, _ operation: String, sql: String? = nil) -> SQLiteError {
        SQLiteError(extendedResultCode: .misuse, message: message, operation: operation, sql: sql)
    }
}

extension String {
    /// The text without leading and trailing whitespace, for error messages.
    fileprivate func trimmingSQLWhitespace() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return self[first...last]
    }
}
