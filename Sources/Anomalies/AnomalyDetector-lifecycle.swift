// The life of an anomaly: a condition observed bad or clear, opened once bad for `for`, updated when its worst
// value gets worse (at most every `update_interval`), resolved once clear for `clear_after`.

extension AnomalyDetector {
    /// Feeds one observation of a rule's condition.
    /// - `value`/`score`: the observed value and how bad it is (the worst score's value becomes the anomaly's value).
    /// - `since`: when a bad stretch starting here actually began earlier (a gap, an offered-power excess).
    /// - `clearValue`: on a clear observation, the value still counts (a gap's or a blocked bay's final length).
    mutating func observe(_ ci: Int, at t: Int64, bad: Bool, value: Double = 0, score: Double = 0,
                          threshold: Double = 0, connector: Int = 0, since: Int64 = .min, clearValue: Bool = false) {
        if !bad && conds[ci].idle { return }
        let settings = configuration.common(conds[ci].kind)
        if bad {
            if conds[ci].record >= 0 {
                conds[ci].clearSince = .min
                if note(ci, value, score, threshold, connector) { records[Int(conds[ci].record)]!.dirty = true }
                maybeUpdate(ci, at: t)
                return
            }
            if conds[ci].since == .min {
                conds[ci].since = since != .min && since < t ? since : t
                if conds[ci].kind.scope == .evse { markHot(evse: Int(conds[ci].owner)) }
                conds[ci].count = 0
                conds[ci].peakScore = -.greatestFiniteMagnitude
            }
            _ = note(ci, value, score, threshold, connector)
            if t - conds[ci].since >= settings.forMs { open(ci, at: t, severity: settings.severity) }
            return
        }
        // Clear.
        if conds[ci].record < 0 {
            // Pending: it opens if it already lasted `for` (the clear data shows it did), then clears.
            if t - conds[ci].since >= settings.forMs, settings.forMs > 0 {
                open(ci, at: t, severity: settings.severity)
            } else {
                conds[ci].since = .min
                return
            }
        }
        if clearValue {
            conds[ci].last = value
            if score > conds[ci].peakScore {
                conds[ci].peak = value
                conds[ci].peakScore = score
            }
        }
        if conds[ci].clearSince == .min { conds[ci].clearSince = t }
        if t - conds[ci].clearSince >= settings.clearAfterMs { resolve(ci, at: t) }
    }

    /// Counts a bad observation; true when it is the worst so far.
    @inline(__always)
    mutating func note(_ ci: Int, _ value: Double, _ score: Double, _ threshold: Double, _ connector: Int) -> Bool {
        if conds[ci].count == 0 || !conds[ci].kind.judgedOnTime { conds[ci].count += 1 }
        conds[ci].last = value
        conds[ci].connector = Int32(truncatingIfNeeded: connector)
        guard score > conds[ci].peakScore else { return false }
        conds[ci].peak = value
        conds[ci].peakScore = score
        conds[ci].peakThreshold = threshold
        return true
    }

    /// Runs a condition's deadlines at `t` (a projected clock or receive time) without new data.
    mutating func tick(_ ci: Int, at t: Int64) {
        // Most conditions are idle: that is answered from two fields, before the condition is copied.
        if conds[ci].idle { return }
        let c = conds[ci]
        let settings = configuration.common(c.kind)
        if c.record >= 0 {
            if c.clearSince != .min {
                if t - c.clearSince >= settings.clearAfterMs { resolve(ci, at: t) }
            } else {
                maybeUpdate(ci, at: t)
            }
        } else if t - c.since >= settings.forMs {
            open(ci, at: t, severity: settings.severity)
        }
    }

    mutating func maybeUpdate(_ ci: Int, at t: Int64) {
        let r = Int(conds[ci].record)
        guard records[r]!.dirty, t - records[r]!.lastEmit >= configuration.updateIntervalMs else { return }
        records[r]!.dirty = false
        records[r]!.lastEmit = t
        let anomaly = current(ci, at: t)
        records[r]!.anomaly = anomaly
        transitions.append(AnomalyTransition(kind: .updated, at: t, anomaly: anomaly))
    }

    mutating func open(_ ci: Int, at t: Int64, severity: AnomalySeverity) {
        let c = conds[ci]
        var site: String?, charger: String?, evse: Int?, connector: Int?, session: String?, detail: String?
        switch c.kind.scope {
        case .evse:
            let e = evses[Int(c.owner)]
            site = sites[Int(e.site)].id
            charger = chargers[Int(e.charger)].charger
            evse = e.evse
            connector = Int(c.connector)
            session = c.kind == .bayBlocked || e.sessionOpen ? e.sessionId : nil
            if c.kind == .fault { detail = e.faultDetail }
        case .charger:
            site = chargers[Int(c.owner)].site
            charger = chargers[Int(c.owner)].charger
        case .site:
            site = sites[Int(c.owner)].id
        case .broker:
            break
        }
        let anomaly = Anomaly(
            id: Anomaly.makeId(kind: c.kind, site: site, charger: charger, evse: evse, connector: connector,
                               startedAt: c.since),
            kind: c.kind, severity: severity, site: site, charger: charger, evse: evse, connector: connector,
            sessionId: session, startedAt: c.since, resolvedAt: nil, value: c.peak, lastValue: c.last,
            threshold: c.peakThreshold, count: Int(c.count), updatedAt: t, detail: detail, message: "")
        let record = OpenRecord(anomaly: anomaly, lastEmit: t)
        let r: Int
        if let free = freeRecords.popLast() {
            r = Int(free)
            records[r] = record
        } else {
            r = records.count
            records.append(record)
        }
        conds[ci].record = Int32(r)
        conds[ci].clearSince = .min
        let opened = current(ci, at: t)
        records[r]!.anomaly = opened
        counters.opened += 1
        transitions.append(AnomalyTransition(kind: .opened, at: t, anomaly: opened))
    }

    mutating func resolve(_ ci: Int, at t: Int64) {
        let r = Int(conds[ci].record)
        var anomaly = current(ci, at: t)
        anomaly.resolvedAt = conds[ci].clearSince
        anomaly.message = Self.message(anomaly)
        transitions.append(AnomalyTransition(kind: .resolved, at: t, anomaly: anomaly))
        counters.resolved += 1
        records[r] = nil
        freeRecords.append(Int32(r))
        let kind = conds[ci].kind, owner = conds[ci].owner
        conds[ci] = Cond(kind: kind, owner: owner)
    }

    /// The open anomaly of condition ci with its current figures.
    func current(_ ci: Int, at t: Int64) -> Anomaly {
        let c = conds[ci]
        var a = records[Int(c.record)]!.anomaly
        a.value = c.peak
        a.lastValue = c.last
        a.threshold = c.peakThreshold
        a.count = Int(c.count)
        a.updatedAt = t
        if a.kind == .fault, a.evse != nil { a.detail = evses[Int(c.owner)].faultDetail ?? a.detail }
        a.message = Self.message(a)
        return a
    }

    /// Human text for an anomaly: where, what, how much. Built only on transitions.
    static func message(_ a: Anomaly) -> String {
        var place: String
        switch a.kind.scope {
        case .evse: place = "charger \(a.charger ?? "?") EVSE \(a.evse ?? 0)"
        case .charger: place = "charger \(a.charger ?? "?")"
        case .site: place = "site \(a.site ?? "?")"
        case .broker: place = "broker"
        }
        let v = show(a.value), th = show(a.threshold)
        let text: String
        switch a.kind {
        case .meterRegression: text = "energy register went backwards by \(v) Wh"
        case .meterStuck: text = "energy register frozen while \(v) Wh flowed (more than \(th) Wh moves it)"
        case .energyMismatch: text = "register and integrated power differ by \(v) Wh over the window (tolerance \(th) Wh)"
        case .overpower: text = "power \(v) W above the limit of \(th) W"
        case .voltageOutOfRange: text = "voltage \(v) V beyond the limit of \(th) V"
        case .phaseImbalance: text = "phase imbalance \(v) VA above the limit of \(th) VA"
        case .telemetryGap: text = "silent for \(v) s (expected within \(th) s)"
        case .chargingStalled: text = "status charging but power \(v) W (at most \(th) W)"
        case .fault: text = "faulted" + (a.detail.map { ": \($0)" } ?? "")
        case .bayBlocked: text = "still plugged in \(v) min after charging ended (limit \(th) min)"
        case .powerSpike: text = "power spike to \(v) W above the moving baseline's limit of \(th) W"
        case .socJump: text = "state of charge moved by \(v) % between readings (allowed \(th) %)"
        case .clockSkew: text = "clock off by \(v) s (limit \(th) s)"
        case .siteOverload: text = "site load \(v) W above the grid limit of \(th) W"
        case .brokerDrops: text = "broker dropped \(v) messages between reports"
        }
        place += ": " + text
        if a.count > 1 { place += " (\(a.count) observations)" }
        return place
    }
}
