import Foundation
import Pipeline

/// The OCPI 2.2.1 price component types.
public enum PriceComponentType: String, Sendable, CaseIterable, Codable {
    /// Per kWh; step_size in Wh.
    case energy = "ENERGY"
    /// Per hour charging; step_size in seconds.
    case time = "TIME"
    /// Per hour plugged in but not charging; step_size in seconds.
    case parkingTime = "PARKING_TIME"
    /// Per session.
    case flat = "FLAT"
}

/// One price of a tariff element (OCPI PriceComponent).
public struct PriceComponent: Sendable, Equatable {
    public var type: PriceComponentType
    /// Excluding VAT: per kWh (ENERGY), per hour (TIME, PARKING_TIME), per session (FLAT).
    public var price: Decimal
    /// VAT in percent; nil: the tariff's `vat`, else 0.
    public var vat: Decimal?
    /// Billing block on the session total: Wh for ENERGY, seconds for TIME/PARKING_TIME; 0: exact volumes.
    public var stepSize: Int

    public init(type: PriceComponentType, price: Decimal, vat: Decimal? = nil, stepSize: Int = 0) {
        self.type = type
        self.price = price
        self.vat = vat
        self.stepSize = stepSize
    }
}

/// A day of the week as OCPI names it.
public enum DayOfWeek: String, Sendable, CaseIterable, Codable {
    case monday = "MONDAY", tuesday = "TUESDAY", wednesday = "WEDNESDAY", thursday = "THURSDAY"
    case friday = "FRIDAY", saturday = "SATURDAY", sunday = "SUNDAY"
}

/// A calendar date without time zone (`start_date`/`end_date`, compared with the site's local date).
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    public var dayNumber: Int64 { LocalClock.days(year: year, month: month, day: day) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }
}

/// OCPI TariffRestrictions: every restriction that is set must hold.
public struct TariffRestrictions: Sendable, Equatable {
    /// Minutes after local midnight; start inclusive, end exclusive; end before start wraps midnight.
    public var startTime: Int?
    public var endTime: Int?
    /// Local dates, start inclusive, end exclusive.
    public var startDate: LocalDate?
    public var endDate: LocalDate?
    /// Energy consumed so far in the session, kWh: min inclusive, max exclusive.
    public var minKWh: Decimal?
    public var maxKWh: Decimal?
    /// Amperes and kW at the instant (the last sample's value): min inclusive, max exclusive.
    public var minCurrent: Double?
    public var maxCurrent: Double?
    public var minPowerKW: Double?
    public var maxPowerKW: Double?
    /// Elapsed session time in ms: min inclusive, max exclusive.
    public var minDurationMs: Int64?
    public var maxDurationMs: Int64?
    /// The instant's local day of week.
    public var daysOfWeek: Set<DayOfWeek>?

    public init(
        startTime: Int? = nil, endTime: Int? = nil, startDate: LocalDate? = nil, endDate: LocalDate? = nil,
        minKWh: Decimal? = nil, maxKWh: Decimal? = nil, minCurrent: Double? = nil, maxCurrent: Double? = nil,
        minPowerKW: Double? = nil, maxPowerKW: Double? = nil, minDurationMs: Int64? = nil,
        maxDurationMs: Int64? = nil, daysOfWeek: Set<DayOfWeek>? = nil
    ) {
        self.startTime = startTime
        self.endTime = endTime
        self.startDate = startDate
        self.endDate = endDate
        self.minKWh = minKWh
        self.maxKWh = maxKWh
        self.minCurrent = minCurrent
        self.maxCurrent = maxCurrent
        self.minPowerKW = minPowerKW
        self.maxPowerKW = maxPowerKW
        self.minDurationMs = minDurationMs
        self.maxDurationMs = maxDurationMs
        self.daysOfWeek = daysOfWeek
    }

    /// True when a restriction depends on the local wall clock or calendar.
    var usesWallClock: Bool {
        startTime != nil || endTime != nil || startDate != nil || endDate != nil || daysOfWeek != nil
    }

    /// True when a restriction depends on the local date (so local midnights are split points).
    var usesLocalDate: Bool { startDate != nil || endDate != nil || daysOfWeek != nil }
}

/// OCPI TariffElement: price components that apply while the restrictions hold.
public struct TariffElement: Sendable, Equatable {
    public var components: [PriceComponent]
    public var restrictions: TariffRestrictions

    public init(components: [PriceComponent], restrictions: TariffRestrictions = TariffRestrictions()) {
        self.components = components
        self.restrictions = restrictions
    }

    /// The component of this type, if the element has one.
    public func component(_ type: PriceComponentType) -> PriceComponent? {
        components.first { $0.type == type }
    }
}

/// Wattline's overstay fee: idle time (plugged in after charging ended) beyond a grace period, capped.
public struct IdleFee: Sendable, Equatable {
    /// Idle time that is free, counted from the end of charging.
    public var graceMs: Int64
    /// Excluding VAT, per hour (a per-minute price is stored × 60).
    public var pricePerHour: Decimal
    /// VAT in percent; nil: the tariff's `vat`, else 0.
    public var vat: Decimal?
    /// Billing block in seconds on the billable idle total; 0: exact.
    public var stepSize: Int
    /// The most the idle fee costs excluding VAT, nil: uncapped.
    public var cap: Decimal?

    public init(graceMs: Int64, pricePerHour: Decimal, vat: Decimal? = nil, stepSize: Int = 0, cap: Decimal? = nil) {
        self.graceMs = graceMs
        self.pricePerHour = pricePerHour
        self.vat = vat
        self.stepSize = stepSize
        self.cap = cap
    }
}

/// How time the charger suspended (and interruptions) is billed.
public enum SuspendedEVSEBilling: String, Sendable, CaseIterable {
    /// Not billed (the default: the driver is not to blame).
    case none
    /// Billed as PARKING_TIME.
    case parking
    /// Billed as TIME.
    case time
}

/// A `min_price`/`max_price`: excluding VAT, and optionally the amount including VAT.
public struct PriceBound: Sendable, Equatable {
    public var exclVAT: Decimal
    public var inclVAT: Decimal?

    public init(exclVAT: Decimal, inclVAT: Decimal? = nil) {
        self.exclVAT = exclVAT
        self.inclVAT = inclVAT
    }
}

/// A tariff (OCPI 2.2.1 Tariff plus Wattline's idle fee), one version of it: `id` with a validity period.
public struct Tariff: Sendable, Equatable {
    public var id: String
    public var currency: Currency
    /// Default VAT percent for components without their own.
    public var vat: Decimal?
    /// In order: for each dimension, the first element whose restrictions hold prices it.
    public var elements: [TariffElement]
    public var minPrice: PriceBound?
    public var maxPrice: PriceBound?
    public var idleFee: IdleFee?
    public var suspendedEVSE: SuspendedEVSEBilling
    /// Validity, ms UTC: from inclusive, until exclusive; nil: open.
    public var validFrom: Int64?
    public var validUntil: Int64?
    /// Where it was declared, when read from a pipeline.
    public var location: SourceLocation?

    public init(
        id: String, currency: Currency, vat: Decimal? = nil, elements: [TariffElement],
        minPrice: PriceBound? = nil, maxPrice: PriceBound? = nil, idleFee: IdleFee? = nil,
        suspendedEVSE: SuspendedEVSEBilling = .none, validFrom: Int64? = nil, validUntil: Int64? = nil,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.currency = currency
        self.vat = vat
        self.elements = elements
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.idleFee = idleFee
        self.suspendedEVSE = suspendedEVSE
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.location = location
    }

    /// True when this version is valid at `time` (ms UTC).
    public func isValid(at time: Int64) -> Bool {
        (validFrom.map { time >= $0 } ?? true) && (validUntil.map { time < $0 } ?? true)
    }
}
