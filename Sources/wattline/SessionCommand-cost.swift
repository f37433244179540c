import Processing

extension SessionCommand {
    /// The session's cost explained: each charging period with the lines priced in it (price × volume), the
    /// amount per dimension and VAT rate (rounded once), VAT per rate, the min/max price bound and the totals.
    static func cost(_ session: SessionRow) -> [String] {
        let row = session.row
        switch session.costStatus {
        case nil: return ["cost: not priced"]
        case "no_tariff": return ["cost: no tariff applies to this session"]
        case "failed": return ["cost: pricing failed: \(TableText.escaped(row.text("cost_error") ?? "no reason recorded"))"]
        default: break
        }
        guard let b = session.costBreakdown else { return ["cost: \(session.costText) (no breakdown stored)"] }
        let running = session.costStatus == "running"
        var lines = ["cost \(running ? "so far " : "")(tariff \(TableText.escaped(b.tariffId)), \(b.currency)):"]
        for (index, period) in b.periods.enumerated() {
            lines.append("  period \(index + 1)  \(period.start) → \(period.end)  \(period.state), "
                + "\(period.energyWh) Wh" + (period.idleFee ? ", idle fee" : ""))
            for line in b.lines where line.period == index {
                let volume = Self.volume(line.measuredVolume, unit: line.unit)
                let step = line.stepVolume == "0" ? "" : " + \(Self.volume(line.stepVolume, unit: line.unit)) step"
                let element = line.element.map { "element \($0)" } ?? "idle fee"
                lines.append("    \(line.dimension.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                    + "\(volume)\(step) × \(line.price) \(b.currency)/\(Self.priceUnit(line.dimension)) "
                    + "(\(element), VAT \(line.vatRate) %)")
            }
        }
        for d in b.dimensions {
            let cap = d.capReduction.allSatisfy({ "0.".contains($0) }) ? "" : ", cap −\(d.capReduction)"
            lines.append("  \(d.dimension.padding(toLength: 9, withPad: " ", startingAt: 0)) \(d.amount) "
                + "(exact \(d.exactAmount), rounded half-up once\(cap); VAT \(d.vatRate) %)")
        }
        for v in b.vat { lines.append("  VAT \(v.rate) % on \(v.base) = \(v.vat)") }
        lines.append("  subtotal  \(b.subtotalExclVAT) excl. VAT + \(b.subtotalVAT) VAT")
        if let a = b.adjustment {
            lines.append("  \(a.bound) price: \(a.exclVAT) excl. VAT, \(a.vat) VAT")
        }
        lines.append("  total     \(b.totalExclVAT) excl. VAT + \(b.totalVAT) VAT = \(b.totalInclVAT) \(b.currency)")
        return lines
    }

    /// A line's volume as people read it: Wh and sessions as stored, milliseconds as a duration (`5m00s`).
    static func volume(_ text: String, unit: String) -> String {
        guard unit == "ms", let ms = Double(text) else { return "\(text) \(unit)" }
        return ResultText.duration(ms / 1000)
    }

    /// What a dimension's price is per.
    static func priceUnit(_ dimension: String) -> String {
        switch dimension {
        case "energy": "kWh"
        case "flat": "session"
        default: "h"
        }
    }
}
