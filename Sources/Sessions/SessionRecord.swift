import Foundation

/// What an EVSE is doing, normalized across protocols (mapping table: docs/sessions.md).
public enum ChargePhase: String, Sendable, Codable, CaseIterable {
    /// No EV connected.
    case available
    /// Plugged in, not charging yet.
    case preparing
    case charging
    /// Paused by the vehicle.
    case suspendedEV
    /// Paused by the charger.
    case suspendedEVSE
    /// Charging complete, cable still in, transaction still open: what idle fees are for.
    case idle
    /// The transaction (session) ended; the cable may still be in (OCPP 1.6 Finishing, EVerest Finished).
    case ended
    case faulted
    case unavailable

    /// True when a cable is (or is presumed) in.
    public var isPlugged: Bool {
        switch self {
        case .preparing, .charging, .suspendedEV, .suspendedEVSE, .idle, .ended: true
        case .available, .faulted, .unavailable: false
        }
    }
}

/// The life of a session record.
public enum SessionRecordState: String, Sendable, Codable {
    /// In progress.
    case open
    /// Ended; late data may still change it (each change counted in `amended`).
    case closed
    /// Frozen: the charger's event time passed `ended_at + finalize_after`. Later data only counts in `amended`
    /// and produces `amendment` events.
    case finalized
}

/// How a session began.
public enum SessionStart: String, Sendable, Codable {
    /// OCPP 1.6 StartTransaction, 2.0.1 TransactionEvent Started, compact `started`.
    case transaction
    /// A charger that sends no transactions: status and power evidence.
    case evidence
    /// Its start was never seen: opened by meter values or an end naming an unknown transaction.
    case inferred
}

/// Why a session ended.
public enum SessionEndReason: String, Sendable, Codable {
    /// A transaction end (1.6 StopTransaction, 2.0.1 Ended, compact `ended`).
    case transaction
    /// A charger without transactions reported its session finished (1.6 Finishing, EVerest Finished).
    case finished
    /// The cable was removed with the session still open.
    case unplugged
    /// The charger fell silent for `silence_timeout`.
    case timeout
    /// A new start on the same EVSE while this one was open (its stop never came).
    case superseded
}

/// Where the session's energy figure comes from, best first.
public enum EnergySource: String, Sendable, Codable {
    /// Energy register readings (meter start/stop included): last minus first, per segment between resets.
    case register
    /// Measured power integrated over time (held forward, at most `max_power_hold`).
    case integratedPower
    /// The charger's own session figure (EVerest `charged_energy_wh`).
    case chargerReported
    case none
}

/// Who limited the charging rate.
public enum RateLimiter: String, Sendable, Codable {
    case vehicle, charger, unknown
}

/// Data quality flags of a session. Bits are stable (stored as an integer).
public struct SessionQuality: OptionSet, Sendable, Codable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Closed because the charger fell silent.
    public static let timedOut = SessionQuality(rawValue: 1 << 0)
    /// The start was never seen (opened by meter values or a stop naming an unknown transaction).
    public static let missingStart = SessionQuality(rawValue: 1 << 1)
    /// Ended without a transaction end (unplugged, superseded, timed out).
    public static let missingStop = SessionQuality(rawValue: 1 << 2)
    /// The same start arrived again (lost response) and was merged.
    public static let resentStart = SessionQuality(rawValue: 1 << 3)
    /// The back-end did not accept the id tag (idTagInfo status other than Accepted).
    public static let notAccepted = SessionQuality(rawValue: 1 << 4)
    /// meterStart does not fit the register readings (zero-based start on a cumulative meter, or the reverse).
    public static let meterStartMismatch = SessionQuality(rawValue: 1 << 5)
    /// meterStop does not fit the register readings.
    public static let meterStopMismatch = SessionQuality(rawValue: 1 << 6)
    /// The register went backwards inside the session (reset, rollover, meter swap).
    public static let registerReset = SessionQuality(rawValue: 1 << 7)
    /// The register jumped forward faster than any charger can charge.
    public static let registerJump = SessionQuality(rawValue: 1 << 8)
    /// The start is below the previous session's stop on this EVSE (the meter was reset between sessions).
    public static let startBelowPreviousStop = SessionQuality(rawValue: 1 << 9)
    /// Readings for this session arrived timestamped after its end.
    public static let valuesAfterStop = SessionQuality(rawValue: 1 << 10)
    /// A register reading after the end exceeded meterStop (`energy_after_stop_wh` says by how much).
    public static let valuesBeyondStop = SessionQuality(rawValue: 1 << 11)
    /// Timestamps more than `future_tolerance` ahead of their receive time.
    public static let clockAhead = SessionQuality(rawValue: 1 << 12)
    /// Status or transaction event times went backwards.
    public static let clockBackwards = SessionQuality(rawValue: 1 << 13)
    /// Readings older than data already seen were merged (out of order).
    public static let reordered = SessionQuality(rawValue: 1 << 14)
    /// Duplicate readings or events were dropped.
    public static let duplicates = SessionQuality(rawValue: 1 << 15)
    /// Register energy and integrated power disagree (over the intervals where both are known).
    public static let energyMismatch = SessionQuality(rawValue: 1 << 16)
    /// The session has at least one interruption (fault, unavailable, Interruption.Begin/End, reboot).
    public static let interrupted = SessionQuality(rawValue: 1 << 17)
    /// Closed (timeout or unplug) and reopened by more data of the same transaction.
    public static let reopened = SessionQuality(rawValue: 1 << 18)
    /// Started on status/power evidence, not on a transaction.
    public static let evidenceStart = SessionQuality(rawValue: 1 << 19)
    /// Seen first while already charging (the charger reported energy or charging time before it).
    public static let joinedInProgress = SessionQuality(rawValue: 1 << 20)
    /// A stop that named no known transaction (e.g. -1) was matched to the charger's only open session.
    public static let stopMatchedByCharger = SessionQuality(rawValue: 1 << 21)
    /// A transaction start arrived while an evidence session was open and was adopted by it.
    public static let adoptedTransaction = SessionQuality(rawValue: 1 << 22)
    /// Some events were buffered by the charger while offline (2.0.1 `offline`). Informational.
    public static let offlineData = SessionQuality(rawValue: 1 << 23)
    /// No energy figure at all.
    public static let noEnergyData = SessionQuality(rawValue: 1 << 24)
    /// Data arrived after the session had closed and changed it (see `amended`).
    public static let lateData = SessionQuality(rawValue: 1 << 25)

    /// Flag names, lowest bit first (for logs and the CLI).
    public var names: [String] {
        let all: [(SessionQuality, String)] = [
            (.timedOut, "timed_out"), (.missingStart, "missing_start"), (.missingStop, "missing_stop"),
            (.resentStart, "resent_start"), (.notAccepted, "not_accepted"),
            (.meterStartMismatch, "meter_start_mismatch"), (.meterStopMismatch, "meter_stop_mismatch"),
            (.registerReset, "register_reset"), (.registerJump, "register_jump"),
            (.startBelowPreviousStop, "start_below_previous_stop"), (.valuesAfterStop, "values_after_stop"),
            (.valuesBeyondStop, "values_beyond_stop"), (.clockAhead, "clock_ahead"),
            (.clockBackwards, "clock_backwards"), (.reordered, "reordered"), (.duplicates, "duplicates"),
            (.energyMismatch, "energy_mismatch"), (.interrupted, "interrupted"), (.reopened, "reopened"),
            (.evidenceStart, "evidence_start"), (.joinedInProgress, "joined_in_progress"),
            (.stopMatchedByCharger, "stop_matched_by_charger"), (.adoptedTransaction, "adopted_transaction"),
            (.offlineData, "offline_data"), (.noEnergyData, "no_energy_data"), (.lateData, "late_data"),
        ]
        return all.filter { contains($0.0) }.map(\.1)
    }
}

/// A stretch of event time.
public struct SessionPeriod: Sendable, Codable, Equatable {
    public var start: Int64
    /// Nil while it lasts.
    public var end: Int64?

    public init(start: Int64, end: Int64?) {
        self.start = start
        self.end = end
    }
}

/// A signed meter value kept verbatim (OCMF and the like).
public struct SignedReading: Sendable, Codable, Equatable {
    public var timestamp: Int64
    public var data: String
    public var signingMethod: String?
    public var encodingMethod: String?
    public var publicKey: String?

    public init(timestamp: Int64, data: String, signingMethod: String? = nil, encodingMethod: String? = nil,
                publicKey: String? = nil) {
        self.timestamp = timestamp
        self.data = data
        self.signingMethod = signingMethod
        self.encodingMethod = encodingMethod
        self.publicKey = publicKey
    }
}

/// One point of the observed power curve: the power samples whose time falls in `[t, t + step)`.
public struct CurvePoint: Sendable, Codable, Equatable {
    public var t: Int64
    public var averageW: Double
    public var maxW: Double
    public var samples: Int32
    /// The last SoC reported in the step, when the EV reports it.
    public var soc: Double?

    public init(t: Int64, averageW: Double, maxW: Double, samples: Int32, soc: Double?) {
        self.t = t
        self.averageW = averageW
        self.maxW = maxW
        self.samples = samples
        self.soc = soc
    }
}

/// The compact power curve of a session: at most `max_curve_points` points of `stepMs` each.
public struct PowerCurve: Sendable, Equatable {
    public var stepMs: Int64
    public var points: [CurvePoint]

    public init(stepMs: Int64, points: [CurvePoint] = []) {
        self.stepMs = stepMs
        self.points = points
    }
}

/// JSON by column — `{"stepMs": 60000, "t": [...], "averageW": [...], "maxW": [...], "samples": [...], "soc": [...]}`,
/// one array per field rather than one object per point: every open session's curve is encoded at each commit (its
/// row's `record`) and in snapshots, and per-point objects made that the largest part of a replay's time. The
/// earlier form, `{"stepMs": ..., "points": [{"t": ..., ...}]}`, still decodes.
extension PowerCurve: Codable {
    enum CodingKeys: String, CodingKey {
        case stepMs, points, t, averageW, maxW, samples, soc, packed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stepMs = try c.decode(Int64.self, forKey: .stepMs)
        if let packed = try c.decodeIfPresent(Data.self, forKey: .packed) {
            points = try Self.unpack(packed)
            return
        }
        if let points = try c.decodeIfPresent([CurvePoint].self, forKey: .points) {
            self.points = points
            return
        }
        let t = try c.decode([Int64].self, forKey: .t)
        let average = try c.decode([Double].self, forKey: .averageW)
        let max = try c.decode([Double].self, forKey: .maxW)
        let samples = try c.decode([Int32].self, forKey: .samples)
        let soc = try c.decode([Double?].self, forKey: .soc)
        guard average.count == t.count, max.count == t.count, samples.count == t.count, soc.count == t.count else {
            throw DecodingError.dataCorruptedError(forKey: .t, in: c,
                                                   debugDescription: "the power curve's columns differ in length")
        }
        points = t.indices.map {
            CurvePoint(t: t[$0], averageW: average[$0], maxW: max[$0], samples: samples[$0], soc: soc[$0])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stepMs, forKey: .stepMs)
        if encoder.isCompactSnapshot {
            try c.encode(pack(), forKey: .packed)
            return
        }
        try c.encode(points.map(\.t), forKey: .t)
        try c.encode(points.map(\.averageW), forKey: .averageW)
        try c.encode(points.map(\.maxW), forKey: .maxW)
        try c.encode(points.map(\.samples), forKey: .samples)
        try c.encode(points.map(\.soc), forKey: .soc)
    }
}

extension PowerCurve {
    /// Snapshot form (`CodingUserInfoKey.compactSnapshot`), version 1: per point t, averageW, maxW (8 bytes each),
    /// samples (4), a flags byte (bit 0: SoC present) and the SoC (8) when present.
    func pack() -> Data {
        var w = PackedWriter(version: 1, count: points.count, bytesPerItem: 37)
        for p in points {
            w.int64(p.t)
            w.double(p.averageW)
            w.double(p.maxW)
            w.uint32(UInt32(bitPattern: p.samples))
            w.uint8(p.soc == nil ? 0 : 1)
            if let soc = p.soc { w.double(soc) }
        }
        return w.data
    }

    static func unpack(_ data: Data) throws -> [CurvePoint] {
        var r = try PackedReader(data, version: 1, what: "power curve", minItemBytes: 29)
        var points: [CurvePoint] = []
        points.reserveCapacity(r.count)
        for _ in 0..<r.count {
            let t = try r.int64(), average = try r.double(), max = try r.double()
            let samples = Int32(bitPattern: try r.uint32())
            let soc = try r.uint8() & 1 == 1 ? try r.double() : nil
            points.append(CurvePoint(t: t, averageW: average, maxW: max, samples: samples, soc: soc))
        }
        try r.finish()
        return points
    }
}

/// One charging session, as the sessions table stores it. Times are event times in ms UTC.
public struct SessionRecord: Sendable, Codable, Equatable {
    /// FNV-1a 64 of (charger, EVSE, start transaction id, started_at), 16 hex digits.
    public var id: String
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    public var state: SessionRecordState
    /// The EVSE's phase as the session saw it last (`ended` once closed).
    public var phase: ChargePhase
    public var start: SessionStart
    public var transactionId: String?
    /// The id tag, or its keyed hash when `id_tag_hash_key` is configured. Personal data: never log it.
    public var idTag: String?
    /// The back-end's verdict on the id tag (`Accepted`, `Invalid`, ...), when seen.
    public var idTagStatus: String?
    public var startedAt: Int64
    /// When the cable went in, when seen (may precede `startedAt`).
    public var pluggedAt: Int64?
    /// End of the last interval with power above the threshold: when the bay could have been freed.
    public var chargingEndedAt: Int64?
    public var endedAt: Int64?
    public var unpluggedAt: Int64?
    public var endReason: SessionEndReason?
    /// The charger's stop reason as sent (`EVDisconnected`, `Local`, ...).
    public var stopReason: String?
    public var meterStartWh: Double?
    public var meterStopWh: Double?
    public var energyWh: Double?
    public var energySource: EnergySource
    /// Measured power integrated over the session (cross-check).
    public var integratedEnergyWh: Double?
    /// The charger's own session energy (EVerest), when sent.
    public var chargerReportedEnergyWh: Double?
    /// Register growth seen after the end beyond meterStop (see `valuesBeyondStop`).
    public var energyAfterStopWh: Double?
    public var chargingMs: Int64
    /// Suspended time before `charging_ended_at` (pauses followed by more charging), by who suspended.
    public var suspendedEVMs: Int64
    public var suspendedEVSEMs: Int64
    /// From `charging_ended_at` to `unplugged_at` (or `ended_at` when no unplug was seen); 0 without charging.
    public var idleMs: Int64
    public var interruptedMs: Int64
    public var interruptions: [SessionPeriod]
    public var peakPowerW: Double?
    /// energy / charging time.
    public var averagePowerW: Double?
    public var offeredPowerW: Double?
    public var socStart: Double?
    public var socEnd: Double?
    /// SoC at the first sample after the peak with power below 90 % of the peak (the taper), when SoC is reported.
    public var taperSoC: Double?
    public var limitedBy: RateLimiter
    public var complete: Bool
    public var signedBegin: SignedReading?
    public var signedEnd: SignedReading?
    /// Anomalies reported against the session (`SessionTracker.noteAnomaly`).
    public var anomalies: [String]
    public var quality: SessionQuality
    /// How many times data changed (or, once finalized, tried to change) the record after it closed.
    public var amended: Int
    /// Readings merged out of order, and duplicates dropped.
    public var lateReadings: Int
    public var duplicates: Int
    public var curve: PowerCurve
    /// An open session's estimated seconds to 100 % SoC (`SoCRate`: the rate of the last 10 minutes, what
    /// `near_complete` is judged on); nil when it cannot be estimated, and once the session closed.
    public var timeToFullS: Double? = nil
}

/// What a session event says.
public enum SessionEventKind: String, Sendable, Codable {
    case started = "session.started"
    case chargingComplete = "session.charging_complete"
    case chargingResumed = "session.charging_resumed"
    case nearComplete = "session.near_complete"
    case ended = "session.ended"
    /// Data for a finalized session (the record is not rewritten).
    case amendment = "session.amendment"
}

/// Figures an event carries; which are set depends on the kind.
public struct SessionFigures: Sendable, Codable, Equatable {
    public var energyWh: Double?
    public var powerW: Double?
    public var soc: Double?
    public var chargingEndedAt: Int64?
    /// `ended`: the end reason; `amendment`: what arrived (`reading`, `stop`, `unplug`, ...).
    public var reason: String?
    /// `near_complete`: the estimated seconds to 100 % SoC (nil when it came from the SoC rule).
    public var timeToFullS: Double?
    /// `near_complete`: the threshold that was reached: seconds of time to full, or the SoC (%) of the SoC rule.
    public var threshold: Double?

    public init(energyWh: Double? = nil, powerW: Double? = nil, soc: Double? = nil, chargingEndedAt: Int64? = nil,
                reason: String? = nil) {
        self.energyWh = energyWh
        self.powerW = powerW
        self.soc = soc
        self.chargingEndedAt = chargingEndedAt
        self.reason = reason
    }
}

/// A value the lead can turn into an alert or a log line. Never carries the id tag.
public struct SessionEvent: Sendable, Codable, Equatable {
    public var kind: SessionEventKind
    public var sessionId: String
    public var site: String
    public var charger: String
    public var evse: Int
    /// Event time the condition became true.
    public var at: Int64
    public var figures: SessionFigures

    public init(kind: SessionEventKind, sessionId: String, site: String, charger: String, evse: Int, at: Int64,
                figures: SessionFigures = SessionFigures()) {
        self.kind = kind
        self.sessionId = sessionId
        self.site = site
        self.charger = charger
        self.evse = evse
        self.at = at
        self.figures = figures
    }
}

/// Counters of the session stage.
public struct SessionCounters: Sendable, Codable, Equatable {
    public var readings = 0
    /// Readings that do not matter to sessions (voltage, current, phases, main meter, ...).
    public var dismissed = 0
    /// Readings on EVSE -1 (a stop's transaction data the tap could not place).
    public var unattributed = 0
    public var statusChanges = 0
    public var transactionEvents = 0
    public var sessionsStarted = 0
    public var sessionsClosed = 0
    public var timeouts = 0
    /// Late data for a session no longer kept (older than `retain_after_finalize`).
    public var unmatchedLate = 0
    /// Ends that matched no session and started none (no EVSE, no transaction).
    public var orphanStops = 0
    public var duplicateEvents = 0

    public init() {}
}
