import CSQLite

/// An SQLite result code, primary (`SQLITE_CONSTRAINT`, 19) or extended (`SQLITE_CONSTRAINT_NOTNULL`, 1299).
///
/// An extended code keeps its primary code in the low byte; ``primary`` recovers it. Compare a ``SQLiteError``'s
/// ``SQLiteError/resultCode`` with the primary constants here (`.busy`, `.constraint`, ...) and its
/// ``SQLiteError/extendedResultCode`` with the extended ones (`.constraintNotNull`, ...).
public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code, as `sqlite3.h` defines it.
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The primary code: the low byte of an extended code (a primary code is its own primary code).
    public var primary: ResultCode {
        ResultCode(rawValue: rawValue & 0xFF)
    }

    /// The C name, such as `SQLITE_CONSTRAINT_NOTNULL`; `SQLITE_UNKNOWN(n)` for a code this build does not know.
    public var name: String {
        wattline_sqlite_code_name(rawValue).map { String(cString: $0) } ?? "SQLITE_UNKNOWN(\(rawValue))"
    }

    /// `19 (SQLITE_CONSTRAINT)`.
    public var description: String {
        "\(rawValue) (\(name))"
    }

    // MARK: Primary codes a caller is likely to test for

    public static let error = ResultCode(rawValue: SQLITE_ERROR)
    public static let abort = ResultCode(rawValue: SQLITE_ABORT)
    public static let busy = ResultCode(rawValue: SQLITE_BUSY)
    public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
    public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
    public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
    public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
    public static let full = ResultCode(rawValue: SQLITE_FULL)
    public static let cantOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
    public static let tooBig = ResultCode(rawValue: SQLITE_TOOBIG)
    public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
    public static let mismatch = ResultCode(rawValue: SQLITE_MISMATCH)
    public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
    public static let range = ResultCode(rawValue: SQLITE_RANGE)
    public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)

    // MARK: Extended codes a caller is likely to test for
    // sqlite3.h defines these as (PRIMARY | (n<<8)), macros Swift does not import; the values are copied from it,
    // and the tests check each one's name against the C switch in shim.h.

    public static let constraintNotNull = ResultCode(rawValue: SQLITE_CONSTRAINT | (5 << 8))
    public static let constraintUnique = ResultCode(rawValue: SQLITE_CONSTRAINT | (8 << 8))
    public static let constraintPrimaryKey = ResultCode(rawValue: SQLITE_CONSTRAINT | (6 << 8))
    public static let constraintForeignKey = ResultCode(rawValue: SQLITE_CONSTRAINT | (3 << 8))
    public static let constraintCheck = ResultCode(rawValue: SQLITE_CONSTRAINT | (1 << 8))
    public static let busySnapshot = ResultCode(rawValue: SQLITE_BUSY | (2 << 8))
}
