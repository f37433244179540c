// Read-only views: what dashboards (MQTT, as JSON) and anomaly rules read.

extension PowerLevelProcessor {
    /// Current charger load (its connectors' held power, main meter excluded), without allocating: for rules
    /// evaluated on every reading.
    public func chargerLoadW(of id: ConnectorID) -> Double {
        groups[Int(connectors[Int(id.rawValue)].chargerGroup)].sumW
    }

    /// Current site load (all its chargers' connectors' held power, main meters excluded), without allocating.
    public func siteLoadW(of id: ConnectorID) -> Double {
        groups[Int(connectors[Int(id.rawValue)].siteGroup)].sumW
    }

    /// A connector's current power, at `time` (default: the connector's newest reading).
    public func connectorLoad(_ id: ConnectorID, at time: Int64? = nil) -> ConnectorLoad {
        let c = Int(id.rawValue)
        let s = connectors[c]
        let identity = identities[c]
        let at = time ?? Swift.max(s.clock, s.registerTs)
        let hasSample = s.sampleTs != Int64.min
        let holdMs = hold(c)
        // Rolling window: the 60 one-second buckets ending with the second of `at`.
        var sum = 0.0, peak = 0.0, count = 0
        if s.bucketSecond != Int64.min {
            let second = floorDiv(at, 1_000)
            let lo = Swift.max(second - 59, s.bucketSecond - 59)
            let hi = Swift.min(second, s.bucketSecond)
            if lo <= hi {
                for x in lo...hi {
                    let k = c * Self.bucketCountPerConnector + Int(floorMod(x, 60))
                    let n = Int(bucketCount[k])
                    guard n > 0 else { continue }
                    peak = count == 0 ? bucketMax[k] : Swift.max(peak, bucketMax[k])
                    sum += bucketSum[k]
                    count += n
                }
            }
        }
        return ConnectorLoad(
            site: identity.site, charger: identity.charger, evse: identity.evse, connector: identity.connector,
            isMainMeter: s.isMainMeter, at: at, powerW: hasSample ? s.sampleW : nil,
            timestamp: hasSample ? s.sampleTs : nil, derived: s.sampleDerived,
            stale: !hasSample || at > s.sampleTs + holdMs, holdMs: holdMs,
            l1W: s.l1Ts != Int64.min ? s.l1W : nil, l2W: s.l2Ts != Int64.min ? s.l2W : nil,
            l3W: s.l3Ts != Int64.min ? s.l3W : nil,
            average1mW: count > 0 ? sum / Double(count) : nil, peak1mW: count > 0 ? peak : nil, samples1m: count,
            registerWh: s.hasRegister ? s.registerWh : nil, registerTimestamp: s.hasRegister ? s.registerTs : nil)
    }

    /// A charger's current load, or nil when no connector of it was seen.
    public func chargerLoad(site: String, charger: String, at time: Int64? = nil) -> GroupLoad? {
        chargerIndex[ChargerKey(site: site, charger: charger)].map { groupLoad(Int($0), at: time) }
    }

    /// A site's load with its chargers and connectors (ordered by charger, EVSE, connector), or nil when unknown.
    /// `time` defaults to the site's clock.
    public func siteLoad(_ site: String, at time: Int64? = nil) -> SiteLoad? {
        guard let g = siteIndex[site] else { return nil }
        let at = time ?? groups[Int(g)].clock
        let members = groups[Int(g)].members.sorted { a, b in
            let x = identities[Int(a)], y = identities[Int(b)]
            return (x.charger, x.evse, x.connector) < (y.charger, y.evse, y.connector)
        }
        var chargers: [Int32] = []
        for m in members where !chargers.contains(connectors[Int(m)].chargerGroup) {
            chargers.append(connectors[Int(m)].chargerGroup)
        }
        return SiteLoad(site: groupLoad(Int(g), at: time),
                        chargers: chargers.map { groupLoad(Int($0), at: time) },
                        connectors: members.map { connectorLoad(ConnectorID(rawValue: $0), at: at) })
    }

    /// The sites seen so far, sorted.
    public var sites: [String] { siteIndex.keys.sorted() }

    func groupLoad(_ g: Int, at time: Int64?) -> GroupLoad {
        let group = groups[g]
        let at = time ?? group.clock
        var load = 0.0, live = 0, stale = 0
        var main = 0.0, mainSeen = false
        for m in group.members {
            let s = connectors[Int(m)]
            let fresh = s.sampleTs != Int64.min && s.expiry >= at
            if s.isMainMeter {
                if fresh {
                    main += s.heldW
                    mainSeen = true
                }
                continue
            }
            if fresh && (group.isSite ? s.liveInSite : s.liveInCharger) {
                load += s.heldW
                live += 1
            } else {
                stale += 1
            }
        }
        let len = configuration.intervalMs
        let current = group.curIndex != Int64.min
        return GroupLoad(
            level: group.isSite ? .site : .charger, site: group.site, charger: group.charger,
            clock: group.clock == Int64.min ? nil : group.clock, loadW: load, liveConnectors: live,
            staleConnectors: stale, mainMeterW: mainSeen ? main : nil,
            intervalStart: current ? group.curIndex * len : nil, intervalPeakW: current ? group.curPeakW : nil,
            lastDemandW: group.lastDemandW, lastDemandStart: group.lastDemandStart, maxDemandW: group.maxDemandW,
            maxDemandStart: group.maxDemandStart)
    }
}
