import ArgumentParser
import Processing
import SQLite

/// How the result commands (`sessions`, `anomalies`, `load`) print rows: an aligned table for people, or CSV / a
/// JSON array with every stored column for tools.
enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// A text table: a header, then one line per row, columns padded to their widest cell (numbers right-aligned),
/// two spaces apart. Control characters in cells are escaped, so an identifier can never break a line.
struct TableText {
    struct Column {
        var title: String
        var rightAligned = false
    }

    var columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count, "\(cells.count) cells for \(columns.count) columns")
        rows.append(cells.map(Self.escaped))
    }

    var lines: [String] {
        var widths = columns.map(\.title.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                let last = index == cells.count - 1
                if index > 0 { text += "  " }
                text += columns[index].rightAligned ? padding + cell : (last ? cell : cell + padding)
            }
            return text
        }
        return [line(columns.map(\.title))] + rows.map(line)
    }

    /// `\n`, `\t`, other control characters and DEL as escapes (`\n`, `\u{1b}`).
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                out += isControl(scalar) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// Text for result values: stored rows as CSV and JSON, and the rounded figures tables show.
enum ResultText {
    /// The header line: the column names.
    static func csvHeader(_ columns: ResultColumns) -> String {
        columns.names.map(SampleText.csvField).joined(separator: ",")
    }

    /// One row: text quoted when needed, numbers as the shortest decimal that reads back the same, NULL empty.
    static func csvLine(_ row: ResultRow) -> String {
        row.values.map { value in
            switch value {
            case .integer(let integer): String(integer)
            case .real(let real): SampleText.csvValue(real)
            case .text(let text): SampleText.csvField(text)
            case .blob(let bytes): hex(bytes)
            case .null: ""
            }
        }.joined(separator: ",")
    }

    /// One row as a JSON object keyed by column name (as `sqlite3 -json` prints it).
    static func jsonObject(_ row: ResultRow) -> String {
        var text = "{"
        for (index, name) in row.columns.names.enumerated() {
            if index > 0 { text += "," }
            text += SampleText.jsonString(name) + ":"
            switch row.values[index] {
            case .integer(let integer): text += String(integer)
            case .real(let real): text += SampleText.jsonValue(real)
            case .text(let value): text += SampleText.jsonString(value)
            case .blob(let bytes): text += SampleText.jsonString(hex(bytes))
            case .null: text += "null"
            }
        }
        return text + "}"
    }

    /// Writes rows as CSV (header included, even with no rows) or as a JSON array, one object per line.
    static func write(_ rows: [ResultRow], columns: ResultColumns?, format: ResultFormat, to out: inout StandardOutput) {
        switch format {
        case .csv:
            if let columns { out.write(csvHeader(columns)) }
            for row in rows { out.write(csvLine(row)) }
        case .json:
            out.write("[")
            for (index, row) in rows.enumerated() { out.write(jsonObject(row) + (index < rows.count - 1 ? "," : "")) }
            out.write("]")
        case .table:
            preconditionFailure("tables are built per command")
        }
    }

    /// `value` rounded to `digits` decimals, without exponent: `fixed(7.25, 1)` is `7.3`; nil prints `-`.
    static func fixed(_ value: Double?, _ digits: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return SampleText.numberText(value) }
        let units = UInt64(scaled)
        let whole = units / UInt64(scale)
        let sign = value < 0 && units > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let fraction = String(units % UInt64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// W as kW with one decimal.
    static func kilowatts(_ watts: Double?) -> String { fixed(watts.map { $0 / 1000 }, 1) }

    /// Wh as kWh with two decimals.
    static func kilowattHours(_ wattHours: Double?) -> String { fixed(wattHours.map { $0 / 1000 }, 2) }

    /// Seconds as `45s`, `12m30s`, `1h05m`, `2d03h`.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-" }
        let total = Int(seconds.rounded())
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(two(total % 60))s" }
        if total < 86_400 { return "\(total / 3600)h\(two(total / 60 % 60))m" }
        return "\(total / 86_400)d\(two(total / 3600 % 24))h"
    }

    /// Stored ISO time shortened for a table: `2026-11-21T08:00:00.000Z` → `2026-11-21 08:00:00` (UTC).
    static func time(_ iso: String?) -> String {
        guard let iso, !iso.isEmpty else { return "-" }
        var text = iso.replacingOccurrences(of: "T", with: " ")
        if text.hasSuffix(".000Z") { text.removeLast(5) } else if text.hasSuffix("Z") { text.removeLast() }
        return text
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension ArchiveOptions {
    /// The results database of the data directory (`DATA/wattline.db`), read-only. A missing database (or one
    /// without result tables) prints "no results yet" and exits 1.
    func openResults(command: String) throws -> ResultQueries {
        let chunks = try chunkDirectory()
        let directory = String(chunks.dropLast("/chunks".count))
        do {
            return try ResultQueries(dataDirectory: directory)
        } catch {
            throw resultFailure(error, command: command, directory: directory)
        }
    }

    /// Prints why reading results failed and returns the exit status to throw.
    func resultFailure(_ error: ResultQueryError, command: String, directory: String? = nil) -> ExitCode {
        switch error {
        case .noResults(let path):
            let directory = directory ?? String(path.dropLast(ResultQueries.fileName.count + 1))
            printError("wattline \(command): no results yet in \(directory): run `wattline run` first")
        case .sqlite(let failure):
            printError("wattline \(command): \(failure)")
        }
        return ExitCode(1)
    }
}
