import Telemetry

/// The power-level stage: per connector measured or derived power, rolling 1-minute average and peak,
/// clock-aligned interval records with the utilities' demand (energy × 4 for 15 minutes), and charger and site
/// aggregate load built from each connector's latest power held for a bounded time.
///
/// A plain value: no I/O, no threads, no wall clock. Time comes from reading timestamps and from `advance(to:)`.
/// Feed each charger's readings in non-decreasing timestamp order (what the reordering stage releases); older
/// readings are handled as late (see `IngestOutcome`). Closed records collect in `closedIntervals`; take them
/// with `drainClosedIntervals()`. The whole state is `Codable` for checkpoints: encode it, decode it later, go on
/// with identical results.
///
/// Hot path: resolve each series once with `channel(for:)` and call `ingest(_:timestamp:value:)` with the key; it
/// does no allocation and no hashing. Definitions: docs/power-levels.md.
public struct PowerLevelProcessor: Sendable, Codable {
    public let configuration: PowerLevelConfiguration
    public internal(set) var counters = PowerLevelCounters()
    /// Closed interval records not drained yet, in the order they closed.
    public internal(set) var closedIntervals: [PowerInterval] = []

    var identities: [ConnectorIdentity] = []
    var connectors: [ConnectorState] = []
    // Rolling window: 60 one-second buckets per connector, connector c at [c·60, c·60 + 60).
    var bucketSum: [Double] = []
    var bucketMax: [Double] = []
    var bucketCount: [UInt32] = []
    var groups: [LoadGroup] = []
    var connectorIndex: [ConnectorIdentity: Int32] = [:]
    var chargerIndex: [ChargerKey: Int32] = [:]
    var siteIndex: [String: Int32] = [:]
    /// Every interval ending at or before this is closed everywhere (moved by `advance(to:)`).
    var closedFrontier = Int64.min
    var advancedTo = Int64.min
    /// A lower bound of every live connector's hold expiry (`.max`: none live): `advance(to:)` has nothing to
    /// expire before it. A cache, not part of snapshots (`.min` after decoding: unknown).
    var expiryFloor = Int64.min

    enum CodingKeys: String, CodingKey {
        case configuration, counters, closedIntervals, identities, connectors, bucketSum, bucketMax, bucketCount,
             groups, connectorIndex, chargerIndex, siteIndex, closedFrontier, advancedTo
    }

    static let bucketCountPerConnector = 60

    public init(configuration: PowerLevelConfiguration = PowerLevelConfiguration()) {
        self.configuration = configuration
    }

    // MARK: - Interning

    /// The id of a connector, created on first use.
    public mutating func connector(_ identity: ConnectorIdentity) -> ConnectorID {
        if let id = connectorIndex[identity] { return ConnectorID(rawValue: id) }
        let site: Int32
        if let s = siteIndex[identity.site] {
            site = s
        } else {
            site = Int32(groups.count)
            groups.append(LoadGroup(isSite: true, site: identity.site, charger: nil))
            siteIndex[identity.site] = site
        }
        let chargerKey = ChargerKey(site: identity.site, charger: identity.charger)
        let charger: Int32
        if let h = chargerIndex[chargerKey] {
            charger = h
        } else {
            charger = Int32(groups.count)
            groups.append(LoadGroup(isSite: false, site: identity.site, charger: identity.charger))
            chargerIndex[chargerKey] = charger
        }
        let id = Int32(connectors.count)
        identities.append(identity)
        connectors.append(ConnectorState(chargerGroup: charger, siteGroup: site, isMainMeter: identity.isMainMeter,
                                         closedThrough: closedFrontier))
        bucketSum.append(contentsOf: repeatElement(0, count: Self.bucketCountPerConnector))
        bucketMax.append(contentsOf: repeatElement(0, count: Self.bucketCountPerConnector))
        bucketCount.append(contentsOf: repeatElement(0, count: Self.bucketCountPerConnector))
        groups[Int(charger)].members.append(id)
        groups[Int(site)].members.append(id)
        connectorIndex[identity] = id
        return ConnectorID(rawValue: id)
    }

    /// The key to ingest a series' readings with, or nil when power levels do not use the series (another
    /// measurand, phase or location; or an unattributed EVSE, which is counted).
    public mutating func channel(for series: Series) -> ChannelKey? {
        guard let kind = ChannelKind(series) else { return nil }
        guard series.evse >= 0 else {
            counters.unattributed += 1
            return nil
        }
        let id = connector(ConnectorIdentity(site: series.site, charger: series.charger, evse: series.evse,
                                             connector: series.connector))
        return ChannelKey(connector: id, kind: kind)
    }

    /// `channel(for:)` with the caller's cached connector id for the series' connector: used when it still names
    /// that connector, else looked up (interned) and updated. Start with -1. Same results, no hashing on a hit.
    public mutating func channel(for series: Series, connector hint: inout Int32) -> ChannelKey? {
        guard let kind = ChannelKind(series) else { return nil }
        guard series.evse >= 0 else {
            counters.unattributed += 1
            return nil
        }
        let h = Int(hint)
        if h >= 0, h < identities.count, identities[h].evse == series.evse, identities[h].connector == series.connector,
           identities[h].charger == series.charger, identities[h].site == series.site {
            return ChannelKey(connector: ConnectorID(rawValue: hint), kind: kind)
        }
        let id = connector(ConnectorIdentity(site: series.site, charger: series.charger, evse: series.evse,
                                             connector: series.connector))
        hint = id.rawValue
        return ChannelKey(connector: id, kind: kind)
    }

    /// Where a connector is.
    public func identity(of id: ConnectorID) -> ConnectorIdentity { identities[Int(id.rawValue)] }

    /// Every connector interned so far, in id order.
    public var connectorIDs: [ConnectorID] { (0..<Int32(connectors.count)).map { ConnectorID(rawValue: $0) } }

    // MARK: - Input

    /// Convenience for tests and cold paths: resolves the series (a dictionary lookup) and ingests.
    /// Nil when the series is not one power levels use.
    @discardableResult
    public mutating func ingest(_ reading: Reading) -> IngestOutcome? {
        guard let key = channel(for: reading.series) else { return nil }
        return ingest(key, timestamp: reading.timestamp, value: reading.value)
    }

    /// Takes one reading: `value` in canonical units (W for power, Wh for the register), `timestamp` ms UTC.
    @discardableResult
    public mutating func ingest(_ key: ChannelKey, timestamp: Int64, value: Double) -> IngestOutcome {
        let c = Int(key.connector.rawValue)
        if key.kind == .register { return ingestRegister(c, timestamp, value) }
        return ingestPower(c, key.kind, timestamp, value)
    }

    /// Moves time on to `time` (receive time, ms UTC) for chargers that fell silent:
    /// - closes every connector interval that ended at least `closeDelayMs` before `time` (flag `closedBySilence`,
    ///   energy integrated from power when its end register never came), and emits the charger and site records
    ///   of those intervals (charger and site records are only ever emitted here);
    /// - drops from charger and site sums every held connector power whose hold ended before `time`.
    /// Call it about once a second; `advance(to: .max)` closes everything (for the end of a replay).
    public mutating func advance(to time: Int64) {
        if time > advancedTo { advancedTo = time }
        let len = configuration.intervalMs
        if time >= Int64.min + configuration.closeDelayMs {
            let horizon = time - configuration.closeDelayMs
            let frontier = floorDiv(horizon, len) &* len
            if frontier > closedFrontier {
                for c in connectors.indices {
                    if let p = connectors[c].pending, (p.index + 1) * len <= frontier {
                        connectors[c].pending = nil
                        close(p, connector: c, bySilence: true)
                    }
                    if let index = connectors[c].open?.index, (index + 1) * len <= frontier {
                        integrate(c, to: (index + 1) * len)
                        let o = connectors[c].open!
                        connectors[c].open = nil
                        close(o, connector: c, bySilence: true)
                    }
                    if connectors[c].closedThrough < frontier { connectors[c].closedThrough = frontier }
                }
                closedFrontier = frontier
                for g in groups.indices { emitGroupIntervals(g, through: frontier) }
            }
        }
        // Nothing held expires before `time` when the floor is at or past it: expire(g) would do nothing (a group
        // with nothing live already has a zero sum).
        guard time > expiryFloor else { return }
        var floor = Int64.max
        for g in groups.indices {
            expire(g, before: time)
            let h = groups[g].head
            if h >= 0, connectors[Int(h)].expiry < floor { floor = connectors[Int(h)].expiry }
        }
        expiryFloor = floor
    }

    /// Takes the closed interval records collected so far.
    public mutating func drainClosedIntervals() -> [PowerInterval] {
        defer { closedIntervals.removeAll(keepingCapacity: true) }
        return closedIntervals
    }

    // MARK: - Power

    mutating func ingestPower(_ c: Int, _ kind: ChannelKind, _ ts: Int64, _ value: Double) -> IngestOutcome {
        let last: Int64
        switch kind {
        case .total: last = connectors[c].totalTs
        case .l1: last = connectors[c].l1Ts
        case .l2: last = connectors[c].l2Ts
        default: last = connectors[c].l3Ts
        }
        if ts == last {
            counters.duplicates += 1
            return .duplicate
        }
        if ts < last || ts < connectors[c].clock || ts < connectors[c].closedThrough {
            counters.late += 1
            return .late
        }
        counters.accepted += 1
        switch kind {
        case .total:
            connectors[c].totalTs = ts
            connectors[c].reportsTotal = true
        case .l1:
            connectors[c].l1Ts = ts
            connectors[c].l1W = value
        case .l2:
            connectors[c].l2Ts = ts
            connectors[c].l2W = value
        default:
            connectors[c].l3Ts = ts
            connectors[c].l3W = value
        }
        connectors[c].hasMeasured = true
        let isTotal = kind == .total
        if ts > connectors[c].sampleTs {
            // A new instant. Phases only make samples on connectors that never sent a total.
            if isTotal || !connectors[c].reportsTotal { newSample(c, ts, value, derived: false, total: isTotal) }
            return .accepted
        }
        // The same instant as the current sample: complete it.
        if connectors[c].sampleDerived {
            connectors[c].sampleDerived = false
            connectors[c].open!.derivedSamples -= 1
            connectors[c].sampleHasTotal = isTotal
            amend(c, to: value)
        } else if isTotal {
            if !connectors[c].sampleHasTotal {
                connectors[c].sampleHasTotal = true
                amend(c, to: value)
            }
        } else if !connectors[c].sampleHasTotal && !connectors[c].reportsTotal {
            amend(c, to: connectors[c].sampleW + value)
        }
        return .accepted
    }

    /// How long connector c's latest power is held.
    @inline(__always)
    func hold(_ c: Int) -> Int64 {
        let gap = connectors[c].gapMs
        guard gap > 0 else { return configuration.maxHoldMs }
        let h = gap &* configuration.holdFactor
        return h < configuration.maxHoldMs && h > 0 ? h : configuration.maxHoldMs
    }

    mutating func newSample(_ c: Int, _ ts: Int64, _ w: Double, derived: Bool, total: Bool) {
        roll(c, to: ts)
        let previous = connectors[c].sampleTs
        if previous != Int64.min { connectors[c].gapMs = ts - previous }
        connectors[c].sampleTs = ts
        connectors[c].sampleW = w
        connectors[c].sampleHasTotal = total
        connectors[c].sampleDerived = derived
        connectors[c].integratedThrough = ts
        // Rolling buckets.
        let second = floorDiv(ts, 1_000)
        let base = c &* Self.bucketCountPerConnector
        let newest = connectors[c].bucketSecond
        if second > newest {
            if newest == Int64.min || second - newest >= 60 {
                clearBuckets(base..<(base + 60))
            } else {
                // The seconds after `newest` up to `second`, as slots of the ring: one range, or two when it wraps.
                let first = Int(floorMod(newest + 1, 60)), span = Int(second - newest)
                if first + span <= 60 {
                    clearBuckets((base + first)..<(base + first + span))
                } else {
                    clearBuckets((base + first)..<(base + 60))
                    clearBuckets(base..<(base + first + span - 60))
                }
            }
            connectors[c].bucketSecond = second
        }
        let k = base + Int(floorMod(second, 60))
        bucketMax[k] = bucketCount[k] == 0 ? w : Swift.max(bucketMax[k], w)
        bucketSum[k] += w
        bucketCount[k] += 1
        // The open interval (roll made it the one holding ts).
        connectors[c].open!.peakW = connectors[c].open!.sampleCount == 0 ? w : Swift.max(connectors[c].open!.peakW, w)
        connectors[c].open!.sampleCount += 1
        connectors[c].open!.sumW += w
        if derived { connectors[c].open!.derivedSamples += 1 }
        updateHeld(c, w, expiry: ts &+ hold(c), at: ts)
    }

    /// Empties rolling-bucket slots (one uniqueness check per array, not one per slot).
    @inline(__always)
    mutating func clearBuckets(_ slots: Range<Int>) {
        bucketSum.withUnsafeMutableBufferPointer { $0[slots].update(repeating: 0) }
        bucketMax.withUnsafeMutableBufferPointer { $0[slots].update(repeating: 0) }
        bucketCount.withUnsafeMutableBufferPointer { $0[slots].update(repeating: 0) }
    }

    /// Replaces the value of the current sample (another phase, or a total, at the same instant).
    mutating func amend(_ c: Int, to w: Double) {
        let delta = w - connectors[c].sampleW
        connectors[c].sampleW = w
        let k = c &* Self.bucketCountPerConnector + Int(floorMod(floorDiv(connectors[c].sampleTs, 1_000), 60))
        bucketSum[k] += delta
        bucketMax[k] = Swift.max(bucketMax[k], w)
        connectors[c].open!.sumW += delta
        connectors[c].open!.peakW = Swift.max(connectors[c].open!.peakW, w)
        updateHeld(c, w, expiry: connectors[c].expiry, at: connectors[c].sampleTs)
    }

    // MARK: - Register

    mutating func ingestRegister(_ c: Int, _ ts: Int64, _ v: Double) -> IngestOutcome {
        let t1 = connectors[c].registerTs
        if ts == t1 {
            counters.duplicates += 1
            return .duplicate
        }
        if ts < t1 {
            counters.late += 1
            return .late
        }
        if ts < connectors[c].closedThrough {
            // Too old for any open interval, but newer than the baseline: it becomes the baseline, so the next
            // reading derives power and interpolates the next boundary from it. Closed intervals stay as they are.
            connectors[c].registerTs = ts
            connectors[c].registerWh = v
            connectors[c].hasRegister = true
            connectors[c].derivedW = nil
            connectors[c].boundaryIndex = Int64.min
            counters.late += 1
            counters.lateRegisterBaselines += 1
            return .late
        }
        counters.accepted += 1
        let len = configuration.intervalMs
        var outcome = IngestOutcome.accepted
        var derived: Double?
        if t1 != Int64.min {
            let v1 = connectors[c].registerWh
            if v < v1 {
                counters.registerRegressions += 1
                outcome = .registerRegression
                markBadBracket(c, from: t1, to: ts, reset: true)
            } else if ts - t1 > configuration.maxRegisterGapMs {
                counters.registerGaps += 1
                outcome = .registerGap
                markBadBracket(c, from: t1, to: ts, reset: false)
            } else {
                var k = floorDiv(t1, len) + 1
                let last = floorDiv(ts, len)
                while k <= last {
                    let b = k * len
                    let r = b == ts ? v : v1 + (v - v1) * (Double(b - t1) / Double(ts - t1))
                    setBoundary(c, k, r)
                    k += 1
                }
                derived = (v - v1) * 3_600_000 / Double(ts - t1)
            }
        } else if floorMod(ts, len) == 0 {
            setBoundary(c, floorDiv(ts, len), v)
        }
        connectors[c].registerTs = ts
        connectors[c].registerWh = v
        connectors[c].hasRegister = true
        connectors[c].derivedW = derived
        if let p = connectors[c].pending, p.endRegisterWh != nil {
            connectors[c].pending = nil
            close(p, connector: c, bySilence: false)
        }
        if ts >= connectors[c].clock {
            roll(c, to: ts)
            if let d = derived, !connectors[c].hasMeasured, ts > connectors[c].sampleTs {
                counters.derivedSamples += 1
                newSample(c, ts, d, derived: true, total: true)
            }
        }
        return outcome
    }

    /// The register at boundary k·interval is r: the end of interval k−1, the start of interval k.
    mutating func setBoundary(_ c: Int, _ k: Int64, _ r: Double) {
        if let p = connectors[c].pending {
            if p.index + 1 == k { connectors[c].pending!.endRegisterWh = r }
            if p.index == k { connectors[c].pending!.startRegisterWh = r }
        }
        if let o = connectors[c].open {
            if o.index + 1 == k { connectors[c].open!.endRegisterWh = r }
            if o.index == k { connectors[c].open!.startRegisterWh = r }
        }
        connectors[c].boundaryIndex = k
        connectors[c].boundaryWh = r
    }

    /// Register readings (t1, t2] that cannot be interpolated between: boundaries inside stay unknown; after a
    /// reset, the intervals it falls in lose their start register too.
    mutating func markBadBracket(_ c: Int, from t1: Int64, to t2: Int64, reset: Bool) {
        let len = configuration.intervalMs
        let flag: IntervalFlags = reset ? .registerReset : .registerGap
        func mark(_ a: inout IntervalAccumulator) {
            let start = a.index * len, end = start + len
            if t1 < end && end <= t2 {
                a.endBlocked = true
                a.flags.insert(flag)
            }
            if t1 < start && start <= t2 { a.flags.insert(flag) }
            if reset && start < t2 && end > t1 {
                a.startRegisterWh = nil
                a.flags.insert(flag)
            }
        }
        if connectors[c].pending != nil { mark(&connectors[c].pending!) }
        if connectors[c].open != nil { mark(&connectors[c].open!) }
        if reset { connectors[c].boundaryIndex = Int64.min }
    }

    // MARK: - Intervals

    /// Moves connector c's time on to t: the open interval moves to pending once t is past its end, pending
    /// closes once complete, the held power is integrated up to t, and the interval holding t is open.
    mutating func roll(_ c: Int, to t: Int64) {
        guard t > connectors[c].clock else { return }
        connectors[c].clock = t
        let len = configuration.intervalMs
        let index = floorDiv(t, len)
        if let openIndex = connectors[c].open?.index, openIndex < index {
            integrate(c, to: (openIndex + 1) * len)
            if let p = connectors[c].pending {
                connectors[c].pending = nil
                close(p, connector: c, bySilence: false)
            }
            connectors[c].pending = connectors[c].open
            connectors[c].open = nil
        }
        if connectors[c].open == nil {
            var o = IntervalAccumulator(index: index)
            if connectors[c].boundaryIndex == index { o.startRegisterWh = connectors[c].boundaryWh }
            connectors[c].open = o
        }
        integrate(c, to: t)
        if let p = connectors[c].pending {
            if p.endRegisterWh != nil || p.endBlocked || !connectors[c].hasRegister
                || t >= (p.index + 1) * len + configuration.closeDelayMs {
                connectors[c].pending = nil
                close(p, connector: c, bySilence: false)
            }
        }
    }

    /// Adds the current sample, held (zero-order) for at most its hold, up to t into the pending and open intervals.
    mutating func integrate(_ c: Int, to t: Int64) {
        let st = connectors[c].sampleTs
        guard st != Int64.min else { return }
        let from = Swift.max(connectors[c].integratedThrough, st)
        let to = Swift.min(t, st &+ hold(c))
        if t > connectors[c].integratedThrough { connectors[c].integratedThrough = t }
        guard to > from else { return }
        let w = connectors[c].sampleW
        let len = configuration.intervalMs
        if let p = connectors[c].pending {
            let a = Swift.max(from, p.index * len), b = Swift.min(to, (p.index + 1) * len)
            if b > a { connectors[c].pending!.integratedWh += w * Double(b - a) / 3_600_000 }
        }
        if let o = connectors[c].open {
            let a = Swift.max(from, o.index * len), b = Swift.min(to, (o.index + 1) * len)
            if b > a { connectors[c].open!.integratedWh += w * Double(b - a) / 3_600_000 }
        }
    }

    mutating func close(_ a: IntervalAccumulator, connector c: Int, bySilence: Bool) {
        let len = configuration.intervalMs
        let start = a.index * len, end = start + len
        var flags = a.flags
        if bySilence { flags.insert(.closedBySilence) }
        if a.derivedSamples > 0 { flags.insert(.derivedPower) }
        let energy: Double?
        let source: EnergySource
        if let s = a.startRegisterWh, let e = a.endRegisterWh, !a.endBlocked {
            energy = e - s
            source = .register
        } else if a.sampleCount > 0 {
            energy = a.integratedWh
            source = .integratedPower
            flags.insert(.integratedEnergy)
            counters.integratedIntervals += 1
        } else {
            energy = nil
            source = .none
        }
        let demand = energy.map { $0 * 3_600_000 / Double(len) }
        let identity = identities[c]
        let state = connectors[c]
        closedIntervals.append(PowerInterval(
            level: state.isMainMeter ? .mainMeter : .connector, site: identity.site, charger: identity.charger,
            evse: identity.evse, connector: identity.connector, start: start, end: end,
            averageW: a.sampleCount > 0 ? a.sumW / Double(a.sampleCount) : nil,
            peakW: a.sampleCount > 0 ? a.peakW : nil, energyWh: energy, demandW: demand, sampleCount: a.sampleCount,
            energySource: source, derived: a.derivedSamples > 0, flags: flags, mainMeterEnergyWh: nil, connectorCount: 0))
        counters.intervalsClosed += 1
        if state.closedThrough < end { connectors[c].closedThrough = end }
        for g in [Int(state.chargerGroup), Int(state.siteGroup)] {
            var acc = groups[g].pending[a.index] ?? GroupAccumulator()
            if state.isMainMeter {
                if let e = energy { acc.mainMeterWh = (acc.mainMeterWh ?? 0) + e }
            } else {
                acc.connectorCount += 1
                switch source {
                case .register: acc.registerCount += 1
                case .integratedPower: acc.integratedCount += 1
                default: acc.missingEnergy += 1
                }
                acc.energyWh += energy ?? 0
                if a.derivedSamples > 0 { acc.derived = true }
                acc.flags.formUnion(flags.subtracting(.closedBySilence))
            }
            groups[g].pending[a.index] = acc
        }
    }
}
