import Foundation
import Sessions

/// What a session is doing over a stretch of time, as billing sees it.
public enum BillableState: String, Sendable, CaseIterable, Codable {
    /// Energy flows: TIME.
    case charging
    /// Plugged in, paused by the vehicle (or not yet started) before charging ended: PARKING_TIME.
    case suspendedEV
    /// Paused by the charger, or interrupted (faulted, unavailable): not billed unless the tariff's
    /// `suspended_evse` says `parking` or `time`.
    case suspendedEVSE
    /// Charging complete, cable still in: the idle fee when the tariff has one, else PARKING_TIME.
    case idle

    /// The billing state of a session phase; nil for `available` (the session is over).
    public init?(phase: ChargePhase) {
        switch phase {
        case .charging: self = .charging
        case .preparing, .suspendedEV: self = .suspendedEV
        case .suspendedEVSE, .faulted, .unavailable: self = .suspendedEVSE
        case .idle, .ended: self = .idle
        case .available: return nil
        }
    }
}

/// One point of a session's time line: from `time` until the next sample the session is in `state`, with the
/// power and current measured at `time`; `energyWh` is the session's cumulative energy at `time`.
public struct BillableSample: Sendable, Equatable {
    /// ms UTC.
    public var time: Int64
    /// Cumulative energy (any origin, non-decreasing), Wh.
    public var energyWh: Decimal
    /// Power at this instant (held until the next sample), W; nil: unknown (power restrictions do not hold).
    public var powerW: Double?
    /// Current at this instant (the highest phase), A; nil: unknown.
    public var currentA: Double?
    public var state: BillableState

    public init(time: Int64, energyWh: Decimal, powerW: Double? = nil, currentA: Double? = nil, state: BillableState) {
        self.time = time
        self.energyWh = energyWh
        self.powerW = powerW
        self.currentA = currentA
        self.state = state
    }

    /// A meter's `Double` Wh as an exact decimal, rounded half-up to 1 mWh (its shortest text is read, so
    /// 12345.6 stays 12345.6).
    public static func decimalWh(_ wh: Double) -> Decimal {
        Money.round(Decimal(string: String(wh), locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(wh), scale: 3)
    }
}

/// A session as billing needs it: where and for whom (tariff assignment), the site's time zone, and a
/// time-ordered list of samples. The last sample marks the end of the billed time (unplug, else session end);
/// its state is not used.
public struct BillableSession: Sendable, Equatable {
    public var id: String
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    /// As stored in the session record (a keyed hash when id tags are hashed).
    public var idTag: String?
    public var timeZone: TimeZone
    /// The session start (ms UTC): picks the tariff version and is where elapsed time (min/max_duration) counts from.
    public var startedAt: Int64
    public var samples: [BillableSample]

    public init(
        id: String, site: String, charger: String, evse: Int = 1, connector: Int = 1, idTag: String? = nil,
        timeZone: TimeZone, startedAt: Int64? = nil, samples: [BillableSample]
    ) {
        self.id = id
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.idTag = idTag
        self.timeZone = timeZone
        self.startedAt = startedAt ?? samples.first?.time ?? 0
        self.samples = samples
    }
}

/// Why a session cannot be priced.
public enum BillingError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSamples
    /// Sample `index` is earlier than the one before it.
    case timeWentBackwards(index: Int)
    /// Sample `index` has less cumulative energy than the one before it.
    case energyWentBackwards(index: Int)

    public var description: String {
        switch self {
        case .noSamples: "the session has no samples"
        case .timeWentBackwards(let index): "sample \(index) is earlier than the sample before it"
        case .energyWentBackwards(let index): "sample \(index) has less cumulative energy than the sample before it"
        }
    }
}
