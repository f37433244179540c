/// The running figures of one open (or closing) interval of one connector.
struct IntervalAccumulator: Sendable, Codable, Equatable {
    var index: Int64
    var sampleCount = 0
    var sumW = 0.0
    var peakW = 0.0
    /// Zero-order-hold integral of the power samples over the part of the interval they cover.
    var integratedWh = 0.0
    var startRegisterWh: Double?
    var endRegisterWh: Double?
    /// A register reset or gap spanned the end boundary: no end register will come, close without waiting.
    var endBlocked = false
    /// Samples derived from register deltas (a measured value at the same instant replaces one).
    var derivedSamples = 0
    var flags: IntervalFlags = []

    init(index: Int64) { self.index = index }
}

/// Everything the processor keeps per connector, apart from its 60 rolling buckets (flat arrays in the processor).
/// Timestamps are ms UTC; `Int64.min` means "none yet".
struct ConnectorState: Sendable, Codable {
    var chargerGroup: Int32
    var siteGroup: Int32
    var isMainMeter: Bool
    /// Has ever sent measured power: derived power is then never used as a sample.
    var hasMeasured = false
    /// Has ever sent a total (unphased) power: phases are then shown but never summed into samples.
    var reportsTotal = false
    var hasRegister = false
    var sampleHasTotal = false
    var sampleDerived = false
    var liveInCharger = false
    var liveInSite = false
    /// Newest timestamp that moved the connector's intervals (power samples and register readings).
    var clock = Int64.min
    /// Every interval ending at or before this is closed: readings older are late.
    var closedThrough: Int64
    // Per-channel latest readings.
    var totalTs = Int64.min
    var l1Ts = Int64.min
    var l2Ts = Int64.min
    var l3Ts = Int64.min
    var l1W = 0.0
    var l2W = 0.0
    var l3W = 0.0
    // The sample stream: one power value per instant.
    var sampleTs = Int64.min
    var sampleW = 0.0
    /// The last reporting interval (between the two latest samples); 0 before the second sample.
    var gapMs: Int64 = 0
    var integratedThrough = Int64.min
    // What charger and site sums hold for this connector.
    var heldW = 0.0
    var expiry = Int64.min
    // Register.
    var registerTs = Int64.min
    var registerWh = 0.0
    var derivedW: Double?
    /// The latest interval boundary the register was interpolated at (index of the interval starting there).
    var boundaryIndex = Int64.min
    var boundaryWh = 0.0
    /// Newest second written into the rolling buckets.
    var bucketSecond = Int64.min
    var open: IntervalAccumulator?
    /// The interval before `open`: its samples are complete, its end register not yet seen.
    var pending: IntervalAccumulator?
    // Links of the charger's and the site's live lists, sorted by expiry. -1: none.
    var chargerPrev: Int32 = -1
    var chargerNext: Int32 = -1
    var sitePrev: Int32 = -1
    var siteNext: Int32 = -1

    init(chargerGroup: Int32, siteGroup: Int32, isMainMeter: Bool, closedThrough: Int64) {
        self.chargerGroup = chargerGroup
        self.siteGroup = siteGroup
        self.isMainMeter = isMainMeter
        self.closedThrough = closedThrough
    }
}

/// What connectors contributed to one charger or site interval that is not emitted yet.
struct GroupAccumulator: Sendable, Codable, Equatable {
    var peakW: Double?
    var evaluations = 0
    var energyWh = 0.0
    var connectorCount = 0
    var registerCount = 0
    var integratedCount = 0
    var missingEnergy = 0
    var mainMeterWh: Double?
    var derived = false
    var flags: IntervalFlags = []
}

/// A charger or a site: the live connectors in a doubly linked list sorted by expiry, and their running sum.
struct LoadGroup: Sendable, Codable {
    var isSite: Bool
    var site: String
    var charger: String?
    var members: [Int32] = []
    var head: Int32 = -1
    var tail: Int32 = -1
    var live = 0
    var sumW = 0.0
    /// Newest sample timestamp of any member (main meters excluded).
    var clock = Int64.min
    var curIndex = Int64.min
    var curPeakW = 0.0
    var curEvaluations = 0
    var pending: [Int64: GroupAccumulator] = [:]
    var lastDemandW: Double?
    var lastDemandStart: Int64?
    var maxDemandW: Double?
    var maxDemandStart: Int64?

    init(isSite: Bool, site: String, charger: String?) {
        self.isSite = isSite
        self.site = site
        self.charger = charger
    }
}

struct ChargerKey: Sendable, Hashable, Codable {
    var site: String
    var charger: String
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always)
func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
    let r = a % b
    return r < 0 ? r + b : r
}
