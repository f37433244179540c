import Foundation

/// One golden CSV file of a scenario and the result table it is compared with.
///
/// The key columns identify a row and must be in the file's header; the other columns are compared only when the
/// header has them, so a golden says exactly as much as its author knows. Empty fields mean NULL (an open session's
/// `ended_at`, an unresolved anomaly's `resolved_at`). docs/fixture-format.md, "Golden results", has the sets.
struct GoldenTable {
    /// How a column's expected and actual values are compared.
    enum Comparison {
        /// The same text (times are compared exactly, as the database writes them).
        case exact
        /// Numbers within this absolute tolerance.
        case number(tolerance: Double)
    }

    struct Column {
        var name: String
        var isKey: Bool
        var comparison: Comparison
    }

    /// The file name in the scenario directory, and the table's name in the report.
    var file: String
    var name: String
    var columns: [Column]
    /// Selects `columns` in order from `wattline.db`.
    var query: String
    /// Whether the file must exist.
    var required: Bool

    var keyColumns: [String] { columns.filter(\.isKey).map(\.name) }

    static let sessions = GoldenTable(
        file: "sessions.csv", name: "sessions",
        columns: [key("charger"), key("evse"), key("started_at"), exact("ended_at"),
                  Column(name: "energy_wh", isKey: false, comparison: .number(tolerance: 0.1)),
                  exact("end_reason"), exact("cost_total")],
        query: "SELECT charger, evse, started_at, ended_at, energy_wh, end_reason, cost_total FROM sessions",
        required: true)

    static let anomalies = GoldenTable(
        file: "anomalies.csv", name: "anomalies",
        columns: [key("kind"), key("charger"), key("connector"), key("started_at"), exact("resolved_at")],
        query: "SELECT kind, charger, connector, started_at, resolved_at FROM anomalies",
        required: true)

    static let costs = GoldenTable(
        file: "costs.csv", name: "costs",
        columns: [key("charger"), key("evse"), key("started_at"), exact("currency"), exact("cost_excl_vat"),
                  exact("vat"), exact("cost_total")],
        query: "SELECT charger, evse, started_at, currency, cost_excl_vat, vat, cost_total FROM sessions WHERE cost_total IS NOT NULL",
        required: false)

    private static func key(_ name: String) -> Column { Column(name: name, isKey: true, comparison: .exact) }
    private static func exact(_ name: String) -> Column { Column(name: name, isKey: false, comparison: .exact) }

    /// The rows of the golden file: column name → text, with the file's line number. Only the header's columns.
    func readGolden(in directory: String) throws(ExpectationError) -> (header: [String], rows: [(line: Int, fields: [String: String])])? {
        let path = directory + "/" + file
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw .missingGolden(path: path) }
            return nil
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var header: [String]?
        var rows: [(line: Int, fields: [String: String])] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let names = header else {
                let known = columns.map(\.name)
                if let unknown = fields.first(where: { !known.contains($0) }) {
                    throw .unknownColumn(path: path, column: unknown, known: known)
                }
                let missing = keyColumns.filter { !fields.contains($0) }
                if !missing.isEmpty { throw .missingColumns(path: path, missing) }
                header = fields
                continue
            }
            guard fields.count == names.count else {
                throw .wrongFieldCount(path: path, line: index + 1, expected: names.count, found: fields.count)
            }
            for (name, value) in zip(names, fields) where !value.isEmpty {
                if case .number = comparison(of: name), Double(value) == nil {
                    throw .notANumber(path: path, line: index + 1, column: name, text: value)
                }
            }
            rows.append((index + 1, Dictionary(uniqueKeysWithValues: zip(names, fields))))
        }
        guard let header else { throw .noHeader(path: path) }
        return (header, rows)
    }

    func comparison(of column: String) -> Comparison {
        columns.first { $0.name == column }?.comparison ?? .exact
    }

    /// Whether `expected` and `actual` (empty: NULL) agree for `column`.
    func agree(_ column: String, expected: String, actual: String) -> Bool {
        switch comparison(of: column) {
        case .exact:
            return expected == actual
        case .number(let tolerance):
            guard let want = Double(expected), let got = Double(actual) else { return expected == actual }
            return abs(want - got) <= tolerance
        }
    }
}
