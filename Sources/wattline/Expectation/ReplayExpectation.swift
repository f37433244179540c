import ArgumentParser
import SQLite

/// `replay --expect DIR`: the results in `wattline.db` against a scenario's golden CSV files, as a readable list of
/// missing, unexpected and different rows, field by field.
struct ReplayExpectation {
    /// One difference between the goldens and the results.
    enum Difference: CustomStringConvertible {
        case missing(table: String, key: String, line: Int, fields: String)
        case unexpected(table: String, key: String, fields: String)
        case different(table: String, key: String, line: Int, fields: [(column: String, expected: String, actual: String)])

        var description: String {
            switch self {
            case .missing(let table, let key, let line, let fields):
                "\(table): missing     \(key) (golden line \(line)): \(fields)"
            case .unexpected(let table, let key, let fields):
                "\(table): unexpected  \(key): \(fields)"
            case .different(let table, let key, let line, let fields):
                "\(table): different   \(key) (golden line \(line)): "
                    + fields.map { "\($0.column) expected \(Self.shown($0.expected)), got \(Self.shown($0.actual))" }
                        .joined(separator: "; ")
            }
        }

        static func shown(_ value: String) -> String { value.isEmpty ? "(none)" : value }
    }

    let directory: String
    let tables: [GoldenTable] = [.sessions, .anomalies, .costs]

    /// Every difference, table by table (sessions, anomalies, costs), in golden order then result order.
    func differences(database path: String) throws(ExpectationError) -> [Difference] {
        let database: Database
        do {
            database = try Database(path: path)
        } catch {
            throw .database(path: path, reason: "\(error)")
        }
        defer { database.close() }
        var differences: [Difference] = []
        for table in tables {
            guard let golden = try table.readGolden(in: directory) else { continue }
            let actual = try Self.rows(of: table, in: database, path: path)
            differences += Self.compare(table, golden: golden, actual: actual)
        }
        return differences
    }

    private static func rows(of table: GoldenTable, in database: Database, path: String) throws(ExpectationError) -> [[String: String]] {
        do {
            let statement = try database.prepare(table.query)
            var rows: [[String: String]] = []
            while try statement.step() {
                var row: [String: String] = [:]
                for (index, column) in table.columns.enumerated() {
                    row[column.name] = statement.isNull(at: index) ? "" : statement.text(at: index)
                }
                rows.append(row)
            }
            return rows
        } catch {
            throw .database(path: path, reason: "\(error)")
        }
    }

    private static func compare(_ table: GoldenTable, golden: (header: [String], rows: [(line: Int, fields: [String: String])]),
                                actual: [[String: String]]) -> [Difference] {
        let keys = table.keyColumns
        let compared = golden.header.filter { !keys.contains($0) }
        func key(_ row: [String: String]) -> String {
            keys.map { "\($0)=\(row[$0].map { $0.isEmpty ? "(none)" : $0 } ?? "(none)")" }.joined(separator: " ")
        }
        func fields(_ row: [String: String]) -> String {
            compared.map { "\($0)=\(Difference.shown(row[$0] ?? ""))" }.joined(separator: ", ")
        }
        var remaining: [String: [[String: String]]] = [:]
        for row in actual { remaining[key(row), default: []].append(row) }
        var differences: [Difference] = []
        for (line, expected) in golden.rows {
            let rowKey = key(expected)
            guard var candidates = remaining[rowKey], !candidates.isEmpty else {
                differences.append(.missing(table: table.name, key: rowKey, line: line, fields: fields(expected)))
                continue
            }
            // Rows sharing a key: the one that agrees best.
            let mismatches = candidates.map { row in
                compared.compactMap { column -> (column: String, expected: String, actual: String)? in
                    let want = expected[column] ?? "", got = row[column] ?? ""
                    return table.agree(column, expected: want, actual: got) ? nil : (column, want, got)
                }
            }
            let best = mismatches.indices.min { mismatches[$0].count < mismatches[$1].count } ?? 0
            if !mismatches[best].isEmpty {
                differences.append(.different(table: table.name, key: rowKey, line: line, fields: mismatches[best]))
            }
            candidates.remove(at: best)
            remaining[rowKey] = candidates
        }
        for row in actual where remaining[key(row)]?.isEmpty == false {
            let rowKey = key(row)
            remaining[rowKey]?.removeFirst()
            differences.append(.unexpected(table: table.name, key: rowKey, fields: fields(row)))
        }
        return differences
    }

    /// Compares and prints the outcome to standard error; returns whether the results match.
    func check(database path: String) throws(ExpectationError) -> Bool {
        let differences = try differences(database: path)
        if differences.isEmpty {
            printError("wattline replay --expect \(directory): the results match the goldens")
            return true
        }
        printError("wattline replay --expect \(directory): \(differences.count) difference(s)")
        for difference in differences { printError("  \(difference)") }
        return false
    }
}

extension ReplayCommand {
    /// `--expect DIR`: exit 3 when the results differ from the goldens, 1 when they cannot be compared.
    func checkExpectation(_ directory: String, dataDirectory: String) throws {
        do {
            guard try ReplayExpectation(directory: directory).check(database: dataDirectory + "/wattline.db") else {
                throw ExitCode(3)
            }
        } catch let error as ExpectationError {
            printError("wattline replay --expect: \(error)")
            throw ExitCode(1)
        }
    }
}
