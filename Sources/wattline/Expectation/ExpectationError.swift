/// Why `replay --expect DIR` could not compare: each case names the file (and line) and what was expected.
enum ExpectationError: Error, CustomStringConvertible {
    case missingGolden(path: String)
    case unreadable(path: String, reason: String)
    case noHeader(path: String)
    case missingColumns(path: String, [String])
    case unknownColumn(path: String, column: String, known: [String])
    case wrongFieldCount(path: String, line: Int, expected: Int, found: Int)
    case notANumber(path: String, line: Int, column: String, text: String)
    case database(path: String, reason: String)

    var description: String {
        switch self {
        case .missingGolden(let path):
            "\(path): no such golden file (a scenario needs sessions.csv and anomalies.csv; a header line alone means none expected)"
        case .unreadable(let path, let reason):
            "\(path): cannot be read: \(reason)"
        case .noHeader(let path):
            "\(path): no header line (the first line that is not a # comment names the columns)"
        case .missingColumns(let path, let columns):
            "\(path): the header lacks the key column(s) \(columns.joined(separator: ", "))"
        case .unknownColumn(let path, let column, let known):
            "\(path): unknown column '\(column)'; the columns are \(known.joined(separator: ", "))"
        case .wrongFieldCount(let path, let line, let expected, let found):
            "\(path):\(line): \(found) fields, the header has \(expected)"
        case .notANumber(let path, let line, let column, let text):
            "\(path):\(line): \(column) must be a number, found '\(text)'"
        case .database(let path, let reason):
            "\(path): \(reason) (did the replay write to this data directory?)"
        }
    }
}
