import Billing
import Foundation
import Telemetry

/// `sessions.cost_breakdown`: a `CostBreakdown` as JSON, every amount and volume exact decimal text, every time
/// ISO-8601 UTC. What `wattline session ID` explains a cost from.
public struct CostBreakdownDocument: Codable, Sendable, Equatable {
    public struct Period: Codable, Sendable, Equatable {
        public var start: String
        public var end: String
        public var state: String
        public var energyWh: String
        public var energyElement: Int?
        public var timeElement: Int?
        public var parkingElement: Int?
        public var idleFee: Bool
    }

    public struct Line: Codable, Sendable, Equatable {
        public var period: Int
        public var dimension: String
        public var element: Int?
        public var price: String
        public var vatRate: String
        public var measuredVolume: String
        public var stepVolume: String
        public var unit: String
        public var amount: String
    }

    public struct Dimension: Codable, Sendable, Equatable {
        public var dimension: String
        public var vatRate: String
        public var billedVolume: String
        /// Σ price × volume ÷ unit before rounding.
        public var exactAmount: String
        /// Rounded once, half-up; capped for the idle fee.
        public var amount: String
        public var capReduction: String
    }

    public struct VAT: Codable, Sendable, Equatable {
        public var rate: String
        public var base: String
        public var vat: String
    }

    public struct Adjustment: Codable, Sendable, Equatable {
        /// `minimum` or `maximum`.
        public var bound: String
        public var exclVAT: String
        public var vat: String
    }

    public var tariffId: String
    public var currency: String
    public var periods: [Period]
    public var lines: [Line]
    public var dimensions: [Dimension]
    public var vat: [VAT]
    public var subtotalExclVAT: String
    public var subtotalVAT: String
    public var adjustment: Adjustment?
    public var totalExclVAT: String
    public var totalVAT: String
    public var totalInclVAT: String

    public init(_ b: CostBreakdown) {
        let money = b.currency.text
        let exact = Money.text
        tariffId = b.tariffId
        currency = b.currency.code
        periods = b.periods.map {
            Period(start: Timestamp.format($0.start), end: Timestamp.format($0.end), state: $0.state.columnText,
                   energyWh: exact($0.energyWh), energyElement: $0.energyElement, timeElement: $0.timeElement,
                   parkingElement: $0.parkingElement, idleFee: $0.idleFeeApplies)
        }
        lines = b.lines.map {
            Line(period: $0.period, dimension: $0.dimension.rawValue, element: $0.element, price: exact($0.price),
                 vatRate: exact($0.vatRate), measuredVolume: exact($0.measuredVolume), stepVolume: exact($0.stepVolume),
                 unit: $0.dimension.unit, amount: exact($0.amount))
        }
        dimensions = b.dimensions.map {
            Dimension(dimension: $0.dimension.rawValue, vatRate: exact($0.vatRate), billedVolume: exact($0.billedVolume),
                      exactAmount: exact($0.exactAmount), amount: money($0.amount), capReduction: money($0.capReduction))
        }
        vat = b.vat.map { VAT(rate: exact($0.rate), base: money($0.base), vat: money($0.vat)) }
        subtotalExclVAT = money(b.subtotalExclVAT)
        subtotalVAT = money(b.subtotalVAT)
        adjustment = b.adjustment.map { Adjustment(bound: $0.bound.rawValue, exclVAT: money($0.exclVAT), vat: money($0.vat)) }
        totalExclVAT = money(b.totalExclVAT)
        totalVAT = money(b.totalVAT)
        totalInclVAT = money(b.totalInclVAT)
    }
}

extension BillableState {
    /// As `session_costs.state` stores it: `charging`, `suspended_ev`, `suspended_evse`, `idle`.
    var columnText: String {
        switch self {
        case .charging: "charging"
        case .suspendedEV: "suspended_ev"
        case .suspendedEVSE: "suspended_evse"
        case .idle: "idle"
        }
    }
}
