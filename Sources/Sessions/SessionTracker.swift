import Telemetry

struct ChargerKey: Hashable, Sendable, Codable {
    var site: String
    var charger: String
}

struct EVSEKey: Hashable, Sendable, Codable {
    var site: String
    var charger: String
    var evse: Int
}

struct ChargerState: Sendable, Codable {
    var site: String
    var charger: String
    /// Latest receive time of anything from the charger (silence is judged on it).
    var lastReceive: Int64 = .min
    /// The charger's event-time clock: the newest event time seen, each clamped to receive time + future tolerance.
    var clock: Int64 = .min
    /// True once the charger sent any transaction event: it then gets no evidence-based sessions.
    var transactional = false
    var evses: [Int32] = []
}

struct EVSEState: Sendable, Codable {
    var site: String
    var charger: String
    var evse: Int
    var connector: Int
    var chargerIndex: Int32
    var ratingW: Double?
    var threshold: Double
    var phase: ChargePhase = .available
    var phaseSince: Int64 = .min
    var pluggedAt: Int64?
    var lastEventT: Int64 = .min
    var open: SessionState?
    /// Closed sessions kept for late data, oldest first.
    var recent: [SessionState] = []
    var finalizeDue: Int64 = .max
    var lastReg: Double?
    var lastRegT: Int64 = .min
    var lastRegRes: Double = 1
    /// The last register value of the previous session (its meter stop), for resets between sessions.
    var lastStop: Double?
    var lastSessionEnd: Int64 = .min
}

struct DirtyRef: Sendable, Codable, Equatable {
    var evse: Int32
    var id: String
}

/// The charging-session state machine of a fleet: one per runtime (or per shard of chargers).
///
/// A plain value: no I/O, no threads, no wall clock. Event time comes from readings and events; receive time from
/// the `receivedAt` arguments and from `advance(to:)`, which judges silence (timeouts) and finalization. Outputs
/// accumulate until drained: `drainEvents()` (alerts) and `drainClosed()` (records to upsert). The whole state is
/// `Codable` for checkpoints (the id-tag hash key excepted: set `configuration.idTagHashKey` again after
/// decoding). Definitions and the protocol mapping: docs/sessions.md.
public struct SessionTracker: Sendable, Codable {
    /// Changing it forgets `recentDue` (its deadlines are sums of these settings).
    public var configuration: SessionConfiguration { didSet { recentDue.removeAll() } }
    public internal(set) var counters = SessionCounters()

    var chargers: [ChargerState] = []
    var chargerIndex: [ChargerKey: Int32] = [:]
    var evses: [EVSEState] = []
    var evseIndex: [EVSEKey: Int32] = [:]
    @usableFromInline var events: [SessionEvent] = []
    var dirty: [DirtyRef] = []
    var evicted: [SessionRecord] = []

    // Lookup cache (consecutive readings of one message share their EVSE); not part of snapshots.
    var cacheSite = ""
    var cacheCharger = ""
    var cacheEVSE = Int.min
    var cacheSlot = -1
    /// A lower bound of every charger's `lastReceive` (those that have one; `.max`: none), `.min` when unknown
    /// (after decoding); and whether any EVSE may hold recent sessions that `finalizeRecent` could still act on.
    /// With both, `advance(to:)` knows when it has nothing to do. Not part of snapshots.
    var receiveFloor: Int64 = .min
    var mayHaveRecent = true
    /// Per EVSE, by index: the earliest receive time and the earliest charger clock at which `finalizeRecent` can
    /// change anything among its recent sessions, so that `advance(to:)` passes over the EVSEs with nothing due
    /// (walking every EVSE's recent sessions each second was a tenth of a replay's worker). Lower bounds: whatever
    /// could make a session due sooner (a session closed or reopened, a late stop, late data merged) forgets them;
    /// missing (after decoding, a new EVSE) or `.min` means "look". Not part of snapshots.
    var recentDue: [RecentDue] = []
    /// Each EVSE's charger index, by EVSE index, in one small array that `advance` walks (an EVSE's state is 1.4 KB:
    /// reading the index there was a cache miss per EVSE per second). EVSEs are only ever appended; brought up to
    /// date by `advance`. Not part of snapshots.
    var evseCharger: [Int32] = []

    struct RecentDue {
        var receive: Int64 = .min
        var clock: Int64 = .min
    }

    enum CodingKeys: String, CodingKey {
        case configuration, counters, chargers, chargerIndex, evses, evseIndex, events, dirty, evicted
    }

    public init(configuration: SessionConfiguration = SessionConfiguration()) {
        self.configuration = configuration
    }

    // MARK: - Outputs

    /// True when session events wait to be drained.
    @inlinable public var hasPendingEvents: Bool { !events.isEmpty }

    /// Session events since the last call, in the order they happened to be processed.
    public mutating func drainEvents() -> [SessionEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Records to upsert since the last call: sessions that closed, were finalized, completed (unplug, late stop)
    /// or amended. One record per session (its latest state).
    public mutating func drainClosed() -> [SessionRecord] {
        var out = evicted
        evicted.removeAll()
        var seen = Set<String>()
        for ref in dirty where seen.insert(ref.id).inserted {
            let e = evses[Int(ref.evse)]
            if let s = e.recent.first(where: { $0.id == ref.id }) {
                out.append(s.record(now: chargers[Int(e.chargerIndex)].clock))
            }
        }
        dirty.removeAll(keepingCapacity: true)
        return out
    }

    /// How many sessions are in progress: `openSessions.count` without building their records (each with its curve).
    /// Looked at in place: `reduce` handed its closure a copy of each EVSE's state (2,000 instructions a message in
    /// a replay, where the worker reads it at every flush of the processors).
    public var openSessionCount: Int {
        evses.withUnsafeBufferPointer { evses in
            var count = 0
            for k in evses.indices { if case .some = evses[k].open { count += 1 } }
            return count
        }
    }

    /// Records of the sessions in progress (the table's open rows), in EVSE creation order.
    public var openSessions: [SessionRecord] {
        evses.compactMap { e in e.open?.record(now: chargers[Int(e.chargerIndex)].clock) }
    }

    /// The record of a session still held (open, closed or finalized and not yet forgotten).
    public func session(id: String) -> SessionRecord? {
        for e in evses {
            let clock = chargers[Int(e.chargerIndex)].clock
            if let o = e.open, o.id == id { return o.record(now: clock) }
            if let s = e.recent.first(where: { $0.id == id }) { return s.record(now: clock) }
        }
        return nil
    }

    /// The billing trace of a session still held (open, closed or finalized, not yet forgotten) and its charger's
    /// event clock — "now" for the cost so far of an open session. Nil when the session is no longer held.
    public func billingTrace(for record: SessionRecord) -> (trace: BillingTrace?, now: Int64)? {
        guard let i = evseIndex[EVSEKey(site: record.site, charger: record.charger, evse: record.evse)] else { return nil }
        let e = evses[Int(i)]
        let clock = chargers[Int(e.chargerIndex)].clock
        if let o = e.open, o.id == record.id { return (o.billing, clock) }
        if let s = e.recent.first(where: { $0.id == record.id }) { return (s.billing, clock) }
        return nil
    }

    /// Marks that the session's cost reached the configured threshold; false when it was marked before (or the
    /// session is no longer held), so the event is produced once per session, restarts included (snapshots).
    public mutating func markCostThresholdReached(for record: SessionRecord) -> Bool {
        guard let i = evseIndex[EVSEKey(site: record.site, charger: record.charger, evse: record.evse)] else { return false }
        let e = Int(i)
        if evses[e].open?.id == record.id {
            if evses[e].open!.costThresholdReached == true { return false }
            evses[e].open!.costThresholdReached = true
            return true
        }
        guard let r = evses[e].recent.firstIndex(where: { $0.id == record.id }),
              evses[e].recent[r].costThresholdReached != true else { return false }
        evses[e].recent[r].costThresholdReached = true
        return true
    }

    // MARK: - Configuration per EVSE

    /// Takes new settings over a restored tracker (the pipeline's, at a restart) and the fleet's `ratings` (W per
    /// site, charger and EVSE; nil for none declared): every EVSE's charging threshold is derived again, for the
    /// sessions that start from now on (an open session keeps the threshold it started with).
    public mutating func reconfigure(_ configuration: SessionConfiguration,
                                     ratings: [(site: String, charger: String, evse: Int, watts: Double?)]) {
        self.configuration = configuration
        for rating in ratings {
            _ = slot(site: rating.site, charger: rating.charger, evse: rating.evse, connector: 1)
        }
        let declared = Dictionary(ratings.map { (EVSEKey(site: $0.site, charger: $0.charger, evse: $0.evse), $0.watts) },
                                  uniquingKeysWith: { first, _ in first })
        for (key, i) in evseIndex {
            let watts = declared[key] ?? nil
            evses[Int(i)].ratingW = watts
            evses[Int(i)].threshold = configuration.threshold(ratingW: watts)
        }
    }

    /// Sets an EVSE's rating (W): its charging threshold becomes max(100 W, 1 % of it) unless configured.
    /// A session keeps the threshold it started with.
    public mutating func setRating(site: String, charger: String, evse: Int, watts: Double?) {
        let i = slot(site: site, charger: charger, evse: evse, connector: 1)
        evses[i].ratingW = watts
        evses[i].threshold = configuration.threshold(ratingW: watts)
    }

    /// Attaches an anomaly (from the anomaly stage) to the session that covers `at` on that EVSE.
    public mutating func noteAnomaly(site: String, charger: String, evse: Int, at: Int64, kind: String) {
        guard evse > 0, let found = evseIndex[EVSEKey(site: site, charger: charger, evse: evse)] else { return }
        let i = Int(found)
        if var o = evses[i].open, at >= o.startedAt {
            if !o.anomalies.contains(kind) { o.anomalies.append(kind) }
            evses[i].open = o
            return
        }
        if let r = evses[i].recent.lastIndex(where: { at >= $0.startedAt && at <= ($0.endedAt ?? .max) }),
           evses[i].recent[r].state != .finalized, !evses[i].recent[r].anomalies.contains(kind) {
            evses[i].recent[r].anomalies.append(kind)
            markDirty(i, evses[i].recent[r].id)
        }
    }

    /// Contact from a charger that carried nothing for sessions (heartbeat, boot notification, ...).
    public mutating func noteContact(site: String, charger: String, receivedAt: Int64) {
        let c = chargerSlot(site: site, charger: charger)
        if receivedAt > chargers[c].lastReceive { chargers[c].lastReceive = receivedAt }
        if chargers[c].lastReceive < receiveFloor { receiveFloor = chargers[c].lastReceive }
    }

    // MARK: - Input

    /// Feeds everything one message decoded to, in the order sessions need: non-final transaction events, status
    /// changes, then readings and signed values, then transaction ends (so a start's Transaction.Begin values land
    /// in its session, a status sent with a start does not open an evidence session first, and a stop's
    /// transaction data arrives before its close).
    public mutating func process(_ output: DecodeOutput, receivedAt: Int64) {
        for event in output.events {
            if case .transaction(let t) = event, t.kind != .ended { process(t, receivedAt: receivedAt) }
        }
        for event in output.events {
            if case .status(let change) = event { process(change, receivedAt: receivedAt) }
        }
        for reading in output.readings { process(reading, receivedAt: receivedAt) }
        for signed in output.signedValues { process(signed, receivedAt: receivedAt) }
        for event in output.events {
            switch event {
            case .transaction(let t) where t.kind == .ended: process(t, receivedAt: receivedAt)
            case .callFailure(let f): noteContact(site: f.origin.site, charger: f.origin.charger, receivedAt: receivedAt)
            default: break
            }
        }
    }

    /// One reading. Only `Energy.Active.Import.Register`, `Power.Active.Import`, `Power.Offered` (no phase,
    /// location Outlet/Inlet) and `SoC` of EVSEs ≥ 1 matter; the rest is dismissed after one switch.
    public mutating func process(_ reading: Reading, receivedAt: Int64) {
        var hint: Int32 = -1
        process(reading, receivedAt: receivedAt, slot: &hint)
    }

    /// `process(_:receivedAt:)` with the caller's cached EVSE slot for the reading's series: used when it still
    /// names the reading's EVSE, else looked up and updated. Start with -1. Same results, no hashing on a hit.
    public mutating func process(_ reading: Reading, receivedAt: Int64, slot hint: inout Int32) {
        counters.readings += 1
        let series = reading.series
        let kind: ReadingKind
        switch series.measurand {
        case .energyActiveImportRegister:
            guard series.phase == nil, series.location == .outlet || series.location == .inlet else {
                counters.dismissed += 1
                return
            }
            kind = .register
        case .powerActiveImport:
            guard series.phase == nil, series.location == .outlet || series.location == .inlet else {
                counters.dismissed += 1
                return
            }
            kind = .power
        case .powerOffered:
            guard series.phase == nil else {
                counters.dismissed += 1
                return
            }
            kind = .offered
        case .soc:
            kind = .soc
        case .currentImport where !configuration.billingCurrentThresholdsA.isEmpty
                && (series.location == .outlet || series.location == .inlet):
            switch series.phase {
            case nil: kind = .current
            case .l1?, .l2?, .l3?: kind = .phaseCurrent
            default:
                counters.dismissed += 1
                return
            }
        default:
            counters.dismissed += 1
            return
        }
        guard series.evse > 0 else {
            if series.evse < 0 { counters.unattributed += 1 } else { counters.dismissed += 1 }
            return
        }
        let i: Int
        let h = Int(hint)
        if h >= 0, h < evses.count, evses[h].evse == series.evse, evses[h].charger == series.charger,
           evses[h].site == series.site {
            i = h
        } else {
            i = slot(site: series.site, charger: series.charger, evse: series.evse, connector: series.connector)
            hint = Int32(i)
        }
        ingest(i, kind, t: reading.timestamp, value: reading.value, decimals: reading.decimals,
               context: reading.context, transactionId: reading.transactionId, receivedAt: receivedAt)
    }

    /// A signed meter value: kept verbatim as the session's begin or end value (other contexts are ignored).
    public mutating func process(_ signed: SignedMeterValue, receivedAt: Int64) {
        guard signed.context == .transactionBegin || signed.context == .transactionEnd, signed.series.evse > 0 else {
            return
        }
        let i = slot(site: signed.series.site, charger: signed.series.charger, evse: signed.series.evse,
                     connector: signed.series.connector)
        touch(Int(evses[i].chargerIndex), signed.timestamp, receivedAt)
        let value = SignedReading(timestamp: signed.timestamp, data: signed.data, signingMethod: signed.signingMethod,
                                  encodingMethod: signed.encodingMethod, publicKey: signed.publicKey)
        let begin = signed.context == .transactionBegin
        if var o = evses[i].open, signed.transactionId.map(o.names) ?? true {
            if begin { o.signedBegin = value } else { o.signedEnd = value }
            evses[i].open = o
            return
        }
        let r = evses[i].recent.lastIndex { s in signed.transactionId.map(s.names) ?? true }
        if let r, evses[i].recent[r].state == .closed {
            if begin { evses[i].recent[r].signedBegin = value } else { evses[i].recent[r].signedEnd = value }
            markDirty(i, evses[i].recent[r].id)
        }
    }

    /// A status change (OCPP StatusNotification, EVerest session_info, compact status).
    public mutating func process(_ change: StatusChange, receivedAt: Int64) {
        counters.statusChanges += 1
        let c = chargerSlot(site: change.origin.site, charger: change.origin.charger)
        guard change.evse > 0 else {
            // Connector 0 speaks for the whole charger: contact only.
            touch(c, change.timestamp, receivedAt)
            return
        }
        let i = slot(site: change.origin.site, charger: change.origin.charger, evse: change.evse,
                     connector: change.connector)
        let future = touch(c, change.timestamp, receivedAt)
        finalizeIfDue(i, receivedAt: receivedAt)
        let t = change.timestamp
        if var o = evses[i].open {
            if future { o.quality.insert(.clockAhead) }
            if t < evses[i].lastEventT { o.quality.insert(.clockBackwards) }
            if let wh = change.sessionEnergyWh { o.chargerReportedWh = wh }
            if let seconds = change.chargingDurationSeconds, seconds * 1000 > Double(t - o.startedAt) + 60_000 {
                o.quality.insert(.joinedInProgress)
            }
            evses[i].open = o
        }
        if t > evses[i].lastEventT { evses[i].lastEventT = t }
        guard let phase = Self.phase(for: change.status, current: evses[i].phase) else { return }
        transition(i, to: phase, at: t, receivedAt: receivedAt)
        // A session just opened on this status (EVerest) takes the charger's figures too.
        if var o = evses[i].open, o.chargerReportedWh == nil, let wh = change.sessionEnergyWh {
            o.chargerReportedWh = wh
            if let seconds = change.chargingDurationSeconds, seconds * 1000 > Double(t - o.startedAt) + 60_000 {
                o.quality.insert(.joinedInProgress)
            }
            evses[i].open = o
        }
    }

    /// A transaction event (start, back-end result, update, end).
    public mutating func process(_ event: TransactionEvent, receivedAt: Int64) {
        counters.transactionEvents += 1
        let c = chargerSlot(site: event.origin.site, charger: event.origin.charger)
        chargers[c].transactional = true
        let future = touch(c, event.timestamp, receivedAt)
        switch event.kind {
        case .started: started(event, charger: c, future: future, receivedAt: receivedAt)
        case .idAssigned: idAssigned(event, charger: c, receivedAt: receivedAt)
        case .updated: updated(event, charger: c, future: future, receivedAt: receivedAt)
        case .ended: ended(event, charger: c, future: future, receivedAt: receivedAt)
        }
    }

    /// Moves receive time on: closes the open sessions of chargers silent for `silence_timeout` (reason
    /// `timeout`, ended at the session's last data), finalizes and forgets closed sessions.
    public mutating func advance(to receiveTime: Int64) {
        // Nothing to do when no EVSE holds recent sessions and no charger can have been silent long enough.
        if !mayHaveRecent, receiveFloor != .min {
            if receiveFloor == .max { return }
            let (silent, overflow) = receiveTime.subtractingReportingOverflow(receiveFloor)
            if !overflow, silent < configuration.silenceTimeoutMs { return }
        }
        var recent = false
        if evseCharger.count < evses.count {
            evseCharger += evses[evseCharger.count...].map(\.chargerIndex)
        }
        for i in evses.indices {
            let c = Int(evseCharger[i])
            // The charger's silence first (its state is small): most are not silent, and the EVSE is not reached for.
            let last = chargers[c].lastReceive
            if last != .min, receiveTime &- last >= configuration.silenceTimeoutMs, evses[i].open != nil {
                let end = evses[i].open!.lastDataT
                closeOpen(i, at: end, reason: .timeout, meterStop: nil, stopReason: nil, receivedAt: receiveTime)
                counters.timeouts += 1
            }
            // Recent sessions: `recentDue` (small, in one array) says when one of them can next change. Before then
            // the EVSE's list is not reached for (a cache miss per EVSE per second, two thirds of this pass on the
            // 180-charger day): a due time means it held sessions when the time was worked out (`mayHaveRecent`
            // stays on), `.max` for both that nothing there can change (none held, or none `finalizeRecent` acts
            // on). Unknown (`.min`: never worked out, or forgotten) counts as due.
            let due = i < recentDue.count ? recentDue[i] : RecentDue()
            if receiveTime < due.receive && chargers[c].clock < due.clock {
                if due.receive != .max || due.clock != .max { recent = true }
                continue
            }
            if !evses[i].recent.isEmpty {
                finalizeRecent(i, receivedAt: receiveTime)
                if !evses[i].recent.isEmpty { recent = true }
            } else {
                noteNothingRecent(i)
            }
        }
        var floor = Int64.max
        for c in chargers.indices where chargers[c].lastReceive != .min && chargers[c].lastReceive < floor {
            floor = chargers[c].lastReceive
        }
        receiveFloor = floor
        mayHaveRecent = recent
    }

    // MARK: - Lookup

    mutating func chargerSlot(site: String, charger: String) -> Int {
        let key = ChargerKey(site: site, charger: charger)
        if let c = chargerIndex[key] { return Int(c) }
        chargers.append(ChargerState(site: site, charger: charger))
        chargerIndex[key] = Int32(chargers.count - 1)
        return chargers.count - 1
    }

    mutating func slot(site: String, charger: String, evse: Int, connector: Int) -> Int {
        if evse == cacheEVSE && charger == cacheCharger && site == cacheSite && cacheSlot >= 0 { return cacheSlot }
        let key = EVSEKey(site: site, charger: charger, evse: evse)
        let i: Int
        if let found = evseIndex[key] {
            i = Int(found)
        } else {
            let c = chargerSlot(site: site, charger: charger)
            let rating = configuration.defaultRatingW
            evses.append(EVSEState(site: site, charger: charger, evse: evse, connector: connector,
                                   chargerIndex: Int32(c), ratingW: nil,
                                   threshold: configuration.threshold(ratingW: rating)))
            i = evses.count - 1
            evseIndex[key] = Int32(i)
            chargers[c].evses.append(Int32(i))
        }
        cacheSite = site
        cacheCharger = charger
        cacheEVSE = evse
        cacheSlot = i
        return i
    }

    /// Updates the charger's receive time and event clock; true when `t` is in the future.
    @discardableResult
    mutating func touch(_ c: Int, _ t: Int64, _ receivedAt: Int64) -> Bool {
        if receivedAt > chargers[c].lastReceive { chargers[c].lastReceive = receivedAt }
        if chargers[c].lastReceive < receiveFloor { receiveFloor = chargers[c].lastReceive }
        let limit = receivedAt &+ configuration.futureToleranceMs
        let clockT = t > limit ? limit : t
        if clockT > chargers[c].clock { chargers[c].clock = clockT }
        return t > limit
    }

    func pseudonym(_ tag: String?) -> String? {
        guard let tag else { return nil }
        guard let key = configuration.idTagHashKey else { return tag }
        return SessionHash.pseudonym(idTag: tag, key: key)
    }

    func findTransaction(charger c: Int, _ tx: String) -> Int? {
        for e in chargers[c].evses {
            let s = evses[Int(e)]
            if let o = s.open, o.names(tx) { return Int(e) }
            if s.recent.contains(where: { $0.names(tx) }) { return Int(e) }
        }
        return nil
    }

    mutating func markDirty(_ i: Int, _ id: String) {
        if dirty.last?.id != id { dirty.append(DirtyRef(evse: Int32(i), id: id)) }
    }

    func maxPower(_ e: EVSEState) -> Double {
        if let rating = e.ratingW ?? configuration.defaultRatingW, rating > 0 {
            return Swift.max(rating * 1.5, rating + 1_000)
        }
        return configuration.maxPlausiblePowerW
    }

    static func resolution(_ decimals: Int16) -> Double {
        var r = 1.0
        if decimals > 0 {
            for _ in 0..<Int(decimals) { r /= 10 }
        } else if decimals < 0 {
            for _ in 0..<Int(-decimals) { r *= 10 }
        }
        return r
    }
}
