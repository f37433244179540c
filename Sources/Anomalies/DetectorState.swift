// The detector's internal state: interned sites, chargers and EVSEs, per-rule conditions, open anomaly records.

struct EVSEKey: Hashable, Sendable, Codable {
    var site: String
    var charger: String
    var evse: Int
}

struct ChargerKey: Hashable, Sendable, Codable {
    var site: String
    var charger: String
}

/// The rules judged per EVSE, in the order of their conditions (`EVSESlot.condBase + rule`).
enum EVSERule: Int, CaseIterable {
    case regression, stuck, mismatch, overpower, voltage, stalled, fault, bay, spike, soc

    var kind: AnomalyKind {
        switch self {
        case .regression: .meterRegression
        case .stuck: .meterStuck
        case .mismatch: .energyMismatch
        case .overpower: .overpower
        case .voltage: .voltageOutOfRange
        case .stalled: .chargingStalled
        case .fault: .fault
        case .bay: .bayBlocked
        case .spike: .powerSpike
        case .soc: .socJump
        }
    }
}

/// One rule's condition for one owner (an EVSE, charger, site or the broker): the life of at most one anomaly.
struct Cond: Sendable, Codable {
    var kind: AnomalyKind
    /// Index of the owner in its table (EVSE, charger or site slot; 0 for the broker).
    var owner: Int32
    /// Start of the current bad stretch (pending or open); `.min` when none.
    var since: Int64 = .min
    /// Start of the current clear stretch while open; `.min` when none.
    var clearSince: Int64 = .min
    /// The open record, or -1.
    var record: Int32 = -1
    var count: Int32 = 0
    var connector: Int32 = 0
    var peak = 0.0
    var peakScore = -Double.greatestFiniteMagnitude
    var peakThreshold = 0.0
    var last = 0.0

    init(kind: AnomalyKind, owner: Int32) {
        self.kind = kind
        self.owner = owner
    }

    /// True when nothing is pending or open.
    @inline(__always) var idle: Bool { since == .min && record < 0 }
}

/// An open anomaly's identity and emission state.
struct OpenRecord: Sendable, Codable {
    var anomaly: Anomaly
    var lastEmit: Int64
    var dirty = false
}

struct SiteSlot: Sendable, Codable {
    var id: String
    /// 0 when not judged.
    var gridLimitW: Double
    var imbalanceLimitVA: Double
    /// Summed per-phase load of its EVSEs (VA).
    var l1 = 0.0, l2 = 0.0, l3 = 0.0
    var imbalanceCond: Int32
    var overloadCond: Int32
}

struct ChargerSlot: Sendable, Codable {
    var site: String
    var charger: String
    var siteSlot: Int32
    var offlineAfterMs: Int64
    var declared: Bool
    /// Latest receive time of anything from it.
    var lastReceive: Int64 = .min
    /// Newest event time seen (clamped to receive time + future tolerance).
    var clock: Int64 = .min
    /// Receive time of the message that last moved `clock` (the projection of a quiet charger's clock starts there).
    var clockReceive: Int64 = .min
    var gapCond: Int32
    var skewCond: Int32
    var gapOpen = false
    var skewBase: Int32 = -1
    var skewCount: Int32 = 0
    var skewHead: Int32 = 0
    var lastSkewT: Int64 = .min
    var lastSkewR: Int64 = .min
    /// Its EVSEs contribute to the site's phase loads.
    var contributing = false
    var evses: [Int32] = []
}

struct EVSESlot: Sendable, Codable {
    var site: Int32
    var charger: Int32
    var evse: Int
    var condBase: Int32
    // From the fleet declaration.
    var declared = false
    var ratedW = 0.0
    var isDC = false
    var isAC = false
    var phases = 0
    var nominalV = 0.0
    // Power: the latest complete sample, its integral, Power.Offered.
    var powerT: Int64 = .min
    var powerW = 0.0
    var reportsTotal = false
    var maxPhase: UInt8 = 0
    var cumWh = 0.0
    /// Time of the latest sample that followed a gap longer than the power hold (or the first sample).
    var powerGapAt: Int64 = .min
    var offeredW = 0.0
    var offeredT: Int64 = .min
    var offeredBadSince: Int64 = .min
    // Register.
    var regT: Int64 = .min
    var regV = 0.0
    var regRes = 1.0
    var regChangeT: Int64 = .min
    var regChangeV = 0.0
    var cumAtChange = 0.0
    var winT: Int64 = .min
    var winReg = 0.0
    var winCum = 0.0
    // Status and session.
    var charging = false
    var plugged = false
    /// The connector a status change or transaction event last named on this EVSE (what `bay_blocked` reports);
    /// nil until one did, and in snapshots written before it was kept.
    var connector: Int?
    var sessionId: String?
    var sessionOpen = false
    var boundaryT: Int64 = .min
    var chargingEndedAt: Int64 = .min
    var bayDeadline: Int64 = .max
    var faultDetail: String?
    // SoC.
    var socT: Int64 = .min
    var socV = 0.0
    // Spike window.
    var spikeBase: Int32 = -1
    var spikeCount: Int32 = 0
    var spikeHead: Int32 = 0
    /// Rank of the source of its phase contributions: 0 none, 1 total power, 2 phase power, 3 phase current.
    var contribSource: UInt8 = 0

    init(site: Int32, charger: Int32, evse: Int, condBase: Int32) {
        self.site = site
        self.charger = charger
        self.evse = evse
        self.condBase = condBase
    }
}

/// Per EVSE and phase (L1, L2, L3).
struct PhaseSlot: Sendable, Codable {
    var powerW = 0.0
    var powerT: Int64 = .min
    /// The contribution to the site's phase load (VA).
    var contribution = 0.0
}

/// Per EVSE and voltage label: 0 unlabelled, 1 L1 / L1-N / L1-L2, 2 L2 / L2-N / L2-L3, 3 L3 / L3-N / L3-L1.
struct VoltSlot: Sendable, Codable {
    var t: Int64 = .min
    var v = 0.0
    var limit = 0.0
    var score = 0.0
    var bad = false
}

/// A moving window kept twice: in arrival order (a ring) and sorted, in flat pools at `base`.
enum Window {
    static func push(_ x: Double, ring: inout [Double], sorted: inout [Double], base: Int, capacity: Int,
                     count: inout Int32, head: inout Int32) {
        // The decoders refuse non-finite values, so none reaches a window; should one come another way, it is left
        // out rather than break the sorted side's order (a NaN compares false with everything).
        guard x.isFinite else { return }
        let n = Int(count)
        if n == capacity {
            let old = ring[base + Int(head)]
            ring[base + Int(head)] = x
            head = Int32((Int(head) + 1) % capacity)
            // `x` takes the place of `old` in the sorted part and moves only as far as its order needs: a steady
            // value (a charger's clock skew, a flat power) moves nothing, where removing `old` and inserting `x`
            // shifted the whole window twice.
            var k = lowerBound(sorted, base, n, old)
            if x > old {
                while k + 1 < base + n && sorted[k + 1] < x {
                    sorted[k] = sorted[k + 1]
                    k += 1
                }
            } else {
                while k > base && sorted[k - 1] > x {
                    sorted[k] = sorted[k - 1]
                    k -= 1
                }
            }
            sorted[k] = x
            return
        } else {
            ring[base + (Int(head) + n) % capacity] = x
        }
        var k = base + n
        while k > base && sorted[k - 1] > x {
            sorted[k] = sorted[k - 1]
            k -= 1
        }
        sorted[k] = x
        count = Int32(n + 1)
    }

    /// First index in [base, base + n) whose value is ≥ x.
    static func lowerBound(_ s: [Double], _ base: Int, _ n: Int, _ x: Double) -> Int {
        var lo = base, hi = base + n
        while lo < hi {
            let mid = (lo + hi) >> 1
            if s[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func median(_ s: [Double], _ base: Int, _ n: Int) -> Double {
        n & 1 == 1 ? s[base + n / 2] : (s[base + n / 2 - 1] + s[base + n / 2]) / 2
    }

    /// The median absolute deviation from `med`, walking outwards from it (O(n)).
    static func mad(_ s: [Double], _ base: Int, _ n: Int, _ med: Double) -> Double {
        let j = lowerBound(s, base, n, med)
        var l = j - 1, r = j
        let k = n / 2
        var previous = 0.0, current = 0.0
        var step = 0
        while step <= k {
            let dl = l >= base ? med - s[l] : Double.infinity
            let dr = r < base + n ? s[r] - med : Double.infinity
            previous = current
            if dl <= dr {
                current = dl
                l -= 1
            } else {
                current = dr
                r += 1
            }
            step += 1
        }
        return n & 1 == 1 ? current : (previous + current) / 2
    }
}

/// Numbers in messages: whole numbers without a fraction, others with one decimal.
func show(_ x: Double) -> String {
    guard x.isFinite else { return String(x) }
    let r = (x * 10).rounded() / 10
    if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
    return String(r)
}
