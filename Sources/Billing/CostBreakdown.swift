import Foundation

/// A priced dimension of the breakdown. `parking` and `idle` both go to the CDR's parking cost.
public enum CostDimension: String, Sendable, CaseIterable, Codable {
    case flat, energy, time, parking, idle

    /// The volume unit of ``CostLine`` volumes: Wh, ms, or sessions.
    public var unit: String {
        switch self {
        case .flat: "session"
        case .energy: "Wh"
        case .time, .parking, .idle: "ms"
        }
    }

    /// What one price unit holds in volume units: prices are per kWh (1 000 Wh), per hour (3 600 000 ms), per session.
    var divisor: Decimal {
        switch self {
        case .flat: 1
        case .energy: 1_000
        case .time, .parking, .idle: 3_600_000
        }
    }
}

/// A stretch of the session over which everything cost-relevant is constant (state, the element pricing each
/// dimension, whether the idle fee runs): a CDR charging period.
public struct BilledPeriod: Sendable, Equatable {
    /// ms UTC; `end` is the next period's start.
    public var start: Int64
    public var end: Int64
    public var state: BillableState
    /// Measured energy in the period, Wh.
    public var energyWh: Decimal
    public var durationMs: Int64 { end - start }
    /// Index into the tariff's elements of the element pricing each dimension here; nil: not priced here.
    public var energyElement: Int?
    public var timeElement: Int?
    public var parkingElement: Int?
    /// True when the period is idle time past the grace period of the tariff's idle fee.
    public var idleFeeApplies: Bool
}

/// One dimension priced over one period. Volumes are in the dimension's ``CostDimension/unit``.
public struct CostLine: Sendable, Equatable {
    public var period: Int
    public var dimension: CostDimension
    /// The element whose component priced it; nil for the idle fee.
    public var element: Int?
    /// Excluding VAT, per kWh / hour / session.
    public var price: Decimal
    /// VAT percent.
    public var vatRate: Decimal
    public var measuredVolume: Decimal
    /// The step_size remainder added to this line (only the last line of the rounded dimension has one).
    public var stepVolume: Decimal
    public var billedVolume: Decimal { measuredVolume + stepVolume }
    /// price × billed volume, unrounded (for display: the dimension sum is divided once, then rounded).
    public var amount: Decimal
}

/// A dimension's cost at one VAT rate: the sum of its lines, rounded once.
public struct DimensionCost: Sendable, Equatable {
    public var dimension: CostDimension
    public var vatRate: Decimal
    public var billedVolume: Decimal
    /// Σ price × volume / unit, before rounding.
    public var exactAmount: Decimal
    /// Rounded half-up to the minor unit, then capped (idle fee), excluding VAT.
    public var amount: Decimal
    /// What the idle fee's cap took off (0 otherwise).
    public var capReduction: Decimal
}

/// VAT at one rate, on the sum of the rounded amounts at that rate, rounded once.
public struct VATLine: Sendable, Equatable {
    public var rate: Decimal
    public var base: Decimal
    public var vat: Decimal
}

/// What `min_price`/`max_price` changed.
public struct PriceAdjustment: Sendable, Equatable {
    public enum Bound: String, Sendable { case minimum, maximum }
    public var bound: Bound
    /// Added to the total excluding VAT (negative for `max_price`).
    public var exclVAT: Decimal
    /// Added to the VAT.
    public var vat: Decimal
}

/// A session's cost, explained: periods, lines, per-dimension amounts, VAT per rate, bounds, totals.
/// `totalExclVAT` = Σ `dimensions.amount` + `adjustment.exclVAT`; `totalVAT` = Σ `vat.vat` + `adjustment.vat`.
public struct CostBreakdown: Sendable, Equatable {
    public var sessionId: String
    public var tariffId: String
    public var currency: Currency
    public var periods: [BilledPeriod]
    public var lines: [CostLine]
    public var dimensions: [DimensionCost]
    public var vat: [VATLine]
    public var subtotalExclVAT: Decimal
    public var subtotalVAT: Decimal
    public var adjustment: PriceAdjustment?
    public var totalExclVAT: Decimal
    public var totalVAT: Decimal
    public var totalInclVAT: Decimal { totalExclVAT + totalVAT }

    /// Rounded costs excluding VAT per column of the sessions table (before `min_price`/`max_price`).
    public var costEnergy: Decimal { amount(.energy) }
    public var costTime: Decimal { amount(.time) }
    /// PARKING_TIME plus the idle fee.
    public var costParking: Decimal { amount(.parking) + amount(.idle) }
    public var costFlat: Decimal { amount(.flat) }

    public func amount(_ dimension: CostDimension) -> Decimal {
        dimensions.filter { $0.dimension == dimension }.reduce(0) { $0 + $1.amount }
    }

    /// Measured totals for the CDR: energy (Wh), whole time, time not charging (ms).
    public var totalEnergyWh: Decimal { periods.reduce(0) { $0 + $1.energyWh } }
    public var totalTimeMs: Int64 { periods.reduce(0) { $0 + $1.durationMs } }
    public var totalParkingTimeMs: Int64 {
        periods.filter { $0.state != .charging }.reduce(0) { $0 + $1.durationMs }
    }

    /// A period's OCPI CDR dimensions with billed volumes (step remainders included): `ENERGY` kWh, `TIME` and
    /// `PARKING_TIME` hours (rounded to 6 decimals). Charging is TIME; other states are PARKING_TIME, except
    /// charger-suspended time, which shows as the dimension it is billed as (TIME when not billed).
    public func cdrDimensions(period index: Int) -> [CDRDimension] {
        let period = periods[index]
        let lines = self.lines.filter { $0.period == index }
        var energyWh = period.energyWh
        var timeMs = Decimal(period.durationMs)
        for line in lines where line.dimension == .energy { energyWh = line.billedVolume }
        for line in lines where [.time, .parking, .idle].contains(line.dimension) { timeMs = line.billedVolume }
        var result: [CDRDimension] = []
        if energyWh > 0 { result.append(CDRDimension(type: "ENERGY", volume: energyWh / 1_000)) }
        let hours = Money.round(timeMs / 3_600_000, scale: 6)
        let parking = period.state == .suspendedEV || period.state == .idle || period.parkingElement != nil
        if period.durationMs > 0 || timeMs > 0 { result.append(CDRDimension(type: parking ? "PARKING_TIME" : "TIME", volume: hours)) }
        return result
    }
}

/// One OCPI CdrDimension of a charging period.
public struct CDRDimension: Sendable, Equatable {
    /// `ENERGY`, `TIME` or `PARKING_TIME`.
    public var type: String
    /// kWh or hours.
    public var volume: Decimal
}
