/// Settings of the session stage. Times are milliseconds; powers watts. Definitions: docs/sessions.md.
public struct SessionConfiguration: Sendable, Codable, Equatable {
    /// Power above which energy counts as flowing. Nil: per EVSE, the larger of 100 W and 1 % of its rating
    /// (100 W when the rating is unknown).
    public var chargingThresholdW: Double?
    /// Rating assumed for an EVSE whose rating was never given (`SessionTracker.setRating`). Nil: unknown.
    public var defaultRatingW: Double?
    /// Charging counts as complete once power has stayed below the threshold this long (event time).
    public var completeAfterMs: Int64
    /// `near_complete` is emitted once per session when the estimated time to full (`SoCRate`) is at most this.
    /// Nil: the SoC rule alone.
    public var nearCompleteWithinMs: Int64?
    /// SoC (%) at which `near_complete` is emitted when no time to full can be estimated (the SoC is not rising)
    /// or `nearCompleteWithinMs` is nil; nil disables that rule.
    public var nearCompleteSoC: Double?
    /// A charger silent this long (receive time) has its open sessions closed with reason `timeout`.
    public var silenceTimeoutMs: Int64
    /// A closed session is finalized once the charger's event time passes `ended_at + finalizeAfterMs`
    /// (or, for a charger that stays silent, once receive time passes close + finalizeAfterMs + silenceTimeoutMs).
    public var finalizeAfterMs: Int64
    /// How long a finalized session is kept to recognise (and count) amendments before it is forgotten.
    public var retainAfterFinalizeMs: Int64
    /// At most this many closed sessions are kept per EVSE for late data.
    public var maxRecentPerEVSE: Int
    /// A start on the same EVSE with the same id tag and meter start within this window is a resend.
    public var resendWindowMs: Int64
    /// An event time more than this ahead of its receive time is "in the future" (flagged, clamped for clocks).
    public var futureToleranceMs: Int64
    /// A measured power sample is held forward at most this long (for intervals without a register at both ends).
    public var maxPowerHoldMs: Int64
    /// Width of one power-curve point.
    public var curveStepMs: Int64
    /// Above this many points the curve is halved (adjacent points merged, the step doubled).
    public var maxCurvePoints: Int
    /// Fastest plausible charging when the rating is unknown: a register step faster than this is a jump.
    public var maxPlausiblePowerW: Double
    /// When set, id tags are replaced by a keyed hash (`h:` + 32 hex digits, SipHash-2-4) before they are
    /// stored anywhere, snapshots included. Not encoded in snapshots: set it again after decoding one.
    public var idTagHashKey: String?
    /// Session energies (Wh, ascending) at which a tariff's `min_kwh`/`max_kwh` switches: the session's billing
    /// trace keeps the reading that first reaches each (`BillingTrace`). From the pipeline's tariffs; not encoded.
    public var billingEnergyThresholdsWh: [Double] = []
    /// Powers (W) at which a tariff's `min_power`/`max_power` switches: readings crossing one are kept. Not encoded.
    public var billingPowerThresholdsW: [Double] = []
    /// Currents (A, all phases) at which a tariff's `min_current`/`max_current` switches. Current readings reach
    /// sessions only when there are any (else they are dismissed: nothing else uses them). Not encoded.
    public var billingCurrentThresholdsA: [Double] = []

    public init(chargingThresholdW: Double? = nil, defaultRatingW: Double? = nil, completeAfterMs: Int64 = 300_000,
                nearCompleteWithinMs: Int64? = 600_000, nearCompleteSoC: Double? = 90, silenceTimeoutMs: Int64 = 3_600_000,
                finalizeAfterMs: Int64 = 3_600_000, retainAfterFinalizeMs: Int64 = 86_400_000,
                maxRecentPerEVSE: Int = 4, resendWindowMs: Int64 = 60_000, futureToleranceMs: Int64 = 300_000,
                maxPowerHoldMs: Int64 = 300_000, curveStepMs: Int64 = 60_000, maxCurvePoints: Int = 1_440,
                maxPlausiblePowerW: Double = 1_000_000, idTagHashKey: String? = nil) {
        self.chargingThresholdW = chargingThresholdW
        self.defaultRatingW = defaultRatingW
        self.completeAfterMs = completeAfterMs
        self.nearCompleteWithinMs = nearCompleteWithinMs
        self.nearCompleteSoC = nearCompleteSoC
        self.silenceTimeoutMs = silenceTimeoutMs
        self.finalizeAfterMs = finalizeAfterMs
        self.retainAfterFinalizeMs = retainAfterFinalizeMs
        self.maxRecentPerEVSE = maxRecentPerEVSE
        self.resendWindowMs = resendWindowMs
        self.futureToleranceMs = futureToleranceMs
        self.maxPowerHoldMs = maxPowerHoldMs
        self.curveStepMs = curveStepMs
        self.maxCurvePoints = maxCurvePoints
        self.maxPlausiblePowerW = maxPlausiblePowerW
        self.idTagHashKey = idTagHashKey
    }

    enum CodingKeys: String, CodingKey {
        case chargingThresholdW, defaultRatingW, completeAfterMs, nearCompleteWithinMs, nearCompleteSoC, silenceTimeoutMs
        case finalizeAfterMs
        case retainAfterFinalizeMs, maxRecentPerEVSE, resendWindowMs, futureToleranceMs, maxPowerHoldMs
        case curveStepMs, maxCurvePoints, maxPlausiblePowerW
        // idTagHashKey is a secret: never written to a snapshot. The billing thresholds come from the pipeline.
    }

    /// The charging threshold of an EVSE with the given rating.
    public func threshold(ratingW: Double?) -> Double {
        if let chargingThresholdW { return chargingThresholdW }
        guard let rating = ratingW ?? defaultRatingW, rating > 0 else { return 100 }
        return Swift.max(100, rating * 0.01)
    }
}
