import Pipeline
import PowerLevels
import Sessions
import Telemetry

/// The anomaly rules of a fleet (docs/anomalies.md): one per runtime, or per shard of chargers.
///
/// A plain value: no I/O, no threads, no wall clock. Measurement rules run on **event time** (reading, status and
/// session-event timestamps); silence rules (`telemetry_gap`, `clock_skew`, `broker_drops`) on **receive time**,
/// from the `receivedAt` arguments and `advance(to:)`. Deadline rules (a `for` duration, `bay_blocked`) open on
/// the charger's own data or, while it is quiet, on `advance(to:)` with its clock projected by the receive time
/// elapsed since its last message; `started_at` / `resolved_at` are always the computed event times, so they do
/// not depend on when ticks come.
///
/// Every anomaly is deduplicated on (charger, EVSE, kind), (charger, kind), (site, kind) or globally, and lives
/// opened → updated* → resolved. Transitions collect until `drainTransitions()`. The whole state is `Codable`
/// (checkpoints): encode, decode, continue, with identical results.
public struct AnomalyDetector: Sendable, Codable {
    public internal(set) var configuration: AnomalyConfiguration
    public internal(set) var limits: FleetLimits
    public internal(set) var counters = AnomalyCounters()

    var sites: [SiteSlot] = []
    var siteIndex: [String: Int32] = [:]
    var chargers: [ChargerSlot] = []
    var chargerIndex: [ChargerKey: Int32] = [:]
    var evses: [EVSESlot] = []
    var evseIndex: [EVSEKey: Int32] = [:]
    var conds: [Cond] = []
    var records: [OpenRecord?] = []
    var freeRecords: [Int32] = []
    var transitions: [AnomalyTransition] = []
    var phases: [PhaseSlot] = []
    var volts: [VoltSlot] = []
    var spikeRing: [Double] = []
    var spikeSorted: [Double] = []
    var skewRing: [Double] = []
    var skewSorted: [Double] = []
    var brokerCond: Int32 = 0
    var brokerTotal: UInt64?
    var monitorStart: Int64 = .min

    // Caches, not part of snapshots.
    var cacheSite = ""
    var cacheCharger = ""
    var cacheEVSE = Int.min
    var cacheSlot = -1
    /// PowerLevels connector id → site slot + 1 (0: not resolved yet).
    var connectorSites: [Int32] = []
    var projected: [Int64] = []
    var siteProjected: [Int64] = []
    /// Per EVSE: false when all its conditions are idle and no bay deadline is armed, so `advance(to:)` has
    /// nothing to do for it. Out of step with `evses` (after decoding) until the next `advance(to:)` rebuilds it.
    var evseHot: [Bool] = []
    /// Per charger: false while its clock-skew condition is idle, so `advance(to:)` does not look at it (that look
    /// was a cache miss per charger per second, over half of the advance). Set when a skew sample leaves the
    /// condition out of idle; rebuilt, like `evseHot`, when out of step with `chargers`.
    var skewHot: [Bool] = []

    enum CodingKeys: String, CodingKey {
        case configuration, limits, counters, sites, siteIndex, chargers, chargerIndex, evses, evseIndex, conds,
             records, freeRecords, transitions, phases, volts, spikeRing, spikeSorted, skewRing, skewSorted,
             brokerCond, brokerTotal, monitorStart
    }

    /// A detector for `fleet` (its ratings, site limits, `offline_after`; declared chargers are watched for silence
    /// from the first `advance(to:)`).
    public init(configuration: AnomalyConfiguration = AnomalyConfiguration(), fleet: Fleet = Fleet()) {
        self.init(configuration: configuration, limits: FleetLimits(fleet))
    }

    public init(configuration: AnomalyConfiguration, limits: FleetLimits) {
        self.configuration = configuration
        self.limits = limits
        conds.append(Cond(kind: .brokerDrops, owner: 0))
        brokerCond = 0
        for id in limits.declaredChargers {
            guard let site = limits.chargers[id]?.site else { continue }
            let c = chargerSlot(site: site, charger: id)
            chargers[c].declared = true
        }
    }

    // MARK: - Outputs

    /// Transitions since the last call, in the order they happened to be processed.
    public mutating func drainTransitions() -> [AnomalyTransition] {
        defer { transitions.removeAll(keepingCapacity: true) }
        return transitions
    }

    /// How many anomalies are open: `openAnomalies.count` without building them (every commit asks, for a gauge).
    public var openAnomalyCount: Int { records.count - freeRecords.count }

    /// The anomalies open now, with their current figures.
    public var openAnomalies: [Anomaly] {
        conds.indices.compactMap { ci in
            conds[ci].record >= 0 ? current(ci, at: records[Int(conds[ci].record)]!.anomaly.updatedAt) : nil
        }
    }

    // MARK: - Interning

    mutating func siteSlot(_ id: String) -> Int {
        if let s = siteIndex[id] { return Int(s) }
        let declared = limits.sites[id]
        let grid = declared?.gridLimitW ?? configuration.siteOverload.limitKW.map { $0 * 1_000 } ?? 0
        let imbalance = declared?.phaseImbalanceLimitVA ?? configuration.phaseImbalance.limitKVA.map { $0 * 1_000 } ?? 0
        let s = sites.count
        conds.append(Cond(kind: .phaseImbalance, owner: Int32(s)))
        conds.append(Cond(kind: .siteOverload, owner: Int32(s)))
        sites.append(SiteSlot(id: id, gridLimitW: grid, imbalanceLimitVA: imbalance,
                              imbalanceCond: Int32(conds.count - 2), overloadCond: Int32(conds.count - 1)))
        siteIndex[id] = Int32(s)
        return s
    }

    mutating func chargerSlot(site: String, charger: String) -> Int {
        let key = ChargerKey(site: site, charger: charger)
        if let c = chargerIndex[key] { return Int(c) }
        let s = siteSlot(site)
        let c = chargers.count
        let declared = limits.chargers[charger]
        conds.append(Cond(kind: .telemetryGap, owner: Int32(c)))
        conds.append(Cond(kind: .clockSkew, owner: Int32(c)))
        chargers.append(ChargerSlot(
            site: site, charger: charger, siteSlot: Int32(s),
            offlineAfterMs: declared?.offlineAfterMs ?? configuration.telemetryGap.afterMs,
            declared: false, gapCond: Int32(conds.count - 2), skewCond: Int32(conds.count - 1)))
        chargerIndex[key] = Int32(c)
        if skewHot.count == c { skewHot.append(false) }
        return c
    }

    mutating func evseSlot(site: String, charger: String, evse: Int) -> Int {
        if evse == cacheEVSE && charger == cacheCharger && site == cacheSite && cacheSlot >= 0 { return cacheSlot }
        let key = EVSEKey(site: site, charger: charger, evse: evse)
        let i: Int
        if let found = evseIndex[key] {
            i = Int(found)
        } else {
            let c = chargerSlot(site: site, charger: charger)
            i = evses.count
            var slot = EVSESlot(site: chargers[c].siteSlot, charger: Int32(c), evse: evse, condBase: Int32(conds.count))
            for rule in EVSERule.allCases { conds.append(Cond(kind: rule.kind, owner: Int32(i))) }
            if let e = limits.chargers[charger]?.evses[evse] {
                slot.declared = true
                slot.ratedW = e.ratedW
                slot.isDC = e.isDC
                slot.isAC = e.isAC
                slot.phases = e.phases ?? 0
                slot.nominalV = e.nominalV ?? 0
            }
            if evseHot.count == i { evseHot.append(false) }
            evses.append(slot)
            phases.append(contentsOf: repeatElement(PhaseSlot(), count: 3))
            volts.append(contentsOf: repeatElement(VoltSlot(), count: 4))
            evseIndex[key] = Int32(i)
            chargers[c].evses.append(Int32(i))
        }
        cacheSite = site
        cacheCharger = charger
        cacheEVSE = evse
        cacheSlot = i
        return i
    }

    /// True when `advance(to:)` may have something to do for EVSE i (a condition not idle, a bay deadline armed).
    func evseIsHot(_ i: Int) -> Bool {
        if evses[i].bayDeadline != .max { return true }
        let base = Int(evses[i].condBase)
        for ci in base..<(base + EVSERule.allCases.count) where !conds[ci].idle { return true }
        return false
    }

    @inline(__always)
    mutating func markHot(evse i: Int) {
        if i < evseHot.count { evseHot[i] = true }
    }

    @inline(__always)
    func condIndex(_ i: Int, _ rule: EVSERule) -> Int { Int(evses[i].condBase) + rule.rawValue }

    // MARK: - Input

    /// Everything one decoded message carried. A retained delivery (the broker replaying a last status) updates
    /// state but is no contact: it neither ends a gap nor feeds clock_skew.
    public mutating func process(_ output: DecodeOutput, receivedAt: Int64) {
        let contact = !output.retained
        for event in output.events {
            switch event {
            case .transaction(let t): process(t, receivedAt: receivedAt, contact: contact)
            case .status(let s): process(s, receivedAt: receivedAt, contact: contact)
            case .callFailure(let f):
                if contact { noteContact(site: f.origin.site, charger: f.origin.charger, receivedAt: receivedAt) }
            }
        }
        for reading in output.readings { process(reading, receivedAt: receivedAt, contact: contact) }
    }

    /// Contact from a charger that carried nothing the rules read (heartbeat, boot notification, ...).
    public mutating func noteContact(site: String, charger: String, receivedAt: Int64) {
        let c = chargerSlot(site: site, charger: charger)
        touch(c, receivedAt: receivedAt)
    }

    /// One reading. Used: `Energy.Active.Import.Register` and `Power.Active.Import` (Outlet/Inlet; power per phase
    /// too), `Power.Offered`, `Voltage`, `Current.Import` per phase, `SoC`. Anything else is dismissed after one
    /// switch, before any lookup.
    public mutating func process(_ reading: Reading, receivedAt: Int64, contact: Bool = true) {
        var hint: Int32 = -1
        process(reading, receivedAt: receivedAt, contact: contact, slot: &hint)
    }

    /// `process(_:receivedAt:contact:)` with the caller's cached EVSE slot for the reading's series: used when it
    /// still names the reading's EVSE, else looked up and updated. Start with -1. Same results, no hashing on a hit.
    public mutating func process(_ reading: Reading, receivedAt: Int64, contact: Bool = true, slot hint: inout Int32) {
        counters.readings += 1
        let s = reading.series
        let grid = s.location == .outlet || s.location == .inlet
        var kind: UInt8
        switch s.measurand {
        case .energyActiveImportRegister:
            guard grid, s.phase == nil else { return dismiss() }
            kind = 0
        case .powerActiveImport:
            guard grid else { return dismiss() }
            switch s.phase {
            case nil: kind = 1
            case .l1?, .l1n?: kind = 2
            case .l2?, .l2n?: kind = 3
            case .l3?, .l3n?: kind = 4
            default: return dismiss()
            }
        case .powerOffered:
            guard s.phase == nil else { return dismiss() }
            kind = 5
        case .voltage:
            guard grid || s.location == .cable else { return dismiss() }
            switch s.phase {
            case nil: kind = 6
            case .l1?, .l1n?, .l1l2?: kind = 7
            case .l2?, .l2n?, .l2l3?: kind = 8
            case .l3?, .l3n?, .l3l1?: kind = 9
            default: return dismiss()
            }
        case .currentImport:
            guard grid else { return dismiss() }
            switch s.phase {
            case .l1?: kind = 10
            case .l2?: kind = 11
            case .l3?: kind = 12
            default: return dismiss()
            }
        case .soc:
            kind = 13
        default:
            return dismiss()
        }
        guard s.evse >= 0, configuration.enabled else { return dismiss() }
        let i: Int
        let h = Int(hint)
        if h >= 0, h < evses.count, evses[h].evse == s.evse, chargers[Int(evses[h].charger)].charger == s.charger,
           chargers[Int(evses[h].charger)].site == s.site {
            i = h
        } else {
            i = evseSlot(site: s.site, charger: s.charger, evse: s.evse)
            hint = Int32(i)
        }
        let t = reading.timestamp
        if contact {
            touch(Int(evses[i].charger), eventTime: t, receivedAt: receivedAt, skew: true)
        }
        let v = reading.value
        switch kind {
        case 0: register(i, t, v, decimals: reading.decimals, context: reading.context, connector: s.connector)
        case 1: totalPower(i, t, v, connector: s.connector)
        case 2, 3, 4: phasePower(i, Int(kind - 2), t, v, connector: s.connector)
        case 5:
            if t >= evses[i].offeredT {
                evses[i].offeredT = t
                evses[i].offeredW = v
            }
        case 6, 7, 8, 9: voltage(i, Int(kind - 6), t, v, lineToLine: s.phase?.isLineToLine ?? false,
                                 location: s.location, connector: s.connector)
        case 10, 11, 12: phaseCurrent(i, Int(kind - 10), t, v)
        default: stateOfCharge(i, t, v, connector: s.connector)
        }
        if t >= evses[i].bayDeadline { checkBay(i, t) }
    }

    @inline(__always)
    mutating func dismiss() { counters.dismissed += 1 }

    /// A status change. Drives `fault`, `charging_stalled` (status charging) and the plug state (`bay_blocked`,
    /// session boundaries; `Available` is an unplug).
    public mutating func process(_ change: StatusChange, receivedAt: Int64, contact: Bool = true) {
        counters.statusChanges += 1
        guard change.evse >= 0, configuration.enabled else { return }
        let i = evseSlot(site: change.origin.site, charger: change.origin.charger, evse: change.evse)
        let t = change.timestamp
        if contact {
            touch(Int(evses[i].charger), eventTime: t, receivedAt: receivedAt, skew: change.timestampFromCharger)
        }
        if change.connector >= 1 { evses[i].connector = change.connector }
        faultStatus(i, change)
        setCharging(i, change.status == .charging, at: t, connector: change.connector)
        switch change.status {
        case .available:
            unplugged(i, at: t)
        case .suspendedEV, .suspendedEVSE, .finishing:
            evses[i].plugged = true
            holdPower(i, until: t)
        case .preparing, .charging, .occupied:
            evses[i].plugged = true
        case .reserved, .unavailable, .faulted:
            break
        }
        if t >= evses[i].bayDeadline { checkBay(i, t) }
    }

    /// A transaction event: contact (clock_skew unless buffered offline), session boundaries, 2.0.1 chargingState.
    public mutating func process(_ event: TransactionEvent, receivedAt: Int64, contact: Bool = true) {
        guard configuration.enabled else { return }
        let c = chargerSlot(site: event.origin.site, charger: event.origin.charger)
        if contact { touch(c, eventTime: event.timestamp, receivedAt: receivedAt, skew: !event.offline) }
        guard event.evse >= 1 else { return }
        let i = evseSlot(site: event.origin.site, charger: event.origin.charger, evse: event.evse)
        let t = event.timestamp
        if event.connector >= 1 { evses[i].connector = event.connector }
        switch event.kind {
        case .started:
            evses[i].plugged = true
            boundary(i, at: t)
        case .ended:
            boundary(i, at: t)
            flowStopped(i, at: t)
        default: break
        }
        if let state = event.chargingState {
            setCharging(i, state == "Charging", at: t, connector: event.connector)
            if state == "SuspendedEV" || state == "SuspendedEVSE" || state == "EVConnected" { holdPower(i, until: t) }
            // 2.0.1 `Idle` means no EV connected.
            if state == "Idle" { unplugged(i, at: t) } else { evses[i].plugged = true }
        }
        if t >= evses[i].bayDeadline { checkBay(i, t) }
    }

    /// A session event from the session stage: the open session's id (attached to anomalies), charging complete /
    /// ended (arms `bay_blocked`), resumed, started (session boundaries).
    public mutating func process(_ event: SessionEvent) {
        counters.sessionEvents += 1
        guard event.evse >= 1, configuration.enabled else { return }
        let i = evseSlot(site: event.site, charger: event.charger, evse: event.evse)
        let t = event.at
        switch event.kind {
        case .started:
            evses[i].sessionId = event.sessionId
            evses[i].sessionOpen = true
            boundary(i, at: t)
            disarmBay(i, at: t)
        case .chargingComplete:
            evses[i].sessionId = event.sessionId
            evses[i].plugged = true
            armBay(i, chargingEndedAt: event.figures.chargingEndedAt ?? t)
        case .chargingResumed:
            disarmBay(i, at: t)
        case .ended:
            if evses[i].sessionId == nil { evses[i].sessionId = event.sessionId }
            evses[i].sessionOpen = false
            boundary(i, at: t)
            flowStopped(i, at: t)
            let reason = (event.figures.reason ?? "").lowercased()
            if reason.contains("unplug") || reason.contains("disconnect") || reason.contains("departed") {
                unplugged(i, at: t)
            } else if evses[i].chargingEndedAt == .min, let ended = event.figures.chargingEndedAt {
                armBay(i, chargingEndedAt: ended)
            }
        case .nearComplete, .amendment:
            break
        }
        if t >= evses[i].bayDeadline { checkBay(i, t) }
    }

    /// Names the session open on an EVSE (for runtimes that do not feed session events); nil: none.
    public mutating func noteSession(site: String, charger: String, evse: Int, sessionId: String?) {
        let i = evseSlot(site: site, charger: charger, evse: evse)
        evses[i].sessionOpen = sessionId != nil
        if let sessionId { evses[i].sessionId = sessionId }
    }

    /// The site's current load (W) at event time `at`: `site_overload`.
    public mutating func noteSiteLoad(site: String, loadW: Double, at: Int64) {
        guard configuration.enabled else { return }
        siteLoad(siteSlot(site), loadW, at)
    }

    /// The site load of `connector`'s site as the power-level stage sums it (`siteLoadW(of:)`), at event time
    /// `at`: call it after ingesting a power reading. No hashing after the first call per connector.
    public mutating func noteSiteLoad(from levels: PowerLevelProcessor, connector: ConnectorID, at: Int64) {
        guard configuration.enabled else { return }
        let k = Int(connector.rawValue)
        if k >= connectorSites.count {
            connectorSites.append(contentsOf: repeatElement(0, count: k + 1 - connectorSites.count))
        }
        if connectorSites[k] == 0 { connectorSites[k] = Int32(siteSlot(levels.identity(of: connector).site) + 1) }
        let s = Int(connectorSites[k] - 1)
        guard sites[s].gridLimitW > 0 else { return }
        siteLoad(s, levels.siteLoadW(of: connector), at)
    }

    /// The broker's dropped-message counter (e.g. `$SYS/broker/publish/messages/dropped`), received at
    /// `receivedAt`. The first report (and a counter that went down: a broker restart) sets the baseline.
    public mutating func noteBrokerDropped(total: UInt64, receivedAt: Int64) {
        guard configuration.enabled else { return }
        defer { brokerTotal = total }
        guard let previous = brokerTotal, total >= previous else { return }
        let settings = configuration.brokerDrops
        guard settings.enabled else { return }
        let delta = Double(total - previous)
        observe(Int(brokerCond), at: receivedAt, bad: delta > settings.threshold, value: delta, score: delta,
                threshold: settings.threshold)
    }

    /// Moves receive time on: opens `telemetry_gap` for chargers silent past their `offline_after`, drops silent
    /// chargers' phase loads, and runs the deadlines of the other rules (`for`, `clear_after`, `bay_blocked`,
    /// rate-limited updates) with each charger's clock projected to `receiveTime`. Call it about once a second.
    public mutating func advance(to receiveTime: Int64) {
        guard configuration.enabled else { return }
        let r = receiveTime
        if monitorStart == .min { monitorStart = r }
        if projected.count < chargers.count {
            projected.append(contentsOf: repeatElement(.min, count: chargers.count - projected.count))
        }
        if siteProjected.count == sites.count {
            for s in siteProjected.indices { siteProjected[s] = .min }
        } else {
            siteProjected = Array(repeating: .min, count: sites.count)
        }
        if skewHot.count != chargers.count { skewHot = chargers.map { !conds[Int($0.skewCond)].idle } }
        var sawMax = false
        let gap = configuration.telemetryGap
        let hold = configuration.phaseImbalance.holdMs
        for c in chargers.indices {
            let last = chargers[c].lastReceive
            let base = last != .min ? last : (chargers[c].declared ? monitorStart : .min)
            if gap.enabled, base != .min, r - base >= chargers[c].offlineAfterMs {
                let seconds = Double(r - base) / 1_000
                chargers[c].gapOpen = true
                observe(Int(chargers[c].gapCond), at: r, bad: true, value: seconds, score: seconds,
                        threshold: Double(chargers[c].offlineAfterMs) / 1_000, since: base)
            }
            if chargers[c].contributing, last != .min, r - last > hold { dropContributions(c, at: chargers[c].clock) }
            let clock = chargers[c].clock
            let p = clock == .min ? Int64.min : clock &+ Swift.max(0, r - chargers[c].clockReceive)
            projected[c] = p
            if p == .max { sawMax = true }
            let s = Int(chargers[c].siteSlot)
            if p > siteProjected[s] { siteProjected[s] = p }
            if skewHot[c] {
                let ci = Int(chargers[c].skewCond)
                tick(ci, at: r)
                skewHot[c] = !conds[ci].idle
            }
        }
        if evseHot.count != evses.count { evseHot = evses.indices.map { evseIsHot($0) } }
        for i in evses.indices where evseHot[i] || sawMax {
            let p = projected[Int(evses[i].charger)]
            guard p != .min else { continue }
            if p >= evses[i].bayDeadline { checkBay(i, p) }
            let base = Int(evses[i].condBase)
            for ci in base..<(base + EVSERule.allCases.count) where !conds[ci].idle { tick(ci, at: p) }
            evseHot[i] = evseIsHot(i)
        }
        for s in sites.indices where siteProjected[s] != .min {
            tick(Int(sites[s].imbalanceCond), at: siteProjected[s])
            tick(Int(sites[s].overloadCond), at: siteProjected[s])
        }
        tick(Int(brokerCond), at: r)
    }

    // MARK: - Contact and clocks

    mutating func touch(_ c: Int, receivedAt r: Int64) {
        if r > chargers[c].lastReceive { chargers[c].lastReceive = r }
        if chargers[c].gapOpen { endGap(c, at: r) }
    }

    @inline(__always)
    mutating func touch(_ c: Int, eventTime t: Int64, receivedAt r: Int64, skew: Bool) {
        if r > chargers[c].lastReceive { chargers[c].lastReceive = r }
        if chargers[c].gapOpen { endGap(c, at: r) }
        let limit = r &+ configuration.futureToleranceMs
        let clock = t < limit ? t : limit
        if clock > chargers[c].clock {
            chargers[c].clock = clock
            chargers[c].clockReceive = r
        }
        if skew, t != chargers[c].lastSkewT || r != chargers[c].lastSkewR, configuration.clockSkew.enabled {
            skewSample(c, t, r)
        }
    }

    mutating func endGap(_ c: Int, at r: Int64) {
        chargers[c].gapOpen = false
        let ci = Int(chargers[c].gapCond)
        guard conds[ci].record >= 0 else {
            conds[ci].since = .min
            return
        }
        let seconds = Double(r - conds[ci].since) / 1_000
        observe(ci, at: r, bad: false, value: seconds, score: seconds, clearValue: true)
    }
}
