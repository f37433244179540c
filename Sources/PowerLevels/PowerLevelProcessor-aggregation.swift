// Charger and site load: each live connector's held power in two lists (its charger's, its site's), sorted by
// when the hold ends, with running sums. A sample moves its connector within both lists (usually at the tail:
// O(1)); stale connectors leave from the head. Main meters are in no list: their power is kept apart.

extension PowerLevelProcessor {
    /// Level 0: charger list, level 1: site list.
    @inline(__always)
    func group(_ c: Int, _ level: Int) -> Int {
        Int(level == 0 ? connectors[c].chargerGroup : connectors[c].siteGroup)
    }

    @inline(__always)
    func isLive(_ c: Int, _ level: Int) -> Bool {
        level == 0 ? connectors[c].liveInCharger : connectors[c].liveInSite
    }

    @inline(__always)
    mutating func setLive(_ c: Int, _ level: Int, _ live: Bool) {
        if level == 0 { connectors[c].liveInCharger = live } else { connectors[c].liveInSite = live }
    }

    @inline(__always)
    func prev(_ c: Int, _ level: Int) -> Int32 { level == 0 ? connectors[c].chargerPrev : connectors[c].sitePrev }

    @inline(__always)
    func next(_ c: Int, _ level: Int) -> Int32 { level == 0 ? connectors[c].chargerNext : connectors[c].siteNext }

    @inline(__always)
    mutating func setPrev(_ c: Int, _ level: Int, _ p: Int32) {
        if level == 0 { connectors[c].chargerPrev = p } else { connectors[c].sitePrev = p }
    }

    @inline(__always)
    mutating func setNext(_ c: Int, _ level: Int, _ n: Int32) {
        if level == 0 { connectors[c].chargerNext = n } else { connectors[c].siteNext = n }
    }

    mutating func unlink(_ c: Int, _ level: Int, _ g: Int) {
        let p = prev(c, level), n = next(c, level)
        if p >= 0 { setNext(Int(p), level, n) } else { groups[g].head = n }
        if n >= 0 { setPrev(Int(n), level, p) } else { groups[g].tail = p }
        setPrev(c, level, -1)
        setNext(c, level, -1)
    }

    /// Inserts c by its expiry, walking back from the tail (where a fresh sample usually belongs).
    mutating func insertSorted(_ c: Int, _ level: Int, _ g: Int) {
        let e = connectors[c].expiry
        if e < expiryFloor { expiryFloor = e }
        var p = groups[g].tail
        while p >= 0 && connectors[Int(p)].expiry > e { p = prev(Int(p), level) }
        let n = p >= 0 ? next(Int(p), level) : groups[g].head
        setPrev(c, level, p)
        setNext(c, level, n)
        if p >= 0 { setNext(Int(p), level, Int32(c)) } else { groups[g].head = Int32(c) }
        if n >= 0 { setPrev(Int(n), level, Int32(c)) } else { groups[g].tail = Int32(c) }
    }

    /// Connector c now holds w until `expiry`; its sample is at `ts`. Re-evaluates its charger and site.
    mutating func updateHeld(_ c: Int, _ w: Double, expiry: Int64, at ts: Int64) {
        let old = connectors[c].heldW
        connectors[c].heldW = w
        connectors[c].expiry = expiry
        if connectors[c].isMainMeter { return }
        for level in 0..<2 {
            let g = group(c, level)
            if isLive(c, level) {
                unlink(c, level, g)
                groups[g].sumW -= old
                groups[g].live -= 1
                setLive(c, level, false)
            }
            if ts > groups[g].clock { groups[g].clock = ts }
            let clock = groups[g].clock
            if expiry >= clock {
                insertSorted(c, level, g)
                groups[g].sumW += w
                groups[g].live += 1
                setLive(c, level, true)
            } else {
                counters.staleOnArrival += 1
            }
            expire(g, before: clock)
            notePeak(g)
        }
    }

    /// Drops from group g every connector whose hold ended before `time`.
    mutating func expire(_ g: Int, before time: Int64) {
        let level = groups[g].isSite ? 1 : 0
        while true {
            let h = groups[g].head
            if h < 0 || connectors[Int(h)].expiry >= time { break }
            unlink(Int(h), level, g)
            groups[g].sumW -= connectors[Int(h)].heldW
            groups[g].live -= 1
            setLive(Int(h), level, false)
            counters.staleExpiries += 1
        }
        // No drift when nothing is live.
        if groups[g].live == 0 { groups[g].sumW = 0 }
    }

    /// Records the group's load as evaluated at its clock in the interval the clock is in.
    mutating func notePeak(_ g: Int) {
        let len = configuration.intervalMs
        let index = floorDiv(groups[g].clock, len)
        if (index + 1) * len <= closedFrontier { return }
        let load = groups[g].sumW
        if index != groups[g].curIndex {
            stashPeak(g)
            groups[g].curIndex = index
            groups[g].curPeakW = load
            groups[g].curEvaluations = 1
        } else {
            if load > groups[g].curPeakW { groups[g].curPeakW = load }
            groups[g].curEvaluations += 1
        }
    }

    mutating func stashPeak(_ g: Int) {
        let index = groups[g].curIndex
        guard index != Int64.min else { return }
        var acc = groups[g].pending[index] ?? GroupAccumulator()
        acc.peakW = Swift.max(acc.peakW ?? groups[g].curPeakW, groups[g].curPeakW)
        acc.evaluations += groups[g].curEvaluations
        groups[g].pending[index] = acc
        groups[g].curIndex = Int64.min
        groups[g].curEvaluations = 0
    }

    /// Emits the charger or site records of every interval ending at or before `frontier`.
    mutating func emitGroupIntervals(_ g: Int, through frontier: Int64) {
        let len = configuration.intervalMs
        if groups[g].curIndex != Int64.min && (groups[g].curIndex + 1) * len <= frontier { stashPeak(g) }
        let ready = groups[g].pending.keys.filter { ($0 + 1) * len <= frontier }.sorted()
        for index in ready {
            guard let acc = groups[g].pending.removeValue(forKey: index) else { continue }
            let withEnergy = acc.connectorCount - acc.missingEnergy
            let energy: Double? = withEnergy > 0 ? acc.energyWh : nil
            let demand = energy.map { $0 * 3_600_000 / Double(len) }
            let source: EnergySource
            switch (acc.registerCount > 0, acc.integratedCount > 0) {
            case (true, false): source = .register
            case (false, true): source = .integratedPower
            case (true, true): source = .mixed
            case (false, false): source = .none
            }
            var flags = acc.flags
            if acc.missingEnergy > 0 { flags.insert(.incompleteEnergy) }
            let record = PowerInterval(
                level: groups[g].isSite ? .site : .charger, site: groups[g].site, charger: groups[g].charger,
                evse: nil, connector: nil, start: index * len, end: (index + 1) * len, averageW: demand,
                peakW: acc.peakW, energyWh: energy, demandW: demand, sampleCount: acc.evaluations,
                energySource: source, derived: acc.derived, flags: flags, mainMeterEnergyWh: acc.mainMeterWh,
                connectorCount: acc.connectorCount)
            closedIntervals.append(record)
            if let d = demand {
                groups[g].lastDemandW = d
                groups[g].lastDemandStart = index * len
                if d > (groups[g].maxDemandW ?? -Double.greatestFiniteMagnitude) {
                    groups[g].maxDemandW = d
                    groups[g].maxDemandStart = index * len
                }
            }
        }
        // Re-add the live sum from scratch once per interval, so rounding never accumulates.
        let level = groups[g].isSite ? 1 : 0
        var sum = 0.0
        var c = groups[g].head
        while c >= 0 {
            sum += connectors[Int(c)].heldW
            c = next(Int(c), level)
        }
        groups[g].sumW = sum
    }
}
