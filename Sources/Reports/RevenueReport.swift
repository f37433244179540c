import Foundation

/// What `wattline revenue --by` groups sessions by.
public enum RevenueGrouping: String, Sendable, CaseIterable {
    case site, charger, evse, day, month, tariff

    /// The grouping named `text`; ``ReportError/unknownGrouping(_:expected:)`` otherwise.
    public static func named(_ text: String) throws(ReportError) -> RevenueGrouping {
        guard let grouping = RevenueGrouping(rawValue: text) else {
            throw .unknownGrouping(text, expected: allCases.map(\.rawValue))
        }
        return grouping
    }
}

/// Revenue in one currency: amounts of different currencies are never added together.
public struct CurrencyAmount: Sendable, Equatable {
    public var currency: String
    public var exclVAT: Decimal
    public var inclVAT: Decimal

    public init(currency: String, exclVAT: Decimal, inclVAT: Decimal) {
        self.currency = currency
        self.exclVAT = exclVAT
        self.inclVAT = inclVAT
    }
}

/// Money per currency, summed exactly (`Decimal`).
public struct CurrencyTotals: Sendable, Equatable {
    private var sums: [String: CurrencyAmount] = [:]

    public init() {}

    public mutating func add(_ price: ReportSession.Price) {
        add(CurrencyAmount(currency: price.currency, exclVAT: price.exclVAT, inclVAT: price.total))
    }

    public mutating func add(_ amount: CurrencyAmount) {
        var sum = sums[amount.currency] ?? CurrencyAmount(currency: amount.currency, exclVAT: 0, inclVAT: 0)
        sum.exclVAT += amount.exclVAT
        sum.inclVAT += amount.inclVAT
        sums[amount.currency] = sum
    }

    /// One amount per currency, by currency code.
    public var amounts: [CurrencyAmount] { sums.values.sorted { $0.currency < $1.currency } }
}

/// One line of a revenue report: a group's sessions and what they earned.
public struct RevenueRow: Sendable, Equatable {
    /// The site or charger id, `CHARGER/EVSE`, the local day (`2026-03-29`) or month (`2026-03`), or the tariff id
    /// (`(none)` for sessions without a price); `total` for the totals row.
    public var key: String
    public var sessions: Int = 0
    /// Sessions without a price (no tariff, failed, not priced yet): counted, but no revenue.
    public var unpriced: Int = 0
    public var energyWh: Double = 0
    public var revenue = CurrencyTotals()
    public var chargingSeconds: Double = 0
    public var idleSeconds: Double = 0
    /// EVSE-seconds available in the period (real time, per EVSE); nil where utilisation means nothing (tariffs).
    public var capacitySeconds: Double?

    public init(key: String) {
        self.key = key
    }

    /// Charging time over the EVSE time available, 0…1; nil without capacity.
    public var utilisation: Double? {
        guard let capacitySeconds, capacitySeconds > 0 else { return nil }
        return chargingSeconds / capacitySeconds
    }

    mutating func add(_ session: ReportSession) {
        sessions += 1
        energyWh += session.energyWh
        chargingSeconds += session.chargingSeconds
        idleSeconds += session.idleSeconds
        if let price = session.price, session.costStatus == "priced" { revenue.add(price) } else { unpriced += 1 }
    }
}

/// `wattline revenue`: sessions, energy, revenue per currency, charging and idle hours and utilisation per group,
/// and a totals row that is the exact sum of the sessions.
public struct RevenueReport: Sendable {
    public var grouping: RevenueGrouping
    /// `[from, to)` ms UTC.
    public var period: Range<Int64>
    public var rows: [RevenueRow]
    public var total: RevenueRow

    /// Groups the sessions that ended (state `closed` or `finalized`) and started in `period`. Days and months are
    /// the local calendar of the session's site at its start (or `scope`'s `--tz`); utilisation is charging time
    /// over the real time of the period per EVSE (a 23-hour day has 23 hours per EVSE).
    public init(sessions: [ReportSession], scope: ReportScope, grouping: RevenueGrouping, period: Range<Int64>) {
        self.grouping = grouping
        self.period = period
        let included = sessions.filter {
            $0.state != "open" && period.contains($0.startedAt) && (scope.site == nil || $0.site == scope.site)
        }
        var rows: [String: RevenueRow] = [:]
        var total = RevenueRow(key: "total")
        let length = Double(period.upperBound - period.lowerBound) / 1000
        for session in included {
            let key: String
            switch grouping {
            case .site: key = session.site
            case .charger: key = session.charger
            case .evse: key = session.evseKey.description
            case .day, .month:
                key = LocalCalendar(scope.timeZone(ofSite: session.site)).label(grouping == .day ? .day : .month, of: session.startedAt)
            case .tariff: key = session.price?.tariffId ?? "(none)"
            }
            rows[key, default: RevenueRow(key: key)].add(session)
            total.add(session)
        }
        // Capacity: every EVSE in scope is available for the whole period (in its own calendar for days/months).
        switch grouping {
        case .site:
            for site in scope.evses.values { rows[site, default: RevenueRow(key: site)].capacitySeconds.increase(by: length) }
        case .charger:
            for evse in scope.evses.keys {
                rows[evse.charger, default: RevenueRow(key: evse.charger)].capacitySeconds.increase(by: length)
            }
        case .evse:
            for evse in scope.evses.keys {
                rows[evse.description, default: RevenueRow(key: evse.description)].capacitySeconds.increase(by: length)
            }
        case .day, .month:
            let unit: LocalCalendar.Unit = grouping == .day ? .day : .month
            for site in Set(scope.evses.values) {
                let calendar = LocalCalendar(scope.timeZone(ofSite: site))
                let count = Double(scope.evses.values.filter { $0 == site }.count)
                for piece in calendar.pieces(unit, of: period) {
                    let key = calendar.label(unit, of: piece.lowerBound)
                    rows[key, default: RevenueRow(key: key)].capacitySeconds
                        .increase(by: count * Double(piece.upperBound - piece.lowerBound) / 1000)
                }
            }
        case .tariff:
            break
        }
        total.capacitySeconds = Double(scope.evses.count) * length
        self.rows = rows.values.sorted { $0.key < $1.key }
        self.total = total
    }
}

extension Optional where Wrapped == Double {
    /// Adds to the value, starting from 0 when nil.
    mutating func increase(by amount: Double) { self = (self ?? 0) + amount }
}
