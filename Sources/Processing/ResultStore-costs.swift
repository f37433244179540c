import Billing
import Foundation
import SQLite
import Telemetry

/// The statements that write a session's cost: its columns on `sessions` and its `session_costs` lines.
struct CostStatements {
    let update: Statement
    let deleteLines: Statement
    let insertLine: Statement
    let frozen: Statement

    init(_ database: Database) throws(SQLiteError) {
        update = try database.prepare("""
            UPDATE sessions SET tariff_id = ?, currency = ?, cost_energy = ?, cost_time = ?, cost_parking = ?,
                cost_flat = ?, cost_excl_vat = ?, vat = ?, cost_total = ?, cost_status = ?, cost_error = ?, power_w = ?,
                time_to_full_s = ?, cost_breakdown = ?
            WHERE id = ?
            """)
        deleteLines = try database.prepare("DELETE FROM session_costs WHERE session_id = ?")
        insertLine = try database.prepare("""
            INSERT INTO session_costs (session_id, line, period, period_start, period_end, state, dimension, element,
                price, vat_rate, measured_volume, step_volume, unit, amount)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        frozen = try database.prepare(
            "SELECT 1 FROM sessions WHERE id = ? AND cost_status IS NOT NULL AND (state = 'finalized' OR ?)")
    }
}

extension ResultStore {
    /// True when the session was written finalized with a cost: it is never priced again (later data only
    /// amends it, docs/sessions.md). With `anyPriced`, true for any session written with a cost.
    func costIsFrozen(session id: String, anyPriced: Bool = false) throws(SQLiteError) -> Bool {
        try costs.frozen.bind(id, at: 1)
        try costs.frozen.bind(anyPriced, at: 2)
        defer { costs.frozen.reset() }
        return try costs.frozen.step()
    }

    /// Writes a session's cost columns and replaces its lines (inside the caller's transaction).
    func writeCost(_ cost: SessionCost, session id: String) throws {
        var values: [SQLiteValue] = Array(repeating: .null, count: 9)
        var document: SQLiteValue = .null
        if let b = cost.breakdown {
            let money = b.currency.text
            values = [.text(b.tariffId), .text(b.currency.code), .text(money(b.costEnergy)), .text(money(b.costTime)),
                      .text(money(b.costParking)), .text(money(b.costFlat)), .text(money(b.totalExclVAT)),
                      .text(money(b.totalVAT)), .text(money(b.totalInclVAT))]
            document = .text(String(decoding: try encoder.encode(CostBreakdownDocument(b)), as: UTF8.self))
        }
        let power: SQLiteValue = cost.powerW.flatMap { $0.isFinite ? .real($0) : nil } ?? .null
        let timeToFull: SQLiteValue = cost.timeToFullS.flatMap { $0.isFinite ? .real($0) : nil } ?? .null
        try costs.update.run(values + [.text(cost.status.rawValue), cost.error.map { .text($0) } ?? .null, power,
                                       timeToFull, document, .text(id)])
        try costs.deleteLines.run([.text(id)])
        guard let b = cost.breakdown else { return }
        for (index, line) in b.lines.enumerated() {
            let period = b.periods[line.period]
            try costs.insertLine.run([
                .text(id), .integer(Int64(index)), .integer(Int64(line.period)), .text(Timestamp.format(period.start)),
                .text(Timestamp.format(period.end)), .text(period.state.columnText), .text(line.dimension.rawValue),
                line.element.map { .integer(Int64($0)) } ?? .null, .text(Money.text(line.price)),
                .text(Money.text(line.vatRate)), .text(Money.text(line.measuredVolume)), .text(Money.text(line.stepVolume)),
                .text(line.dimension.unit), .text(Money.text(line.amount)),
            ])
        }
    }
}
