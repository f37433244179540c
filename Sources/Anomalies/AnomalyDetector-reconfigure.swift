import Pipeline

extension AnomalyDetector {
    /// Takes the pipeline's settings over a restored detector, so a tuned rule or a re-rated charger counts from
    /// the restart on (a snapshot carries the settings it was made with):
    /// - rule settings: thresholds, `for`, `clear_after`, severities and the like apply from the next observation;
    ///   a rule switched off resolves its open anomalies (at their last update) and observes nothing more;
    /// - the fleet: ratings, DC/AC, phases and nominal voltage of declared EVSEs, site limits, each charger's
    ///   `offline_after`, and which chargers are declared (newly declared ones are watched for silence);
    /// - a changed `power_spike.window` or `clock_skew.window` restarts that rule's baselines (the ring buffers are
    ///   sized by it); other state (open anomalies, register and power tracking) carries on.
    public mutating func reconfigure(configuration new: AnomalyConfiguration, fleet: Fleet) {
        let old = configuration
        configuration = new
        limits = FleetLimits(fleet)
        for ci in conds.indices where conds[ci].record >= 0 && !new.common(conds[ci].kind).enabled {
            conds[ci].clearSince = records[Int(conds[ci].record)]!.anomaly.updatedAt
            resolve(ci, at: conds[ci].clearSince)
        }
        for ci in conds.indices where conds[ci].record < 0 && !new.common(conds[ci].kind).enabled {
            conds[ci] = Cond(kind: conds[ci].kind, owner: conds[ci].owner)
        }
        for s in sites.indices {
            let declared = limits.sites[sites[s].id]
            sites[s].gridLimitW = declared?.gridLimitW ?? new.siteOverload.limitKW.map { $0 * 1_000 } ?? 0
            sites[s].imbalanceLimitVA = declared?.phaseImbalanceLimitVA
                ?? new.phaseImbalance.limitKVA.map { $0 * 1_000 } ?? 0
        }
        for c in chargers.indices {
            let declared = limits.chargers[chargers[c].charger]
            chargers[c].offlineAfterMs = declared?.offlineAfterMs ?? new.telemetryGap.afterMs
            // Declared means declared at this site (a charger moved to another site is watched there, not here).
            let wasDeclared = chargers[c].declared
            chargers[c].declared = declared?.site == chargers[c].site
            // A charger no longer declared here that was never heard from: its silence says nothing any more, and
            // with no contact to measure from, a gap it had open would never end.
            if wasDeclared, !chargers[c].declared, chargers[c].lastReceive == .min {
                let ci = Int(chargers[c].gapCond)
                if conds[ci].record >= 0 {
                    conds[ci].clearSince = records[Int(conds[ci].record)]!.anomaly.updatedAt
                    resolve(ci, at: conds[ci].clearSince)
                } else {
                    conds[ci] = Cond(kind: conds[ci].kind, owner: conds[ci].owner)
                }
                chargers[c].gapOpen = false
            }
        }
        for id in limits.declaredChargers {
            guard let site = limits.chargers[id]?.site else { continue }
            chargers[chargerSlot(site: site, charger: id)].declared = true
        }
        for i in evses.indices {
            let e = limits.chargers[chargers[Int(evses[i].charger)].charger]?.evses[evses[i].evse]
            evses[i].declared = e != nil
            evses[i].ratedW = e?.ratedW ?? 0
            evses[i].isDC = e?.isDC ?? false
            evses[i].isAC = e?.isAC ?? false
            evses[i].phases = e?.phases ?? 0
            evses[i].nominalV = e?.nominalV ?? 0
        }
        if new.powerSpike.window != old.powerSpike.window {
            spikeRing.removeAll()
            spikeSorted.removeAll()
            for i in evses.indices {
                evses[i].spikeBase = -1
                evses[i].spikeCount = 0
                evses[i].spikeHead = 0
            }
        }
        if new.clockSkew.window != old.clockSkew.window {
            skewRing.removeAll()
            skewSorted.removeAll()
            for c in chargers.indices {
                chargers[c].skewBase = -1
                chargers[c].skewCount = 0
                chargers[c].skewHead = 0
            }
        }
        evseHot = []
        skewHot = []
        cacheSlot = -1
    }
}
