import Foundation
import SQLite
import Telemetry

/// Read-only queries over `DATA/wattline.db` (docs/sqlite-schema.md): the sessions, anomalies and load intervals
/// the processors stage wrote. What `wattline sessions`, `session`, `anomalies` and `load` print.
///
/// The connection is opened read-only, so a running pipeline keeps writing while it reads (WAL). Every user value
/// reaches SQLite as a bound parameter; only column names taken from the schema itself are spliced into the SQL.
/// Times in filters are ms UTC, compared with the stored ISO-8601 text (which sorts as time). Not `Sendable`:
/// one owner, like the `Database` it holds.
public final class ResultQueries {
    /// The database's file name inside a data directory.
    public static let fileName = "wattline.db"

    /// The database file read.
    public let path: String
    private let database: Database
    /// Column lists per table, read once from the schema.
    private var columnCache: [String: ResultColumns] = [:]

    /// Opens `DATA/wattline.db` read-only.
    public convenience init(dataDirectory: String) throws(ResultQueryError) {
        try self.init(path: dataDirectory + "/" + Self.fileName)
    }

    /// Opens a results database read-only. Throws ``ResultQueryError/noResults(path:)`` when the file is missing.
    public init(path: String) throws(ResultQueryError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .noResults(path: path) }
        self.path = path
        do {
            database = try Database(path: path, configuration: Database.Configuration(access: .readOnly))
        } catch {
            throw .sqlite(error)
        }
    }

    // MARK: - Sessions

    /// Sessions matching `filter`, every column but `record`, ordered by `started_at` (then id).
    public func sessions(_ filter: SessionFilter = SessionFilter()) throws(ResultQueryError) -> [SessionRow] {
        var query = WhereClause()
        query.equal("site", filter.site)
        query.equal("charger", filter.charger)
        query.range("started_at", from: filter.from, to: filter.to)
        if filter.openOnly { query.add("state = 'open'") }
        if filter.amendedOnly { query.add("amended > 0") }
        let direction = filter.order == .newestFirst ? "DESC" : "ASC"
        return try rows(table: ResultTable.sessions.rawValue, excluding: ["record"], query, orderBy: "started_at \(direction), id \(direction)")
            .map(SessionRow.init)
    }

    /// One session by its id (exact), with its record JSON; nil when there is no such session.
    public func session(id: String) throws(ResultQueryError) -> SessionDetail? {
        var query = WhereClause()
        query.equal("id", id)
        guard let row = try rows(table: ResultTable.sessions.rawValue, excluding: [], query, orderBy: "id").first else { return nil }
        let record = row.text("record") ?? ""
        let names = row.columns.names
        let kept = names.indices.filter { names[$0] != "record" }
        let summary = ResultRow(columns: ResultColumns(kept.map { names[$0] }), values: kept.map { row.values[$0] })
        return SessionDetail(session: SessionRow(summary), record: record, curve: SessionCurve(recordJSON: record))
    }

    // MARK: - Anomalies

    /// Anomalies matching `filter`, ordered by `started_at` (newest first by default, then id).
    public func anomalies(_ filter: AnomalyFilter = AnomalyFilter()) throws(ResultQueryError) -> [AnomalyRow] {
        var query = WhereClause()
        query.equal("kind", filter.kind)
        query.equal("site", filter.site)
        query.equal("charger", filter.charger)
        query.range("started_at", from: filter.from, to: filter.to)
        if filter.openOnly { query.add("resolved_at IS NULL") }
        let direction = filter.order == .newestFirst ? "DESC" : "ASC"
        return try rows(table: ResultTable.anomalies.rawValue, excluding: [], query, orderBy: "started_at \(direction), id \(direction)")
            .map(AnomalyRow.init)
    }

    // MARK: - Load intervals

    /// One site's intervals of one level whose `start` lies in `[from, to)`, oldest first (then charger, EVSE,
    /// connector).
    public func loadIntervals(_ filter: LoadFilter) throws(ResultQueryError) -> [LoadRow] {
        var query = WhereClause()
        query.equal("level", filter.level.rawValue)
        query.equal("site", filter.site)
        query.equal("charger", filter.charger)
        query.range("start", from: filter.from, to: filter.to)
        return try rows(table: ResultTable.loadIntervals.rawValue, excluding: [], query, orderBy: "start, charger, evse, connector")
            .map(LoadRow.init)
    }

    /// The columns the listing of `table` returns (for `sessions`, all but `record`), in schema order: a CSV
    /// header even when no row matches.
    public func columns(_ table: ResultTable) throws(ResultQueryError) -> ResultColumns {
        try columns(of: table.rawValue, excluding: table == .sessions ? ["record"] : [])
    }

    // MARK: - Private

    /// The table's columns in schema order, without `excluded`; `.noResults` when the table does not exist yet.
    private func columns(of table: String, excluding excluded: Set<String>) throws(ResultQueryError) -> ResultColumns {
        let all: ResultColumns
        if let cached = columnCache[table] {
            all = cached
        } else {
            do {
                let statement = try database.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                try statement.bind([.text(table)])
                var names: [String] = []
                while try statement.step() { names.append(statement.text(at: 0)) }
                all = ResultColumns(names)
            } catch {
                throw .sqlite(error)
            }
            guard !all.names.isEmpty else { throw .noResults(path: path) }
            columnCache[table] = all
        }
        return excluded.isEmpty ? all : ResultColumns(all.names.filter { !excluded.contains($0) })
    }

    private func rows(table: String, excluding excluded: Set<String>, _ query: WhereClause,
                      orderBy order: String) throws(ResultQueryError) -> [ResultRow] {
        let columns = try columns(of: table, excluding: excluded)
        let list = columns.names.map(Self.identifier).joined(separator: ", ")
        let sql = "SELECT \(list) FROM \(Self.identifier(table))\(query.sql) ORDER BY \(order)"
        do {
            let statement = try database.prepare(sql)
            try statement.bind(query.values)
            var rows: [ResultRow] = []
            while try statement.step() { rows.append(ResultRow(columns: columns, values: statement.row)) }
            return rows
        } catch {
            throw .sqlite(error)
        }
    }

    /// `"name"`, with embedded quotes doubled.
    private static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Why the results database could not be read.
public enum ResultQueryError: Error, Sendable, CustomStringConvertible {
    /// `DATA/wattline.db` does not exist, or the processors have not created their tables in it yet.
    case noResults(path: String)
    /// SQLite failed (not a database, I/O error, ...).
    case sqlite(SQLiteError)

    public var description: String {
        switch self {
        case .noResults(let path): "no results yet in \(path)"
        case .sqlite(let error): error.description
        }
    }
}

/// The tables ``ResultQueries`` reads.
public enum ResultTable: String, Sendable, CaseIterable {
    case sessions, anomalies
    case loadIntervals = "load_intervals"
}

/// Which rows come first.
public enum ResultOrder: Sendable, Equatable {
    case newestFirst, oldestFirst
}

/// What ``ResultQueries/sessions(_:)`` returns. Nil fields do not filter; times are ms UTC.
public struct SessionFilter: Sendable, Equatable {
    public var site: String?
    public var charger: String?
    /// `started_at >= from`.
    public var from: Int64?
    /// `started_at < to`.
    public var to: Int64?
    /// Only sessions in state `open`.
    public var openOnly: Bool
    /// Only sessions with `amended > 0`.
    public var amendedOnly: Bool
    public var order: ResultOrder

    public init(site: String? = nil, charger: String? = nil, from: Int64? = nil, to: Int64? = nil,
                openOnly: Bool = false, amendedOnly: Bool = false, order: ResultOrder = .newestFirst) {
        self.site = site
        self.charger = charger
        self.from = from
        self.to = to
        self.openOnly = openOnly
        self.amendedOnly = amendedOnly
        self.order = order
    }
}

/// What ``ResultQueries/anomalies(_:)`` returns. Nil fields do not filter; times are ms UTC on `started_at`.
public struct AnomalyFilter: Sendable, Equatable {
    /// The rule name (`fault`, `meter_stuck`, ...).
    public var kind: String?
    public var site: String?
    public var charger: String?
    public var from: Int64?
    public var to: Int64?
    /// Only anomalies without `resolved_at`.
    public var openOnly: Bool
    public var order: ResultOrder

    public init(kind: String? = nil, site: String? = nil, charger: String? = nil, from: Int64? = nil, to: Int64? = nil,
                openOnly: Bool = false, order: ResultOrder = .newestFirst) {
        self.kind = kind
        self.site = site
        self.charger = charger
        self.from = from
        self.to = to
        self.openOnly = openOnly
        self.order = order
    }
}

/// The `level` column of `load_intervals`.
public enum LoadLevel: String, Sendable, CaseIterable {
    case site, charger, connector
    case mainMeter = "main_meter"
}

/// What ``ResultQueries/loadIntervals(_:)`` returns: one site, one level, intervals starting in `[from, to)`.
public struct LoadFilter: Sendable, Equatable {
    public var site: String
    public var level: LoadLevel
    /// Only this charger (levels other than `site`).
    public var charger: String?
    public var from: Int64
    public var to: Int64

    public init(site: String, level: LoadLevel = .site, charger: String? = nil, from: Int64, to: Int64) {
        self.site = site
        self.level = level
        self.charger = charger
        self.from = from
        self.to = to
    }
}

/// The column names of a query's rows, shared by all of them.
public struct ResultColumns: Sendable, Equatable {
    public let names: [String]
    private let index: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (offset, name) in names.enumerated() where index[name] == nil { index[name] = offset }
        self.index = index
    }

    /// The position of a column, nil when the query has none of that name.
    public func position(of name: String) -> Int? { index[name] }
}

/// One row as stored: every selected column's value, in the order of ``columns``.
public struct ResultRow: Sendable, Equatable {
    public let columns: ResultColumns
    public let values: [SQLiteValue]

    public init(columns: ResultColumns, values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The column's value; `.null` when it is NULL or there is no such column.
    public subscript(column: String) -> SQLiteValue {
        columns.position(of: column).map { values[$0] } ?? .null
    }

    /// Text as stored; integers and reals as their decimal text; nil for NULL.
    public func text(_ column: String) -> String? {
        switch self[column] {
        case .text(let text): text
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .blob, .null: nil
        }
    }

    /// A number (text is not converted); nil for NULL.
    public func double(_ column: String) -> Double? {
        switch self[column] {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }

    /// An integer (a real is truncated); nil for NULL.
    public func integer(_ column: String) -> Int? {
        switch self[column] {
        case .integer(let value): Int(value)
        case .real(let value) where value.isFinite: Int(value)
        default: nil
        }
    }
}

/// A `sessions` row (without `record`), with typed access to the figures a listing shows.
public struct SessionRow: Sendable, Equatable {
    public let row: ResultRow
    public init(_ row: ResultRow) { self.row = row }

    public var id: String { row.text("id") ?? "" }
    public var site: String { row.text("site") ?? "" }
    public var charger: String { row.text("charger") ?? "" }
    public var evse: Int { row.integer("evse") ?? 0 }
    public var connector: Int { row.integer("connector") ?? 0 }
    /// `open`, `closed` or `finalized`.
    public var state: String { row.text("state") ?? "" }
    /// ISO-8601 text, as stored.
    public var startedAt: String { row.text("started_at") ?? "" }
    public var endedAt: String? { row.text("ended_at") }
    public var energyWh: Double? { row.double("energy_wh") }
    public var chargingSeconds: Double { row.double("charging_s") ?? 0 }
    public var idleSeconds: Double { row.double("idle_s") ?? 0 }
    public var peakPowerW: Double? { row.double("peak_power_w") }
    /// The charger's stop reason.
    public var stopReason: String? { row.text("stop_reason") }
    /// Why Wattline closed the session.
    public var endReason: String? { row.text("end_reason") }
    public var amended: Int { row.integer("amended") ?? 0 }
    /// `running`, `priced`, `no_tariff` or `failed`; nil for rows written before sessions were priced.
    public var costStatus: String? { row.text("cost_status") }
    /// Exact decimal text (`"12.34"`), incl. VAT.
    public var costTotal: String? { row.text("cost_total") }
    public var currency: String? { row.text("currency") }
    public var powerW: Double? { row.double("power_w") }
    public var socEnd: Double? { row.double("soc_end") }
    public var timeToFullSeconds: Double? { row.double("time_to_full_s") }
    /// The `cost_breakdown` JSON decoded; nil when the session has none.
    public var costBreakdown: CostBreakdownDocument? {
        guard let text = row.text("cost_breakdown") else { return nil }
        return try? JSONDecoder().decode(CostBreakdownDocument.self, from: Data(text.utf8))
    }

    /// The cost as a listing shows it: `3.19 EUR`, or why there is none (`no tariff`, `failed`, `-`).
    public var costText: String {
        switch costStatus {
        case "running", "priced": "\(costTotal ?? "?") \(currency ?? "")"
        case "no_tariff": "no tariff"
        case "failed": "failed"
        default: "-"
        }
    }
}

/// One session: its row, the record JSON as stored, and the power curve read from it.
public struct SessionDetail: Sendable, Equatable {
    public let session: SessionRow
    /// The `record` column verbatim (a `SessionRecord` as JSON).
    public let record: String
    /// The record's power curve; nil when the record holds none that can be read.
    public let curve: SessionCurve?
}

/// A session's power curve: one point per step (default one minute) with samples.
public struct SessionCurve: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        /// Start of the step, ms UTC.
        public var t: Int64
        public var averageW: Double
        public var maxW: Double
        public var samples: Int
        /// The last state of charge reported in the step, %.
        public var soc: Double?

        public init(t: Int64, averageW: Double, maxW: Double, samples: Int, soc: Double?) {
            self.t = t
            self.averageW = averageW
            self.maxW = maxW
            self.samples = samples
            self.soc = soc
        }
    }

    public var stepMs: Int64
    public var points: [Point]

    public init(stepMs: Int64, points: [Point]) {
        self.stepMs = stepMs
        self.points = points
    }

    /// Reads `curve` out of a session record's JSON: by column (`stepMs`, and arrays `t`, `averageW`, `maxW`,
    /// `samples`, `soc`), or the earlier `points` list of objects (snake_case keys are read as well). Nil when the
    /// text is not a record with a curve.
    public init?(recordJSON: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(recordJSON.utf8)) as? [String: Any],
              let curve = object["curve"] as? [String: Any],
              let step = Self.number(curve, "stepMs", "step_ms")
        else { return nil }
        if let times = curve["t"] as? [Any] {
            let column = { (key: String) -> [Any] in curve[key] as? [Any] ?? [] }
            let average = column("averageW"), max = column("maxW"), samples = column("samples"), soc = column("soc")
            guard average.count == times.count else { return nil }
            let value = { (array: [Any], k: Int) -> Double? in
                k < array.count ? (array[k] as? NSNumber).map(\.doubleValue).flatMap { $0.isFinite ? $0 : nil } : nil
            }
            var parsed: [Point] = []
            parsed.reserveCapacity(times.count)
            for k in times.indices {
                guard let t = value(times, k), let a = value(average, k) else { return nil }
                parsed.append(Point(t: Int64(t), averageW: a, maxW: value(max, k) ?? a,
                                    samples: Int(value(samples, k) ?? 0), soc: value(soc, k)))
            }
            self.init(stepMs: Int64(step), points: parsed)
            return
        }
        guard let points = curve["points"] as? [[String: Any]] else { return nil }
        var parsed: [Point] = []
        parsed.reserveCapacity(points.count)
        for point in points {
            guard let t = Self.number(point, "t"), let average = Self.number(point, "averageW", "average_w") else { return nil }
            parsed.append(Point(t: Int64(t), averageW: average, maxW: Self.number(point, "maxW", "max_w") ?? average,
                                samples: Int(Self.number(point, "samples") ?? 0), soc: Self.number(point, "soc")))
        }
        self.init(stepMs: Int64(step), points: parsed)
    }

    private static func number(_ object: [String: Any], _ keys: String...) -> Double? {
        for key in keys {
            if let value = (object[key] as? NSNumber)?.doubleValue, value.isFinite { return value }
        }
        return nil
    }
}

/// An `anomalies` row.
public struct AnomalyRow: Sendable, Equatable {
    public let row: ResultRow
    public init(_ row: ResultRow) { self.row = row }

    public var id: String { row.text("id") ?? "" }
    public var kind: String { row.text("kind") ?? "" }
    public var severity: String { row.text("severity") ?? "" }
    public var site: String? { row.text("site") }
    public var charger: String? { row.text("charger") }
    public var evse: Int? { row.integer("evse") }
    public var startedAt: String { row.text("started_at") ?? "" }
    /// Nil while open.
    public var resolvedAt: String? { row.text("resolved_at") }
    public var value: Double? { row.double("value") }
    public var unit: String { row.text("unit") ?? "" }
    public var count: Int { row.integer("count") ?? 0 }
    public var message: String { row.text("message") ?? "" }
}

/// A `load_intervals` row.
public struct LoadRow: Sendable, Equatable {
    public let row: ResultRow
    public init(_ row: ResultRow) { self.row = row }

    public var level: String { row.text("level") ?? "" }
    /// `''` for site rows.
    public var charger: String { row.text("charger") ?? "" }
    public var evse: Int { row.integer("evse") ?? 0 }
    public var connector: Int { row.integer("connector") ?? 0 }
    /// ISO-8601 text, as stored.
    public var start: String { row.text("start") ?? "" }
    public var averageW: Double? { row.double("average_w") }
    public var peakW: Double? { row.double("peak_w") }
    public var energyWh: Double? { row.double("energy_wh") }
    public var demandW: Double? { row.double("demand_w") }
}

/// A `WHERE` clause of fixed SQL fragments with `?` placeholders and the values bound to them.
private struct WhereClause {
    private var conditions: [String] = []
    private(set) var values: [SQLiteValue] = []

    mutating func add(_ condition: String, _ bound: SQLiteValue...) {
        conditions.append(condition)
        values += bound
    }

    mutating func equal(_ column: String, _ value: String?) {
        if let value { add("\(column) = ?", .text(value)) }
    }

    /// `column >= from AND column < to`, times as the stored ISO text.
    mutating func range(_ column: String, from: Int64?, to: Int64?) {
        if let from { add("\(column) >= ?", .text(Timestamp.format(from))) }
        if let to { add("\(column) < ?", .text(Timestamp.format(to))) }
    }

    var sql: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }
}
