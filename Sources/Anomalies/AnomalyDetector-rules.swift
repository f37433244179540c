import Telemetry

// The rules (definitions: docs/anomalies.md). Each reads a few fields of its EVSE, charger or site and feeds its
// condition; nothing here allocates except the first sample of a window.

extension AnomalyDetector {
    // MARK: - Energy register: meter_regression, meter_stuck, energy_mismatch

    /// The register's resolution (Wh) from the reading's decimals in Wh.
    @inline(__always)
    static func resolution(_ decimals: Int16) -> Double {
        switch decimals {
        case 0: return 1
        case -3: return 1_000
        case 3: return 0.001
        default:
            var r = 1.0
            if decimals > 0 {
                for _ in 0..<Int(decimals) { r /= 10 }
            } else {
                for _ in 0..<Int(-decimals) { r *= 10 }
            }
            return r
        }
    }

    /// Energy (Wh) integrated from power samples up to t (each held at most `power_hold`).
    @inline(__always)
    func integral(_ i: Int, _ t: Int64) -> Double {
        let pt = evses[i].powerT
        guard pt != .min, t > pt else { return evses[i].cumWh }
        let dt = Swift.min(t - pt, configuration.powerHoldMs)
        return evses[i].cumWh + evses[i].powerW * Double(dt) / 3_600_000
    }

    mutating func register(_ i: Int, _ t: Int64, _ v: Double, decimals: Int16, context: ReadingContext,
                           connector: Int) {
        let previousT = evses[i].regT
        guard t > previousT else {
            counters.late += 1
            return
        }
        let res = Self.resolution(decimals)
        let now = integral(i, t)
        defer {
            evses[i].regT = t
            evses[i].regV = v
            evses[i].regRes = res
        }
        if previousT == .min {
            rebaseline(i, t, v, now)
            return
        }
        let regression = configuration.meterRegression
        let drop = evses[i].regV - v
        if drop > Swift.max(regression.toleranceWh, 1e-9 * Swift.abs(v)) {
            let acrossSession = context == .transactionBegin || evses[i].boundaryT >= previousT
            if regression.enabled, !(regression.ignoreSessionResets && acrossSession) {
                observe(condIndex(i, .regression), at: t, bad: true, value: drop, score: drop,
                        threshold: regression.toleranceWh, connector: connector)
            }
            observe(condIndex(i, .stuck), at: t, bad: false)
            rebaseline(i, t, v, now)
            return
        }
        observe(condIndex(i, .regression), at: t, bad: false)

        // meter_stuck: energy flowed since the register last moved.
        if v > evses[i].regChangeV + 1e-9 {
            observe(condIndex(i, .stuck), at: t, bad: false)
            evses[i].regChangeT = t
            evses[i].regChangeV = v
            evses[i].cumAtChange = now
        } else if evses[i].powerT != .min {
            let stuck = configuration.meterStuck
            if stuck.enabled {
                let energy = now - evses[i].cumAtChange
                let limit = Swift.max(stuck.resolutionFactor * res, stuck.minEnergyWh)
                if energy > limit, t - evses[i].regChangeT >= stuck.minFrozenMs {
                    observe(condIndex(i, .stuck), at: t, bad: true, value: energy, score: energy, threshold: limit,
                            connector: connector)
                }
            }
        }

        // energy_mismatch: one window from a register reading to the first one `window` later.
        let mismatch = configuration.energyMismatch
        if t - evses[i].winT >= mismatch.windowMs {
            let dR = v - evses[i].winReg
            let dI = now - evses[i].winCum
            let covered = evses[i].powerT != .min && evses[i].powerGapAt <= evses[i].winT
                && t - evses[i].powerT <= configuration.powerHoldMs
            if mismatch.enabled, covered, dR >= mismatch.minEnergyWh || dI >= mismatch.minEnergyWh {
                let tolerance = Swift.max(mismatch.toleranceRatio * Swift.max(dR, dI), mismatch.toleranceWh) + 2 * res
                let difference = dR - dI
                observe(condIndex(i, .mismatch), at: t, bad: Swift.abs(difference) > tolerance, value: difference,
                        score: Swift.abs(difference), threshold: tolerance, connector: connector)
            }
            evses[i].winT = t
            evses[i].winReg = v
            evses[i].winCum = now
        }
    }

    /// A new register baseline (first reading, or after a drop): stuck and mismatch start over.
    mutating func rebaseline(_ i: Int, _ t: Int64, _ v: Double, _ now: Double) {
        evses[i].regChangeT = t
        evses[i].regChangeV = v
        evses[i].cumAtChange = now
        evses[i].winT = t
        evses[i].winReg = v
        evses[i].winCum = now
    }

    // MARK: - Power: overpower, charging_stalled, power_spike; integration

    mutating func totalPower(_ i: Int, _ t: Int64, _ w: Double, connector: Int) {
        guard t > evses[i].powerT else {
            counters.late += 1
            return
        }
        evses[i].reportsTotal = true
        powerSample(i, t, w, connector: connector)
        if evses[i].contribSource <= 1, evses[i].evse >= 1, imbalanceJudged(i) {
            evses[i].contribSource = 1
            let p = evses[i].phases
            if p == 1 {
                setContribution(i, 0, w)
                setContribution(i, 1, 0)
                setContribution(i, 2, 0)
            } else if p == 2 {
                setContribution(i, 0, w / 2)
                setContribution(i, 1, w / 2)
                setContribution(i, 2, 0)
            } else {
                setContribution(i, 0, w / 3)
                setContribution(i, 1, w / 3)
                setContribution(i, 2, w / 3)
            }
            evaluateImbalance(Int(evses[i].site), t)
        }
    }

    mutating func phasePower(_ i: Int, _ k: Int, _ t: Int64, _ w: Double, connector: Int) {
        let p = i * 3 + k
        guard t > phases[p].powerT else {
            counters.late += 1
            return
        }
        phases[p].powerT = t
        phases[p].powerW = w
        let m = UInt8(k + 1)
        if m > evses[i].maxPhase { evses[i].maxPhase = m }
        if evses[i].contribSource <= 2, evses[i].evse >= 1, imbalanceJudged(i) {
            evses[i].contribSource = 2
            setContribution(i, k, w)
            evaluateImbalance(Int(evses[i].site), t)
        }
        // Without a total, the sum of the phases is the sample, taken at the highest phase the connector reports.
        if !evses[i].reportsTotal, m == evses[i].maxPhase, t > evses[i].powerT {
            let sum = phases[i * 3].powerW + phases[i * 3 + 1].powerW + phases[i * 3 + 2].powerW
            powerSample(i, t, sum, connector: connector)
        }
    }

    mutating func powerSample(_ i: Int, _ t: Int64, _ w: Double, connector: Int) {
        let hold = configuration.powerHoldMs
        let pt = evses[i].powerT
        if pt == .min {
            evses[i].powerGapAt = t
        } else {
            let dt = t - pt
            if dt > hold {
                evses[i].cumWh += evses[i].powerW * Double(hold) / 3_600_000
                evses[i].powerGapAt = t
            } else {
                evses[i].cumWh += evses[i].powerW * Double(dt) / 3_600_000
            }
        }
        evses[i].powerT = t
        evses[i].powerW = w
        guard evses[i].evse >= 1 else { return }
        overpower(i, t, w, connector: connector)
        if evses[i].charging, configuration.chargingStalled.enabled {
            let threshold = configuration.chargingStalled.thresholdW
            observe(condIndex(i, .stalled), at: t, bad: w <= threshold, value: w, score: 0, threshold: threshold,
                    connector: connector)
        }
        spike(i, t, w, connector: connector)
    }

    mutating func overpower(_ i: Int, _ t: Int64, _ w: Double, connector: Int) {
        let settings = configuration.overpower
        guard settings.enabled else { return }
        var limit = Double.infinity
        var bad = false
        var since = Int64.min
        if evses[i].ratedW > 0 {
            limit = evses[i].ratedW * (1 + settings.tolerance)
            bad = w > limit
        }
        if evses[i].offeredT != .min, t - evses[i].offeredT <= 900_000 {
            let offered = evses[i].offeredW * (1 + settings.offeredTolerance) + settings.offeredMarginW
            if w > offered {
                if evses[i].offeredBadSince == .min { evses[i].offeredBadSince = t }
                if !bad, t - evses[i].offeredBadSince >= settings.offeredForMs {
                    bad = true
                    limit = offered
                    since = evses[i].offeredBadSince
                }
            } else {
                evses[i].offeredBadSince = .min
            }
            if !bad { limit = Swift.min(limit, offered) }
        } else {
            evses[i].offeredBadSince = .min
        }
        guard limit.isFinite else { return }
        observe(condIndex(i, .overpower), at: t, bad: bad, value: w, score: w - limit, threshold: limit,
                connector: connector, since: since)
    }

    mutating func spike(_ i: Int, _ t: Int64, _ w: Double, connector: Int) {
        let settings = configuration.powerSpike
        guard settings.enabled else { return }
        let capacity = settings.window
        if evses[i].spikeBase < 0 {
            evses[i].spikeBase = Int32(spikeRing.count)
            spikeRing.append(contentsOf: repeatElement(0, count: capacity))
            spikeSorted.append(contentsOf: repeatElement(0, count: capacity))
        }
        let base = Int(evses[i].spikeBase)
        let n = Int(evses[i].spikeCount)
        if n >= settings.minSamples {
            let median = Window.median(spikeSorted, base, n)
            let ci = condIndex(i, .spike)
            if median >= settings.minBaselineW {
                let mad = Window.mad(spikeSorted, base, n, median)
                let limit = median + Swift.max(settings.threshold * 1.4826 * mad, settings.minDeltaW,
                                               settings.minRelative * median)
                observe(ci, at: t, bad: w > limit, value: w, score: w - limit, threshold: limit, connector: connector)
            } else {
                observe(ci, at: t, bad: false)
            }
        }
        var count = evses[i].spikeCount, head = evses[i].spikeHead
        Window.push(w, ring: &spikeRing, sorted: &spikeSorted, base: base, capacity: capacity, count: &count,
                    head: &head)
        evses[i].spikeCount = count
        evses[i].spikeHead = head
    }

    // MARK: - Status: fault, charging_stalled, plug state, bay_blocked

    mutating func faultStatus(_ i: Int, _ change: StatusChange) {
        guard configuration.fault.enabled else { return }
        let ci = condIndex(i, .fault)
        guard change.status == .faulted else {
            observe(ci, at: change.timestamp, bad: false)
            return
        }
        var detail = change.errorCode ?? ""
        if let vendor = change.vendorErrorCode, !vendor.isEmpty {
            detail += (detail.isEmpty ? "" : ", ") + "vendor code \(vendor)"
        }
        let d: String? = detail.isEmpty ? nil : detail
        if d != evses[i].faultDetail {
            evses[i].faultDetail = d
            if conds[ci].record >= 0 { records[Int(conds[ci].record)]!.dirty = true }
        }
        observe(ci, at: change.timestamp, bad: true, value: 1, score: 1, threshold: 0, connector: change.connector)
    }

    mutating func setCharging(_ i: Int, _ charging: Bool, at t: Int64, connector: Int) {
        let was = evses[i].charging
        evses[i].charging = charging
        if charging && !was { flowResumed(i, at: t) }
        let settings = configuration.chargingStalled
        guard settings.enabled, evses[i].evse >= 1 else { return }
        let ci = condIndex(i, .stalled)
        if !charging {
            observe(ci, at: t, bad: false)
        } else if !was, evses[i].powerT != .min, t - evses[i].powerT <= configuration.powerHoldMs,
                  evses[i].powerW <= settings.thresholdW {
            observe(ci, at: t, bad: true, value: evses[i].powerW, score: 0, threshold: settings.thresholdW,
                    connector: connector)
        }
    }

    /// A session boundary (start, end, unplug): registers may restart, SoC belongs to another car.
    mutating func boundary(_ i: Int, at t: Int64) {
        if t > evses[i].boundaryT { evses[i].boundaryT = t }
        evses[i].socT = .min
        evses[i].offeredT = .min
        evses[i].offeredBadSince = .min
        observe(condIndex(i, .soc), at: t, bad: false)
    }

    /// A session ended at `t`: no energy flows after it, so the last power sample is held up to `t` only (held on for
    /// `power_hold`, it made energy "flow" while the register stood still: a false meter_stuck at the next session's
    /// first reading). The power_spike baseline starts over too: the next vehicle's power is no spike against the
    /// tapered end of the last one's.
    mutating func flowStopped(_ i: Int, at t: Int64) {
        evses[i].spikeCount = 0
        evses[i].spikeHead = 0
        holdPower(i, until: t)
    }

    /// The charger said at `t` that no energy flows (a session end, or a status such as SuspendedEV): the last power
    /// sample counts up to `t` and zero after it, until the next sample. Held on to the next sample instead, a car
    /// that stopped drawing a few seconds after a sample made a whole sample interval of energy appear that the
    /// register never saw (a false energy_mismatch).
    mutating func holdPower(_ i: Int, until t: Int64) {
        let pt = evses[i].powerT
        guard pt != .min, t > pt, evses[i].powerW != 0 else { return }
        evses[i].cumWh = integral(i, t)
        evses[i].powerW = 0
        evses[i].powerT = t
    }

    /// The charger said at `t` that energy flows (status Charging, 2.0.1 chargingState Charging) where it did not:
    /// the car may draw full power from `t` on, and the last sample (often 0 W, held since a suspend or a session
    /// end) says nothing of it until the next one. The power between is unknown, like a gap in the samples, so the
    /// energy_mismatch window around it is not judged (integrating the held 0 W, a resume a minute before the next
    /// sample counted a minute of the car's power as a register-vs-power mismatch).
    mutating func flowResumed(_ i: Int, at t: Int64) {
        guard evses[i].powerT != .min, t > evses[i].powerT else { return }
        evses[i].powerGapAt = Swift.max(evses[i].powerGapAt, t)
    }

    mutating func unplugged(_ i: Int, at t: Int64) {
        flowStopped(i, at: t)
        evses[i].plugged = false
        evses[i].sessionOpen = false
        boundary(i, at: t)
        disarmBay(i, at: t)
        if evses[i].contribSource > 0, imbalanceJudged(i) {
            for k in 0..<3 { setContribution(i, k, 0) }
            evaluateImbalance(Int(evses[i].site), t)
        }
    }

    mutating func armBay(_ i: Int, chargingEndedAt ended: Int64) {
        guard configuration.bayBlocked.enabled, conds[condIndex(i, .bay)].idle else { return }
        evses[i].chargingEndedAt = ended
        evses[i].bayDeadline = evses[i].plugged ? ended &+ configuration.bayBlocked.afterMs : .max
        markHot(evse: i)
    }

    mutating func disarmBay(_ i: Int, at t: Int64) {
        let ci = condIndex(i, .bay)
        if !conds[ci].idle {
            let minutes = Double(t - evses[i].chargingEndedAt) / 60_000
            observe(ci, at: t, bad: false, value: minutes, score: minutes, clearValue: true)
        }
        evses[i].chargingEndedAt = .min
        evses[i].bayDeadline = .max
    }

    mutating func checkBay(_ i: Int, _ t: Int64) {
        guard evses[i].plugged else {
            evses[i].bayDeadline = .max
            return
        }
        let minutes = Double(t - evses[i].chargingEndedAt) / 60_000
        observe(condIndex(i, .bay), at: t, bad: true, value: minutes, score: minutes,
                threshold: Double(configuration.bayBlocked.afterMs) / 60_000, connector: evses[i].connector ?? 0,
                since: evses[i].bayDeadline)
    }

    // MARK: - Voltage

    /// `slot`: 0 unlabelled, 1...3 the phase (L-N or L-L).
    mutating func voltage(_ i: Int, _ slot: Int, _ t: Int64, _ v: Double, lineToLine: Bool, location: Location,
                          connector: Int) {
        let settings = configuration.voltageOutOfRange
        guard settings.enabled else { return }
        let mainMeter = evses[i].evse == 0
        // A DC connector's output follows the battery: no grid measurement (its inlet is).
        if !mainMeter, evses[i].isDC, location != .inlet { return }
        let declaredNominal = evses[i].nominalV
        let nominal = lineToLine
            ? (declaredNominal > 0 ? declaredNominal * 3.0.squareRoot() : settings.nominalLineToLineV)
            : (declaredNominal > 0 ? declaredNominal : settings.nominalV)
        let gridSide = mainMeter || location == .inlet || evses[i].isAC
        let judged = gridSide
            ? v >= settings.minRatio * nominal
            : Swift.abs(v - nominal) <= (slot == 0 ? settings.undeclaredWindow : 1 - settings.minRatio) * nominal
        let vi = i * 4 + slot
        if judged {
            let low = nominal * (1 - settings.tolerance), high = nominal * (1 + settings.tolerance)
            volts[vi] = VoltSlot(t: t, v: v, limit: v < low ? low : high, score: Swift.abs(v - nominal) / nominal,
                                 bad: v < low || v > high)
        } else {
            volts[vi].bad = false
        }
        var worst = -1
        var worstScore = -1.0
        for k in (i * 4)..<(i * 4 + 4) where volts[k].bad && t - volts[k].t <= 300_000 && volts[k].score > worstScore {
            worst = k
            worstScore = volts[k].score
        }
        let ci = condIndex(i, .voltage)
        if worst >= 0 {
            observe(ci, at: t, bad: true, value: volts[worst].v, score: worstScore, threshold: volts[worst].limit,
                    connector: connector)
        } else {
            observe(ci, at: t, bad: false)
        }
    }

    // MARK: - Phase imbalance (per site), site overload

    @inline(__always)
    func imbalanceJudged(_ i: Int) -> Bool {
        sites[Int(evses[i].site)].imbalanceLimitVA > 0 && configuration.phaseImbalance.enabled
    }

    mutating func phaseCurrent(_ i: Int, _ k: Int, _ t: Int64, _ a: Double) {
        guard evses[i].evse >= 1, imbalanceJudged(i) else { return }
        evses[i].contribSource = 3
        setContribution(i, k, a * configuration.phaseImbalance.nominalV)
        evaluateImbalance(Int(evses[i].site), t)
    }

    mutating func setContribution(_ i: Int, _ k: Int, _ va: Double) {
        let p = i * 3 + k
        let delta = va - phases[p].contribution
        guard delta != 0 else { return }
        phases[p].contribution = va
        let s = Int(evses[i].site)
        switch k {
        case 0: sites[s].l1 += delta
        case 1: sites[s].l2 += delta
        default: sites[s].l3 += delta
        }
        chargers[Int(evses[i].charger)].contributing = true
    }

    mutating func evaluateImbalance(_ s: Int, _ t: Int64) {
        let a = sites[s].l1, b = sites[s].l2, c = sites[s].l3
        let imbalance = Swift.max(a, b, c) - Swift.min(a, b, c)
        let limit = sites[s].imbalanceLimitVA
        observe(Int(sites[s].imbalanceCond), at: t, bad: imbalance > limit, value: imbalance, score: imbalance,
                threshold: limit)
    }

    /// A silent charger's EVSEs stop contributing to their site's phase loads.
    mutating func dropContributions(_ c: Int, at t: Int64) {
        chargers[c].contributing = false
        for e in chargers[c].evses {
            let i = Int(e)
            guard evses[i].contribSource > 0 else { continue }
            for k in 0..<3 { setContribution(i, k, 0) }
            chargers[c].contributing = false
            if imbalanceJudged(i) { evaluateImbalance(Int(evses[i].site), t) }
        }
    }

    mutating func siteLoad(_ s: Int, _ load: Double, _ t: Int64) {
        let settings = configuration.siteOverload
        guard settings.enabled, sites[s].gridLimitW > 0 else { return }
        let limit = sites[s].gridLimitW * (1 + settings.tolerance)
        observe(Int(sites[s].overloadCond), at: t, bad: load > limit, value: load, score: load, threshold: limit)
    }

    // MARK: - SoC

    mutating func stateOfCharge(_ i: Int, _ t: Int64, _ v: Double, connector: Int) {
        let settings = configuration.socJump
        guard settings.enabled, evses[i].evse >= 1 else { return }
        let previousT = evses[i].socT
        if previousT != .min {
            guard t > previousT else {
                counters.late += 1
                return
            }
            let change = v - evses[i].socV
            let allowed = settings.thresholdPercent + settings.ratePerHour * Double(t - previousT) / 3_600_000
            let ci = condIndex(i, .soc)
            if change > allowed {
                observe(ci, at: t, bad: true, value: change, score: change, threshold: allowed, connector: connector)
            } else if change < -settings.backwardTolerance {
                observe(ci, at: t, bad: true, value: change, score: -change, threshold: -settings.backwardTolerance,
                        connector: connector)
            } else {
                observe(ci, at: t, bad: false)
            }
        }
        evses[i].socT = t
        evses[i].socV = v
    }

    // MARK: - Clock skew

    mutating func skewSample(_ c: Int, _ t: Int64, _ r: Int64) {
        chargers[c].lastSkewT = t
        chargers[c].lastSkewR = r
        let settings = configuration.clockSkew
        let capacity = settings.window
        if chargers[c].skewBase < 0 {
            chargers[c].skewBase = Int32(skewRing.count)
            skewRing.append(contentsOf: repeatElement(0, count: capacity))
            skewSorted.append(contentsOf: repeatElement(0, count: capacity))
        }
        let base = Int(chargers[c].skewBase)
        var count = chargers[c].skewCount, head = chargers[c].skewHead
        Window.push(Double(r - t), ring: &skewRing, sorted: &skewSorted, base: base, capacity: capacity,
                    count: &count, head: &head)
        chargers[c].skewCount = count
        chargers[c].skewHead = head
        let n = Int(chargers[c].skewCount)
        guard n >= settings.minSamples else { return }
        let estimate = skewSorted[base + Int(Double(n - 1) * settings.percentile / 100)]
        let threshold = Double(settings.thresholdMs)
        let ci = Int(chargers[c].skewCond)
        observe(ci, at: r, bad: Swift.abs(estimate) > threshold, value: estimate / 1_000,
                score: Swift.abs(estimate) / 1_000, threshold: threshold / 1_000)
        if c < skewHot.count, !conds[ci].idle { skewHot[c] = true }
    }
}
