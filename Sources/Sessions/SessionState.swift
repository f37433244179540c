import Telemetry

/// What a reading means to sessions; everything else is dismissed before any lookup.
enum ReadingKind: UInt8, Sendable, Codable {
    case register, power, offered, soc
    /// Current.Import without a phase (the total), and of one phase (summed per instant): kept only when a
    /// tariff restricts by current (`SessionConfiguration.billingCurrentThresholdsA`).
    case current, phaseCurrent
}

/// Where a register value comes from.
enum RegisterRole: UInt8, Sendable, Codable {
    case reading, meterStart, meterStop, seed
}

/// Energy register readings of one session, split into segments at resets and jumps.
/// Energy = closed segments + (last − first value of the current segment): no summed deltas, so no drift, and
/// with a monotonic register it is exactly last − first (meter stop − meter start).
struct RegisterSegments: Sendable, Codable, Equatable {
    enum Step { case ok, duplicate, reset, jump }

    var count = 0
    var firstT: Int64 = 0
    var first: Double = 0
    var lastT: Int64 = 0
    var last: Double = 0
    var segmentStart: Double = 0
    var closedWh: Double = 0
    var breaks = 0

    var energy: Double? { count >= 2 ? closedWh + (last - segmentStart) : nil }

    /// A value at or after the last one.
    mutating func add(t: Int64, value v: Double, resolution: Double, maxPowerW: Double) -> Step {
        if count == 0 {
            (first, firstT, last, lastT, segmentStart, count) = (v, t, v, t, v, 1)
            return .ok
        }
        let delta = v - last
        let tolerance = Swift.max(resolution, 1e-9)
        if t == lastT && abs(delta) <= 1e-9 { return .duplicate }
        if delta < -tolerance {
            closedWh += last - segmentStart
            (segmentStart, last, lastT) = (v, v, t)
            count += 1
            breaks += 1
            return .reset
        }
        let allowed = maxPowerW * Double(t - lastT) / 3_600_000 + Swift.max(resolution, 10)
        if delta > allowed {
            closedWh += last - segmentStart
            (segmentStart, last, lastT) = (v, v, t)
            count += 1
            breaks += 1
            return .jump
        }
        count += 1
        lastT = t
        if delta > 0 { last = v }
        return .ok
    }

    /// A value older than the last one (out of order): only a new first value changes the energy.
    mutating func addLate(t: Int64, value v: Double, resolution: Double, maxPowerW: Double) -> Step {
        if count == 0 || t >= lastT { return add(t: t, value: v, resolution: resolution, maxPowerW: maxPowerW) }
        if t == firstT && abs(v - first) <= 1e-9 { return .duplicate }
        if t < firstT {
            let gain = first - v
            let allowed = maxPowerW * Double(firstT - t) / 3_600_000 + Swift.max(resolution, 10)
            guard gain >= -Swift.max(resolution, 1e-9), gain <= allowed else { return .jump }
            if breaks == 0 { segmentStart = Swift.min(v, first) } else { closedWh += Swift.max(0, gain) }
            if gain > 0 { first = v }
            firstT = t
        }
        count += 1
        return .ok
    }
}

/// One session's running state. Figures are built from it by `record(...)`.
struct SessionState: Sendable, Codable {
    // Identity
    var id: String
    var site: String
    var charger: String
    var evse: Int
    var connector: Int
    var start: SessionStart
    var state: SessionRecordState = .open
    var transactionId: String?
    var otherTransactionIds: [String] = []
    var idTag: String?
    var idTagStatus: String?
    var startedAt: Int64
    var pluggedAt: Int64?
    var endedAt: Int64?
    var unpluggedAt: Int64?
    var endReason: SessionEndReason?
    var stopReason: String?
    var meterStart: Double?
    var meterStop: Double?
    var closedReceive: Int64 = 0
    var threshold: Double
    var ratingW: Double?
    var maxPowerW: Double
    var quality: SessionQuality = []
    var amended = 0
    var lateReadings = 0
    var duplicates = 0
    var anomalies: [String] = []
    var lastDataT: Int64

    // Status accounting
    var phase: ChargePhase
    var phaseSince: Int64
    var statusChargingMs: Int64 = 0
    var statusFlowEnd: Int64?
    var suspendedEVMs: Int64 = 0
    var suspendedEVSEMs: Int64 = 0
    var pendingEVMs: Int64 = 0
    var pendingEVSEMs: Int64 = 0
    var pendingSince: Int64 = .max
    var interruptions: [SessionPeriod] = []

    // Register and instants (each instant: the readings with one timestamp)
    var register = RegisterSegments()
    var firstIsMeterStart = false
    var curT: Int64 = .min
    var curReg: Double?
    var curRegRes: Double = 1
    var curRegSynthetic = false
    var curPow: Double?
    var curSoC: Double?
    /// The instant's current (A, all phases); whether it came as a total (which wins over a sum of phases).
    var curCurrent: Double?
    var curCurrentIsTotal: Bool?
    var prevT: Int64 = .min
    var prevReg: Double?
    var prevRegRes: Double = 1
    var startPow: Double?
    var startPowT: Int64 = .min
    var heldPow: Double?
    var heldPowT: Int64 = .min
    var pending = false
    var evaluatedTo: Int64 = .min

    // Flow (power evidence)
    var hasPowerData = false
    var measuredPowerSeen = false
    var chargingMs: Int64 = 0
    var flowEnd: Int64?
    var complete = false
    var belowSinceComplete = false
    var nearCompleteSent = false
    /// SoC of the last 10 minutes for the time-to-full estimate (nil in snapshots written before it existed).
    var socRate: SoCRate?
    var integratedWh: Double = 0
    var hasIntegrated = false
    var crossRegisterWh: Double = 0
    var crossExcessWh: Double = 0
    var crossMs: Int64 = 0
    var peakW: Double?
    var derivedPeakW: Double?
    var taperPeakW: Double = 0
    var taperSoC: Double?
    var socFirst: Double?
    var socFirstT: Int64 = .max
    var socLast: Double?
    var socLastT: Int64 = .min
    var offeredMaxW: Double?
    var offeredLastW: Double?
    var vehicleLimited = 0
    var chargerLimited = 0
    var chargerReportedWh: Double?
    var energyAfterStopWh: Double?
    var signedBegin: SignedReading?
    var signedEnd: SignedReading?
    var curve: PowerCurve
    /// Phase changes and readings for pricing (nil in snapshots written before it existed: priced from totals).
    var billing: BillingTrace?
    /// True once `session.cost_threshold` was produced for the session (nil: not yet).
    var costThresholdReached: Bool?

    init(id: String, site: String, charger: String, evse: Int, connector: Int, start: SessionStart,
         startedAt: Int64, phase: ChargePhase, threshold: Double, ratingW: Double?, maxPowerW: Double,
         curveStepMs: Int64) {
        self.id = id
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.start = start
        self.startedAt = startedAt
        self.phase = phase
        self.phaseSince = startedAt
        self.threshold = threshold
        self.ratingW = ratingW
        self.maxPowerW = maxPowerW
        self.lastDataT = startedAt
        self.curve = PowerCurve(stepMs: curveStepMs)
        self.billing = BillingTrace(startedAt: startedAt, phase: phase, chargingThresholdW: threshold)
    }

    func names(_ tx: String) -> Bool {
        transactionId == tx || otherTransactionIds.contains(tx)
    }

    var isTransactional: Bool { start != .evidence || transactionId != nil }

    func event(_ kind: SessionEventKind, at: Int64, _ figures: SessionFigures = SessionFigures()) -> SessionEvent {
        SessionEvent(kind: kind, sessionId: id, site: site, charger: charger, evse: evse, at: at, figures: figures)
    }

    // MARK: - Readings (in session, in order)

    /// Feeds one value. `synthetic` marks meter start/stop and seeded values: overlaps with them are no duplicates.
    mutating func feed(_ kind: ReadingKind, t: Int64, value v: Double, resolution: Double,
                       role: RegisterRole = .reading, config: SessionConfiguration, out: inout [SessionEvent]) {
        let synthetic = role != .reading
        if t > curT {
            shift(to: t, config: config, out: &out)
        } else if t < curT {
            late(kind, t: t, value: v, resolution: resolution, out: &out, config: config)
            return
        }
        if t > lastDataT { lastDataT = t }
        defer { trace(kind, t: t, config: config) }
        switch kind {
        case .register:
            if let existing = curReg {
                if !synthetic && !curRegSynthetic { countDuplicate(same: abs(existing - v) <= 1e-9) }
                if role == .meterStop || (role == .reading && curRegSynthetic && register.count == 1 && meterStart != nil) {
                    if abs(existing - v) > Swift.max(resolution, curRegRes, 1) {
                        quality.insert(role == .meterStop ? .meterStopMismatch : .meterStartMismatch)
                    }
                }
                return
            }
            curReg = v
            curRegRes = resolution
            curRegSynthetic = synthetic
            let step = register.add(t: t, value: v, resolution: resolution, maxPowerW: maxPowerW)
            noteRegisterStep(step, role: role)
            if pending {
                evaluate(config: config, out: &out)
            }
        case .power:
            if let existing = curPow {
                countDuplicate(same: existing == v)
                return
            }
            curPow = v
            heldPow = v
            heldPowT = t
            if !measuredPowerSeen {
                // Measured power replaces what the register suggested before it.
                measuredPowerSeen = true
                curve.points.removeAll()
            }
            if v > (peakW ?? -.infinity) { peakW = v }
            addCurve(t: t, watts: v, config: config)
        case .soc:
            curSoC = v
            if t < socFirstT { socFirst = v; socFirstT = t }
            if t >= socLastT { socLast = v; socLastT = t }
            if let last = curve.points.last, last.t == floorStep(t) { curve.points[curve.points.count - 1].soc = v }
            if socRate == nil { socRate = SoCRate() }
            socRate!.add(t: t, soc: v)
            if !nearCompleteSent { checkNearComplete(t: t, soc: v, config: config, out: &out) }
            if v >= 100, !complete, flowEnd != nil || phase == .charging {
                markComplete(at: t, out: &out)
            }
        case .offered:
            offeredLastW = v
            if v > (offeredMaxW ?? -.infinity) { offeredMaxW = v }
        case .current:
            curCurrent = v
            curCurrentIsTotal = true
        case .phaseCurrent:
            if curCurrentIsTotal != true { curCurrent = (curCurrent ?? 0) + v }
        }
    }

    /// `near_complete`: the estimated time to full is within `nearCompleteWithinMs`; when no estimate can be made
    /// (the SoC did not rise over the last 10 minutes) or the estimate is switched off, SoC ≥ `nearCompleteSoC`.
    private mutating func checkNearComplete(t: Int64, soc v: Double, config: SessionConfiguration,
                                            out: inout [SessionEvent]) {
        let estimate = socRate?.secondsToFull
        var figures = SessionFigures(soc: v)
        if let within = config.nearCompleteWithinMs, let estimate {
            guard estimate * 1_000 <= Double(within) else { return }
            figures.timeToFullS = estimate
            figures.threshold = Double(within) / 1_000
        } else {
            guard let near = config.nearCompleteSoC, v >= near else { return }
            figures.threshold = near
        }
        nearCompleteSent = true
        out.append(event(.nearComplete, at: t, figures))
    }

    /// A meter stop that reached the session after it closed (an unplug applied first, say): the billing trace takes
    /// the session's energy at the stop when it is not older than the trace's newest reading, so the cost includes
    /// the energy up to the stop, at its time, instead of ending at the last meter value.
    mutating func traceClosingRegister(t: Int64, config: SessionConfiguration) {
        guard billing != nil, register.count >= 1, let energy = register.energy, t >= (billing!.latest?.t ?? .min)
        else { return }
        billing!.reading(t: t, energyWh: energy, powerW: nil, soc: nil, configuration: config)
    }

    /// Hands the instant's values to the billing trace (offered power is not billed on).
    private mutating func trace(_ kind: ReadingKind, t: Int64, config: SessionConfiguration) {
        // Optional chaining mutates the trace in place (a `billing != nil` test copied it, arrays retained).
        switch kind {
        case .register:
            billing?.reading(t: t, energyWh: register.count >= 1 ? (register.energy ?? 0) : nil, powerW: nil,
                             soc: nil, configuration: config)
        case .power: billing?.reading(t: t, energyWh: nil, powerW: curPow, soc: nil, configuration: config)
        case .soc: billing?.reading(t: t, energyWh: nil, powerW: nil, soc: curSoC, configuration: config)
        case .current, .phaseCurrent:
            billing?.reading(t: t, energyWh: nil, powerW: nil, soc: nil, currentA: curCurrent, configuration: config)
        case .offered: break
        }
    }

    mutating func noteRegisterStep(_ step: RegisterSegments.Step, role: RegisterRole) {
        switch step {
        case .ok, .duplicate: break
        case .reset, .jump:
            // A break right after a meter start is the start's fault (zero-based vs cumulative), one at the
            // meter stop the stop's.
            if role == .meterStop {
                quality.insert(.meterStopMismatch)
            } else if register.count == 2, firstIsMeterStart {
                quality.insert(.meterStartMismatch)
            } else {
                quality.insert(step == .reset ? .registerReset : .registerJump)
            }
        }
    }

    mutating func countDuplicate(same: Bool) {
        duplicates += 1
        quality.insert(.duplicates)
    }

    /// The instant at `curT` is complete: evaluate what is pending and start a new instant at `t`.
    mutating func shift(to t: Int64, config: SessionConfiguration, out: inout [SessionEvent]) {
        if curT != .min {
            if pending { evaluate(config: config, out: &out) }
            instantStats()
        }
        prevT = curT
        prevReg = curReg
        prevRegRes = curRegRes
        startPow = heldPow
        startPowT = heldPowT
        curT = t
        curReg = nil
        curRegSynthetic = false
        curPow = nil
        curSoC = nil
        curCurrent = nil
        curCurrentIsTotal = nil
        pending = prevT != .min
    }

    /// The interval `[prevT, curT)`: its power from the register at both ends when precise enough, else the
    /// measured power held from its start (at most `max_power_hold` old).
    mutating func evaluate(config: SessionConfiguration, out: inout [SessionEvent]) {
        pending = false
        let a = prevT
        let b = curT
        let dt = b - a
        guard dt > 0 else { return }
        var measured: Double?
        if let p = startPow, startPowT >= a - config.maxPowerHoldMs { measured = p }
        var power: Double?
        if let r0 = prevReg, let r1 = curReg {
            let delta = r1 - r0
            let resolution = Swift.max(prevRegRes, curRegRes)
            // A register is trusted for the interval when its resolution cannot hide more than
            // max(10 × threshold, 1 kW) over it; coarser registers (whole kWh every 10 s) yield to measured power.
            let precise = resolution * 3_600_000 / Double(dt) <= Swift.max(10 * threshold, 1_000)
            if delta >= 0, delta <= maxPowerW * Double(dt) / 3_600_000 + Swift.max(resolution, 10) {
                if precise || measured == nil { power = delta * 3_600_000 / Double(dt) }
            }
        }
        if let m = measured {
            integratedWh += m * Double(dt) / 3_600_000
            hasIntegrated = true
        }
        if power == nil { power = measured }
        guard let p = power else { return }
        hasPowerData = true
        if !measuredPowerSeen {
            if p > (derivedPeakW ?? -.infinity) { derivedPeakW = p }
            addCurve(t: a, watts: p, config: config)
        }
        if b > evaluatedTo { evaluatedTo = b }
        if p > threshold {
            if complete && belowSinceComplete {
                complete = false
                belowSinceComplete = false
                out.append(event(.chargingResumed, at: a, SessionFigures(powerW: p)))
            }
            chargingMs += dt
            flowEnd = b
            commitPendingSuspensions()
        } else {
            if complete { belowSinceComplete = true }
            checkComplete(now: b, config: config, out: &out)
        }
    }

    /// Cross-check, taper and limiter, once an instant is complete.
    mutating func instantStats() {
        crossCheck()
        guard let p = curPow, p > threshold else { return }
        if let offered = offeredLastW, offered > 0 {
            if p < 0.9 * offered { vehicleLimited += 1 } else { chargerLimited += 1 }
        }
        if p > taperPeakW {
            taperPeakW = p
            taperSoC = nil
        } else if taperSoC == nil, p < 0.9 * taperPeakW, let soc = curSoC ?? socLast {
            taperSoC = soc
        }
    }

    /// Register energy against measured power over `[prevT, curT)` when both ends have both: the register delta
    /// should lie between the energies of the two power samples held over the interval; what lies outside counts.
    mutating func crossCheck() {
        guard let r0 = prevReg, let r1 = curReg, let p0 = startPow, startPowT == prevT, let p1 = curPow,
              curT > prevT else { return }
        let delta = r1 - r0
        guard delta >= 0 else { return }
        let hours = Double(curT - prevT) / 3_600_000
        let low = Swift.min(p0, p1) * hours
        let high = Swift.max(p0, p1) * hours
        let slack = Swift.max(prevRegRes, curRegRes)
        crossRegisterWh += delta
        crossExcessWh += Swift.max(0, delta - high - slack) + Swift.max(0, low - delta - slack)
        crossMs += curT - prevT
    }

    mutating func commitPendingSuspensions() {
        guard pendingEVMs > 0 || pendingEVSEMs > 0 else { return }
        suspendedEVMs += pendingEVMs
        suspendedEVSEMs += pendingEVSEMs
        pendingEVMs = 0
        pendingEVSEMs = 0
        pendingSince = .max
    }

    /// Complete once power stayed below the threshold for `complete_after` (judged up to `now`, the end of
    /// what was evaluated); for sessions without power data, on status time.
    mutating func checkComplete(now: Int64, config: SessionConfiguration, out: inout [SessionEvent]) {
        guard !complete else { return }
        let end: Int64?
        let horizon: Int64
        if hasPowerData {
            end = flowEnd
            horizon = Swift.min(now, evaluatedTo)
        } else {
            end = phase == .charging ? nil : statusFlowEnd
            horizon = now
        }
        guard let end, horizon - end >= config.completeAfterMs else { return }
        markComplete(at: end + config.completeAfterMs, out: &out)
        belowSinceComplete = true
    }

    mutating func markComplete(at t: Int64, out: inout [SessionEvent]) {
        complete = true
        belowSinceComplete = false
        let ended = hasPowerData ? flowEnd : statusFlowEnd
        out.append(event(.chargingComplete, at: t, SessionFigures(
            energyWh: register.energy ?? (hasIntegrated ? integratedWh : nil), soc: socLast, chargingEndedAt: ended)))
    }

    // MARK: - Late readings

    /// A value older than the newest instant: merged where it can change a figure (first register, peaks, SoC
    /// at the start); interval accounting is not redone.
    mutating func late(_ kind: ReadingKind, t: Int64, value v: Double, resolution: Double,
                       out: inout [SessionEvent], config: SessionConfiguration) {
        lateReadings += 1
        quality.insert(.reordered)
        mergeLate(kind, t: t, value: v, resolution: resolution)
    }

    /// Merges a value into a session without touching its intervals. Returns true when a figure changed.
    @discardableResult
    mutating func mergeLate(_ kind: ReadingKind, t: Int64, value v: Double, resolution: Double) -> Bool {
        switch kind {
        case .register:
            let before = (register.energy, register.count)
            let step = register.addLate(t: t, value: v, resolution: resolution, maxPowerW: maxPowerW)
            if step == .duplicate { return false }
            noteRegisterStep(step, role: .reading)
            return before.0 != register.energy || before.1 < 2
        case .power:
            if v > (peakW ?? -.infinity) {
                peakW = v
                return true
            }
            return false
        case .soc:
            var changed = false
            if t < socFirstT { socFirst = v; socFirstT = t; changed = true }
            if t > socLastT { socLast = v; socLastT = t; changed = true }
            return changed
        case .offered:
            if v > (offeredMaxW ?? -.infinity) {
                offeredMaxW = v
                return true
            }
            return false
        case .current, .phaseCurrent:
            return false
        }
    }

    // MARK: - Status

    mutating func setPhase(_ p: ChargePhase, at time: Int64, config: SessionConfiguration, out: inout [SessionEvent]) {
        var t = time
        if t < phaseSince {
            quality.insert(.clockBackwards)
            t = phaseSince
        }
        if t > lastDataT { lastDataT = t }
        closeSegment(until: t)
        switch p {
        case .faulted, .unavailable:
            beginInterruption(at: t)
        default:
            endInterruption(at: t)
        }
        if p == .charging, !hasPowerData, complete {
            complete = false
            out.append(event(.chargingResumed, at: t))
        }
        phase = p
        phaseSince = t
        billing?.phase(p, at: t)
        checkComplete(now: t, config: config, out: &out)
    }

    mutating func closeSegment(until t: Int64) {
        let duration = t - phaseSince
        guard duration > 0 else {
            if phase == .charging { statusFlowEnd = t }
            return
        }
        switch phase {
        case .charging:
            statusChargingMs += duration
            statusFlowEnd = t
            if !hasPowerData { commitPendingSuspensions() }
        case .suspendedEV:
            pendingEVMs += duration
            pendingSince = Swift.min(pendingSince, phaseSince)
        case .suspendedEVSE:
            pendingEVSEMs += duration
            pendingSince = Swift.min(pendingSince, phaseSince)
        default:
            break
        }
    }

    mutating func beginInterruption(at t: Int64) {
        if let last = interruptions.last, last.end == nil { return }
        interruptions.append(SessionPeriod(start: t, end: nil))
        quality.insert(.interrupted)
    }

    mutating func endInterruption(at t: Int64) {
        guard let last = interruptions.last, last.end == nil else { return }
        interruptions[interruptions.count - 1].end = Swift.max(t, last.start)
    }

    // MARK: - Close

    /// Ends the session at `t`: meter stop as the last register, trailing interval, open segments.
    mutating func close(at t: Int64, reason: SessionEndReason, meterStop: Double?, receivedAt: Int64,
                        config: SessionConfiguration, out: inout [SessionEvent]) {
        if let meterStop {
            self.meterStop = meterStop
            if t >= curT {
                feed(.register, t: t, value: meterStop, resolution: 1, role: .meterStop, config: config, out: &out)
            }
        }
        if t > curT { shift(to: t, config: config, out: &out) }
        if pending { evaluate(config: config, out: &out) }
        instantStats()
        let end = Swift.max(t, phaseSince)
        closeSegment(until: end)
        endInterruption(at: end)
        if (hasPowerData ? flowEnd : statusFlowEnd) == nil { commitPendingSuspensions() }
        pendingEVMs = 0
        pendingEVSEMs = 0
        state = .closed
        endedAt = t
        endReason = reason
        closedReceive = receivedAt
        phase = .ended
        phaseSince = end
        billing?.phase(.ended, at: end)
        if t > lastDataT { lastDataT = t }
        // Unplugging is how a session without transactions normally ends.
        if reason != .transaction && reason != .finished && !(reason == .unplugged && !isTransactional) {
            quality.insert(.missingStop)
        }
        if reason == .timeout { quality.insert(.timedOut) }
        let energy = energyFigure().0
        out.append(event(.ended, at: t, SessionFigures(energyWh: energy, chargingEndedAt: chargingEndedAt,
                                                       reason: stopReason ?? reason.rawValue)))
    }

    /// Reopens a session closed by timeout or unplug when more data of its transaction arrives.
    mutating func reopen(at t: Int64) {
        let gapStart = endedAt ?? t
        state = .open
        endedAt = nil
        endReason = nil
        unpluggedAt = nil
        phase = .charging
        phaseSince = Swift.max(t, gapStart)
        billing?.phase(.charging, at: phaseSince)
        quality.remove([.timedOut, .missingStop])
        quality.insert(.reopened)
        if t > gapStart {
            interruptions.append(SessionPeriod(start: gapStart, end: t))
            quality.insert(.interrupted)
        }
        amended += 1
    }

    // MARK: - Curve

    func floorStep(_ t: Int64) -> Int64 {
        let step = curve.stepMs
        let q = t / step
        return (t % step < 0 ? q - 1 : q) * step
    }

    mutating func addCurve(t: Int64, watts: Double, config: SessionConfiguration) {
        let bin = floorStep(t)
        let n = curve.points.count
        if n > 0, curve.points[n - 1].t == bin {
            curve.points[n - 1].samples += 1
            let k = Double(curve.points[n - 1].samples)
            curve.points[n - 1].averageW += (watts - curve.points[n - 1].averageW) / k
            if watts > curve.points[n - 1].maxW { curve.points[n - 1].maxW = watts }
            return
        }
        if n > 0, curve.points[n - 1].t > bin { return }
        curve.points.append(CurvePoint(t: bin, averageW: watts, maxW: watts, samples: 1, soc: curSoC))
        if curve.points.count > config.maxCurvePoints { halveCurve() }
    }

    mutating func halveCurve() {
        let step = curve.stepMs * 2
        var merged: [CurvePoint] = []
        merged.reserveCapacity(curve.points.count / 2 + 1)
        for point in curve.points {
            let q = point.t / step
            let bin = (point.t % step < 0 ? q - 1 : q) * step
            if let last = merged.last, last.t == bin {
                let total = last.samples + point.samples
                var m = last
                m.averageW = (last.averageW * Double(last.samples) + point.averageW * Double(point.samples))
                    / Double(Swift.max(total, 1))
                m.maxW = Swift.max(last.maxW, point.maxW)
                m.samples = total
                m.soc = point.soc ?? last.soc
                merged[merged.count - 1] = m
            } else {
                var p = point
                p.t = bin
                merged.append(p)
            }
        }
        curve = PowerCurve(stepMs: step, points: merged)
    }

    // MARK: - Figures

    var chargingEndedAt: Int64? { hasPowerData ? flowEnd : statusFlowEnd }

    func energyFigure() -> (Double?, EnergySource) {
        if quality.contains(.meterStartMismatch), quality.contains(.meterStopMismatch),
           let start = meterStart, let stop = meterStop, stop >= start,
           let end = endedAt, stop - start <= maxPowerW * Double(end - startedAt) / 3_600_000 + 10 {
            return (stop - start, .register)
        }
        if let e = register.energy { return (e, .register) }
        if hasIntegrated { return (integratedWh, .integratedPower) }
        if let c = chargerReportedWh { return (c, .chargerReported) }
        return (nil, .none)
    }

    func record(now: Int64) -> SessionRecord {
        let (energy, source) = energyFigure()
        var flags = quality
        if energy == nil { flags.insert(.noEnergyData) }
        if crossMs >= 60_000, crossExcessWh > Swift.max(0.1 * crossRegisterWh, 50) {
            flags.insert(.energyMismatch)
        }
        var charging = hasPowerData ? chargingMs : statusChargingMs
        if !hasPowerData, state == .open, phase == .charging, now > phaseSince { charging += now - phaseSince }
        let endedCharging = chargingEndedAt
        var idle: Int64 = 0
        if let ce = endedCharging {
            if state == .open {
                if complete { idle = Swift.max(0, Swift.max(now, lastDataT) - ce) }
            } else if let end = unpluggedAt ?? endedAt {
                idle = Swift.max(0, end - ce)
            }
        }
        var interrupted: Int64 = 0
        for period in interruptions {
            let end = period.end ?? Swift.max(now, period.start)
            interrupted += Swift.max(0, end - period.start)
        }
        let peak = peakW ?? derivedPeakW
        var average: Double?
        if let energy, charging > 0 { average = energy * 3_600_000 / Double(charging) }
        var limiter = RateLimiter.unknown
        if vehicleLimited + chargerLimited > 0 {
            limiter = vehicleLimited > chargerLimited ? .vehicle : .charger
        } else if let rating = ratingW, let peak {
            limiter = peak >= 0.9 * rating ? .charger : .vehicle
        } else if suspendedEVSEMs > suspendedEVMs {
            limiter = .charger
        } else if suspendedEVMs > 0 {
            limiter = .vehicle
        }
        var shownPhase = phase
        if state == .open, complete, [.charging, .suspendedEV, .preparing].contains(phase) { shownPhase = .idle }
        if state != .open { shownPhase = .ended }
        var record = SessionRecord(
            id: id, site: site, charger: charger, evse: evse, connector: connector, state: state, phase: shownPhase,
            start: start, transactionId: transactionId, idTag: idTag, idTagStatus: idTagStatus, startedAt: startedAt,
            pluggedAt: pluggedAt, chargingEndedAt: endedCharging, endedAt: endedAt, unpluggedAt: unpluggedAt,
            endReason: endReason, stopReason: stopReason, meterStartWh: meterStart, meterStopWh: meterStop,
            energyWh: energy, energySource: source, integratedEnergyWh: hasIntegrated ? integratedWh : nil,
            chargerReportedEnergyWh: chargerReportedWh, energyAfterStopWh: energyAfterStopWh, chargingMs: charging,
            suspendedEVMs: suspendedEVMs, suspendedEVSEMs: suspendedEVSEMs, idleMs: idle, interruptedMs: interrupted,
            interruptions: interruptions, peakPowerW: peak, averagePowerW: average, offeredPowerW: offeredMaxW,
            socStart: socFirst, socEnd: socLast, taperSoC: taperSoC, limitedBy: limiter, complete: complete,
            signedBegin: signedBegin, signedEnd: signedEnd, anomalies: anomalies, quality: flags, amended: amended,
            lateReadings: lateReadings, duplicates: duplicates, curve: curve)
        if state == .open { record.timeToFullS = socRate?.secondsToFull }
        return record
    }
}
