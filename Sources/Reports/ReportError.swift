import Processing
import SQLite

/// Why a report could not be made: each case names the row or the argument and says what was expected.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A money column of a session held text that is not an exact decimal amount.
    case malformedAmount(session: String, column: String, text: String)
    /// A priced session lacks a figure a report needs (its currency, a total).
    case missingFigure(session: String, column: String)
    /// A stored time could not be read as ISO-8601.
    case malformedTime(table: String, id: String, column: String, text: String)
    /// `--by` named a grouping the command does not have.
    case unknownGrouping(String, expected: [String])
    /// `--tz` named no IANA time zone.
    case unknownTimeZone(String)
    /// The period is empty or reversed.
    case emptyPeriod(from: Int64, to: Int64)
    /// The results database could not be read.
    case results(String)
    /// The CDR ledger could not be read or written.
    case ledger(String)
    /// A stored CDR body is not the JSON the ledger wrote.
    case corruptLedger(id: String, reason: String)

    public var description: String {
        switch self {
        case .malformedAmount(let session, let column, let text):
            "session \(session): \(column) is '\(text)', expected an exact decimal amount such as 12.34"
        case .missingFigure(let session, let column):
            "session \(session) is priced but has no \(column)"
        case .malformedTime(let table, let id, let column, let text):
            "\(table) row \(id): \(column) is '\(text)', expected an ISO-8601 time such as 2026-11-21T08:00:00.000Z"
        case .unknownGrouping(let name, let expected):
            "unknown grouping '\(name)'; expected one of: \(expected.joined(separator: ", "))"
        case .unknownTimeZone(let name):
            "'\(name)' is not an IANA time zone such as Europe/Berlin"
        case .emptyPeriod:
            "the period is empty: --from must be before --to"
        case .results(let reason):
            reason
        case .ledger(let reason):
            "CDR ledger: \(reason)"
        case .corruptLedger(let id, let reason):
            "CDR ledger: stored CDR \(id) cannot be read (\(reason))"
        }
    }

    static func from(_ error: ResultQueryError) -> ReportError { .results(error.description) }
    static func from(_ error: SQLiteError) -> ReportError { .ledger(error.description) }
}
