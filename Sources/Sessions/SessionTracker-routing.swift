import Telemetry

extension SessionTracker {
    // MARK: - Protocol mapping

    /// A normalized connector status as a charge phase; nil when it says nothing new (2.0.1 `Occupied` while a
    /// cable is already known to be in, `Reserved`).
    static func phase(for status: ConnectorStatus, current: ChargePhase) -> ChargePhase? {
        switch status {
        case .available: .available
        case .preparing: .preparing
        case .charging: .charging
        case .suspendedEV: .suspendedEV
        case .suspendedEVSE: .suspendedEVSE
        case .finishing: .ended
        case .reserved: nil
        case .unavailable: .unavailable
        case .faulted: .faulted
        case .occupied: current.isPlugged ? nil : .preparing
        }
    }

    /// OCPP 2.0.1 `transactionInfo.chargingState` as a charge phase (`Idle` = no EV connected).
    static func phase(forChargingState state: String?, flowed: Bool) -> ChargePhase? {
        switch state {
        case "Charging": .charging
        case "SuspendedEV": .suspendedEV
        case "SuspendedEVSE": .suspendedEVSE
        case "EVConnected": flowed ? .idle : .preparing
        case "Idle": .available
        default: nil
        }
    }

    // MARK: - Readings

    mutating func ingest(_ i: Int, _ kind: ReadingKind, t: Int64, value: Double, decimals: Int16,
                         context: ReadingContext, transactionId tx: String?, receivedAt: Int64) {
        let c = Int(evses[i].chargerIndex)
        let future = touch(c, t, receivedAt)
        if chargers[c].clock >= evses[i].finalizeDue { finalizeRecent(i, receivedAt: receivedAt) }
        let resolution = kind == .register ? Self.resolution(decimals) : 0
        if let tx {
            // The open session is read and changed in place: a copy of it (`if var o = evses[i].open`) stayed alive
            // through `feedOpen`, so every reading copied the session's curve and billing trace to append to them
            // (quadratic in the session's length: 72,000 instructions a message two days into a session).
            if evses[i].open != nil {
                var mine = evses[i].open!.names(tx)
                if !mine, evses[i].open!.transactionId == nil,
                   t >= evses[i].open!.startedAt - configuration.resendWindowMs {
                    // OCPP 1.6: the first meter values naming a transaction teach it to a session that missed
                    // the back-end's result.
                    evses[i].open!.transactionId = tx
                    mine = true
                }
                if mine {
                    feedOpen(i, kind, t: t, value: value, resolution: resolution, context: context, future: future)
                    return
                }
            }
            if let r = evses[i].recent.lastIndex(where: { $0.names(tx) }) {
                toClosed(i, r, kind, t: t, value: value, resolution: resolution, context: context,
                         transactionId: tx, receivedAt: receivedAt)
                return
            }
            if let lastDataT = evses[i].open?.lastDataT {
                guard t >= lastDataT else {
                    counters.unmatchedLate += 1
                    return
                }
                // Another transaction is running here: the open one lost its stop.
                closeOpen(i, at: lastDataT, reason: .superseded, meterStop: nil, stopReason: nil,
                          receivedAt: receivedAt)
            }
            openSession(i, start: .inferred, txKey: tx, startedAt: t, transactionId: tx, idTag: nil,
                        meterStart: nil, phase: .charging, seedFrom: t, receivedAt: receivedAt)
            feedOpen(i, kind, t: t, value: value, resolution: resolution, context: context, future: future)
            return
        }
        if evses[i].open != nil, t >= evses[i].open!.startedAt {
            feedOpen(i, kind, t: t, value: value, resolution: resolution, context: context, future: future)
            return
        }
        if let r = evses[i].recent.lastIndex(where: { t >= $0.startedAt && t <= ($0.endedAt ?? .max) }) {
            toClosed(i, r, kind, t: t, value: value, resolution: resolution, context: context, transactionId: nil,
                     receivedAt: receivedAt)
            return
        }
        if evses[i].open == nil, let r = evses[i].recent.indices.last, evses[i].recent[r].unpluggedAt == nil,
           evses[i].phase.isPlugged {
            afterStop(i, r, kind, t: t, value: value, resolution: resolution, transactionId: nil)
        }
        preSession(i, kind, t: t, value: value, resolution: resolution, context: context, future: future,
                   receivedAt: receivedAt)
    }

    mutating func feedOpen(_ i: Int, _ kind: ReadingKind, t: Int64, value: Double, resolution: Double,
                           context: ReadingContext, future: Bool) {
        // In place: no copy of the session.
        guard evses[i].open != nil else { return }
        if future { evses[i].open!.quality.insert(.clockAhead) }
        if context == .interruptionBegin {
            evses[i].open!.beginInterruption(at: t)
        } else if context == .interruptionEnd {
            evses[i].open!.endInterruption(at: t)
        }
        evses[i].open!.feed(kind, t: t, value: value, resolution: resolution, config: configuration, out: &events)
        if kind == .register, t >= evses[i].lastRegT {
            evses[i].lastReg = value
            evses[i].lastRegT = t
            evses[i].lastRegRes = resolution
        }
    }

    /// Data for a closed session: inside its window it is merged (amending it) unless finalized; after its end
    /// it reopens a session closed without its stop (same transaction) or is flagged as after the stop.
    mutating func toClosed(_ i: Int, _ r: Int, _ kind: ReadingKind, t: Int64, value: Double, resolution: Double,
                           context: ReadingContext, transactionId tx: String?, receivedAt: Int64) {
        var s = evses[i].recent[r]
        let end = s.endedAt ?? .max
        if t > end {
            let reopenable = s.state == .closed && (s.endReason == .timeout || s.endReason == .unplugged)
                && r == evses[i].recent.count - 1 && evses[i].open == nil && context != .transactionEnd
            if let tx, s.names(tx), reopenable {
                evses[i].recent.remove(at: r)
                s.reopen(at: t)
                evses[i].open = s
                recomputeFinalizeDue(i)
                if evses[i].phase == .available || evses[i].phase == .ended { evses[i].phase = .charging }
                feedOpen(i, kind, t: t, value: value, resolution: resolution, context: context, future: false)
                return
            }
            afterStop(i, r, kind, t: t, value: value, resolution: resolution, transactionId: tx)
            return
        }
        if s.state == .finalized {
            amend(i, r, receivedAt: receivedAt, at: t, SessionFigures(
                energyWh: kind == .register ? value : nil, powerW: kind == .power ? value : nil,
                soc: kind == .soc ? value : nil, reason: "reading"))
            return
        }
        let designed = context == .transactionEnd || context == .transactionBegin || receivedAt == s.closedReceive
        let changed = s.mergeLate(kind, t: t, value: value, resolution: resolution)
        if !designed { s.lateReadings += 1 }
        evses[i].recent[r] = s
        forgetRecentDue(i)
        if changed {
            if !designed { noteAmended(i, r, receivedAt: receivedAt) }
            markDirty(i, s.id)
        }
    }

    /// Counts one amendment per receive time (one late message or batch), flags late data.
    mutating func noteAmended(_ i: Int, _ r: Int, receivedAt: Int64) {
        if evses[i].recent[r].closedReceive != receivedAt || evses[i].recent[r].amended == 0 {
            evses[i].recent[r].amended += 1
        }
        evses[i].recent[r].closedReceive = Swift.max(evses[i].recent[r].closedReceive, receivedAt)
        evses[i].recent[r].quality.insert(.lateData)
    }

    /// Late data for a finalized session: the record is not rewritten; the amendment is counted and emitted.
    mutating func amend(_ i: Int, _ r: Int, receivedAt: Int64, at t: Int64, _ figures: SessionFigures) {
        evses[i].recent[r].amended += 1
        let s = evses[i].recent[r]
        events.append(s.event(.amendment, at: t, figures))
        markDirty(i, s.id)
    }

    mutating func afterStop(_ i: Int, _ r: Int, _ kind: ReadingKind, t: Int64, value: Double, resolution: Double,
                            transactionId tx: String?) {
        var s = evses[i].recent[r]
        guard s.state == .closed, let end = s.endedAt, t > end else { return }
        var changed = false
        if !s.quality.contains(.valuesAfterStop), tx.map(s.names) ?? true {
            s.quality.insert(.valuesAfterStop)
            changed = true
        }
        if kind == .register, s.register.count > 0 {
            let excess = value - (s.meterStop ?? s.register.last)
            if excess > Swift.max(resolution, 1), excess > (s.energyAfterStopWh ?? 0) {
                s.energyAfterStopWh = excess
                s.quality.insert(.valuesBeyondStop)
                changed = true
            }
        }
        if changed {
            evses[i].recent[r] = s
            forgetRecentDue(i)
            markDirty(i, s.id)
        }
    }

    /// Data on an EVSE without a session: kept as the EVSE's last register; on a charger that sends no
    /// transactions, power above the threshold (measured, or derived from two registers) starts a session.
    mutating func preSession(_ i: Int, _ kind: ReadingKind, t: Int64, value: Double, resolution: Double,
                             context: ReadingContext, future: Bool, receivedAt: Int64) {
        let transactional = chargers[Int(evses[i].chargerIndex)].transactional
        let e = evses[i]
        switch kind {
        case .register:
            guard t > e.lastRegT else { return }
            let previous = e.lastReg
            let previousT = e.lastRegT
            evses[i].lastReg = value
            evses[i].lastRegT = t
            evses[i].lastRegRes = resolution
            guard !transactional, e.open == nil, e.phase != .ended, let previous,
                  t - previousT <= configuration.maxPowerHoldMs, t > previousT else { return }
            let watts = (value - previous) * 3_600_000 / Double(t - previousT)
            let precise = Swift.max(resolution, e.lastRegRes) * 3_600_000 / Double(t - previousT)
                <= Swift.max(10 * e.threshold, 1_000)
            guard precise, watts > e.threshold, watts <= maxPower(e) else { return }
            startEvidence(i, at: previousT, seedFrom: previousT, receivedAt: receivedAt)
            evses[i].lastReg = previous
            evses[i].lastRegT = previousT
            feedOpen(i, .register, t: t, value: value, resolution: resolution, context: context, future: future)
        case .power:
            guard !transactional, e.open == nil, e.phase != .ended, value > e.threshold else { return }
            startEvidence(i, at: t, seedFrom: t, receivedAt: receivedAt)
            feedOpen(i, .power, t: t, value: value, resolution: resolution, context: context, future: future)
        case .soc, .offered, .current, .phaseCurrent:
            break
        }
    }

    mutating func startEvidence(_ i: Int, at t: Int64, seedFrom: Int64, receivedAt: Int64,
                                phase: ChargePhase = .charging) {
        let e = evses[i]
        var startAt = t
        if e.phase.isPlugged, let plugged = e.pluggedAt, plugged > e.lastSessionEnd, plugged <= t { startAt = plugged }
        openSession(i, start: .evidence, txKey: "", startedAt: startAt, transactionId: nil, idTag: nil,
                    meterStart: nil, phase: phase, seedFrom: seedFrom, receivedAt: receivedAt)
    }

    // MARK: - Open and close

    mutating func openSession(_ i: Int, start: SessionStart, txKey: String, startedAt: Int64, transactionId: String?,
                              idTag: String?, meterStart: Double?, phase: ChargePhase, seedFrom: Int64,
                              receivedAt: Int64) {
        let e = evses[i]
        let id = SessionHash.sessionId(charger: e.charger, evse: e.evse, transactionId: txKey, startedAt: startedAt)
        let initial = e.phase.isPlugged && e.phase != .ended && start != .evidence ? e.phase : phase
        var s = SessionState(id: id, site: e.site, charger: e.charger, evse: e.evse, connector: e.connector,
                             start: start, startedAt: startedAt, phase: initial, threshold: e.threshold,
                             ratingW: e.ratingW ?? configuration.defaultRatingW, maxPowerW: maxPower(e),
                             curveStepMs: configuration.curveStepMs)
        s.transactionId = transactionId
        s.idTag = idTag
        s.meterStart = meterStart
        if e.phase.isPlugged, let plugged = e.pluggedAt, plugged > e.lastSessionEnd { s.pluggedAt = plugged }
        switch start {
        case .evidence: s.quality.insert(.evidenceStart)
        case .inferred: s.quality.insert(.missingStart)
        case .transaction: break
        }
        if let meterStart, let previous = e.lastStop, meterStart < previous - 1 {
            s.quality.insert(.startBelowPreviousStop)
        }
        events.append(s.event(.started, at: startedAt))
        if let meterStart {
            s.firstIsMeterStart = true
            s.feed(.register, t: startedAt, value: meterStart, resolution: 1, role: .meterStart,
                   config: configuration, out: &events)
        } else if let reg = e.lastReg, e.lastRegT >= seedFrom - 1_000, e.lastRegT <= seedFrom {
            s.feed(.register, t: e.lastRegT, value: reg, resolution: e.lastRegRes, role: .seed,
                   config: configuration, out: &events)
        }
        evses[i].open = s
        counters.sessionsStarted += 1
    }

    mutating func closeOpen(_ i: Int, at t: Int64, reason: SessionEndReason, meterStop: Double?, stopReason: String?,
                            receivedAt: Int64, unpluggedAt: Int64? = nil) {
        guard var s = evses[i].open else { return }
        evses[i].open = nil
        if let stopReason { s.stopReason = stopReason }
        s.close(at: t, reason: reason, meterStop: meterStop, receivedAt: receivedAt, config: configuration,
                out: &events)
        if let unpluggedAt { s.unpluggedAt = unpluggedAt }
        evses[i].lastStop = s.register.count > 0 ? s.register.last : s.meterStop
        evses[i].lastSessionEnd = t
        if evses[i].phase.isPlugged && unpluggedAt == nil { evses[i].phase = .ended }
        let id = s.id
        evses[i].recent.append(s)
        mayHaveRecent = true
        if evses[i].recent.count > configuration.maxRecentPerEVSE { evict(i, 0) }
        recomputeFinalizeDue(i)
        markDirty(i, id)
        counters.sessionsClosed += 1
    }

    mutating func evict(_ i: Int, _ r: Int) {
        let s = evses[i].recent.remove(at: r)
        if dirty.contains(where: { $0.id == s.id }) {
            dirty.removeAll { $0.id == s.id }
            evicted.append(s.record(now: chargers[Int(evses[i].chargerIndex)].clock))
        }
    }

    mutating func recomputeFinalizeDue(_ i: Int) {
        forgetRecentDue(i)
        var due = Int64.max
        // By index, reading two fields: `for s in recent` copied each whole session (curve and trace retained and
        // released), and this runs for every EVSE with recent sessions at every advance.
        for r in evses[i].recent.indices where evses[i].recent[r].state == .closed {
            due = Swift.min(due, (evses[i].recent[r].endedAt ?? evses[i].recent[r].startedAt) &+ configuration.finalizeAfterMs)
        }
        evses[i].finalizeDue = due
    }

    mutating func finalizeIfDue(_ i: Int, receivedAt: Int64) {
        if chargers[Int(evses[i].chargerIndex)].clock >= evses[i].finalizeDue {
            finalizeRecent(i, receivedAt: receivedAt)
        }
    }

    /// Finalizes closed sessions whose end is `finalize_after` behind the charger's event clock (or, for a
    /// silent charger, whose close is `finalize_after + silence_timeout` behind receive time); forgets finalized
    /// ones after `retain_after_finalize`.
    mutating func finalizeRecent(_ i: Int, receivedAt: Int64) {
        let clock = chargers[Int(evses[i].chargerIndex)].clock
        let cfg = configuration
        var r = 0
        while r < evses[i].recent.count {
            // The few fields read, not a copy of the whole session (curve, trace: a copy was most of `advance`).
            let end = evses[i].recent[r].endedAt ?? evses[i].recent[r].startedAt
            let closedReceive = evses[i].recent[r].closedReceive
            if evses[i].recent[r].state == .closed,
               clock >= end &+ cfg.finalizeAfterMs
                || receivedAt >= closedReceive &+ cfg.finalizeAfterMs &+ cfg.silenceTimeoutMs {
                evses[i].recent[r].state = .finalized
                markDirty(i, evses[i].recent[r].id)
            }
            if evses[i].recent[r].state == .finalized,
               clock >= end &+ cfg.finalizeAfterMs &+ cfg.retainAfterFinalizeMs
                || receivedAt >= closedReceive &+ cfg.finalizeAfterMs &+ cfg.silenceTimeoutMs
                    &+ cfg.retainAfterFinalizeMs {
                evict(i, r)
                continue
            }
            r += 1
        }
        noteRecentDue(i)
    }

    /// `recentDue[i]`: when the conditions of `finalizeRecent` next hold for one of the EVSE's recent sessions (the
    /// same sums, so the same wrap-around), by receive time or by the charger's clock. Sets `finalizeDue` too, in
    /// the same pass (what `recomputeFinalizeDue` would).
    mutating func noteRecentDue(_ i: Int) {
        let cfg = configuration
        var due = RecentDue(receive: .max, clock: .max)
        var finalize = Int64.max
        for r in evses[i].recent.indices {
            let end = evses[i].recent[r].endedAt ?? evses[i].recent[r].startedAt
            let closedReceive = evses[i].recent[r].closedReceive
            switch evses[i].recent[r].state {
            case .closed:
                finalize = Swift.min(finalize, end &+ cfg.finalizeAfterMs)
                due.clock = Swift.min(due.clock, end &+ cfg.finalizeAfterMs)
                due.receive = Swift.min(due.receive, closedReceive &+ cfg.finalizeAfterMs &+ cfg.silenceTimeoutMs)
            case .finalized:
                due.clock = Swift.min(due.clock, end &+ cfg.finalizeAfterMs &+ cfg.retainAfterFinalizeMs)
                due.receive = Swift.min(due.receive, closedReceive &+ cfg.finalizeAfterMs &+ cfg.silenceTimeoutMs
                                        &+ cfg.retainAfterFinalizeMs)
            case .open:
                break
            }
        }
        evses[i].finalizeDue = finalize
        setRecentDue(i, due)
    }

    /// EVSE `i` holds no recent session: `recentDue[i]` says nothing is due, so `advance` passes over it without
    /// reaching for its list, until a session closes there (`closeOpen` forgets it, the only way into the list).
    mutating func noteNothingRecent(_ i: Int) {
        setRecentDue(i, RecentDue(receive: .max, clock: .max))
    }

    /// `recentDue[i] = due`, growing the array to reach EVSE `i` (EVSEs beyond it count as "look").
    private mutating func setRecentDue(_ i: Int, _ due: RecentDue) {
        if recentDue.count <= i {
            recentDue.append(contentsOf: repeatElement(RecentDue(), count: i + 1 - recentDue.count))
        }
        recentDue[i] = due
    }

    /// Forgets what `noteRecentDue` knew of EVSE `i`: its next `advance` looks at its recent sessions.
    mutating func forgetRecentDue(_ i: Int) {
        if i < recentDue.count { recentDue[i] = RecentDue() }
    }

    // MARK: - Phases

    mutating func transition(_ i: Int, to p: ChargePhase, at t: Int64, receivedAt: Int64) {
        let old = evses[i].phase
        if p == old && evses[i].phaseSince != .min { return }
        if !old.isPlugged && p.isPlugged && old != .faulted { evses[i].pluggedAt = t }
        evses[i].phase = p
        evses[i].phaseSince = t
        if var o = evses[i].open {
            switch p {
            case .available:
                closeOpen(i, at: Swift.max(t, o.startedAt), reason: .unplugged, meterStop: nil, stopReason: nil,
                          receivedAt: receivedAt, unpluggedAt: t)
                evses[i].phase = .available
            case .ended:
                if o.start == .evidence && o.transactionId == nil {
                    closeOpen(i, at: Swift.max(t, o.startedAt), reason: .finished, meterStop: nil, stopReason: nil,
                              receivedAt: receivedAt)
                } else {
                    evses[i].open = nil
                    o.setPhase(.idle, at: t, config: configuration, out: &events)
                    evses[i].open = o
                }
            default:
                evses[i].open = nil
                o.setPhase(p, at: t, config: configuration, out: &events)
                evses[i].open = o
            }
            return
        }
        switch p {
        case .available:
            if let r = evses[i].recent.indices.last, evses[i].recent[r].unpluggedAt == nil,
               t >= (evses[i].recent[r].endedAt ?? .max) {
                if evses[i].recent[r].state == .finalized {
                    amend(i, r, receivedAt: receivedAt, at: t, SessionFigures(reason: "unplug"))
                } else {
                    evses[i].recent[r].unpluggedAt = t
                    markDirty(i, evses[i].recent[r].id)
                }
            }
        case .charging, .suspendedEV, .suspendedEVSE:
            if !chargers[Int(evses[i].chargerIndex)].transactional {
                startEvidence(i, at: t, seedFrom: t, receivedAt: receivedAt, phase: p)
            }
        default:
            break
        }
    }

    // MARK: - Transactions

    mutating func started(_ e: TransactionEvent, charger c: Int, future: Bool, receivedAt: Int64) {
        guard e.evse > 0 else {
            counters.orphanStops += 1
            return
        }
        let i = slot(site: e.origin.site, charger: e.origin.charger, evse: e.evse, connector: e.connector)
        finalizeIfDue(i, receivedAt: receivedAt)
        let tag = pseudonym(e.idTag)
        if var o = evses[i].open {
            if let tx = e.transactionId, o.names(tx) {
                if o.start == .inferred {
                    o.start = .transaction
                    o.quality.remove(.missingStart)
                    if o.idTag == nil { o.idTag = tag }
                    if o.meterStart == nil { o.meterStart = e.meterStartWh }
                } else {
                    o.duplicates += 1
                    o.quality.insert(.duplicates)
                    counters.duplicateEvents += 1
                }
                evses[i].open = o
                applyChargingState(i, e, receivedAt: receivedAt)
                return
            }
            if e.transactionId == nil, o.idTag == tag, o.meterStart == e.meterStartWh,
               abs(o.startedAt - e.timestamp) <= configuration.resendWindowMs {
                o.quality.insert(.resentStart)
                evses[i].open = o
                return
            }
            if o.start == .evidence {
                o.transactionId = e.transactionId
                o.idTag = tag
                o.meterStart = e.meterStartWh
                o.quality.insert(.adoptedTransaction)
                evses[i].open = o
                return
            }
            closeOpen(i, at: Swift.min(o.lastDataT, Swift.max(e.timestamp, o.startedAt)), reason: .superseded,
                      meterStop: nil, stopReason: nil, receivedAt: receivedAt)
        }
        let repeated = evses[i].recent.contains { s in
            if let tx = e.transactionId { return s.names(tx) }
            return s.idTag == tag && s.meterStart == e.meterStartWh
                && abs(s.startedAt - e.timestamp) <= configuration.resendWindowMs
        }
        if repeated {
            counters.duplicateEvents += 1
            return
        }
        openSession(i, start: .transaction, txKey: e.transactionId ?? "", startedAt: e.timestamp,
                    transactionId: e.transactionId, idTag: tag, meterStart: e.meterStartWh, phase: .preparing,
                    seedFrom: e.timestamp, receivedAt: receivedAt)
        if future { evses[i].open?.quality.insert(.clockAhead) }
        if e.offline { evses[i].open?.quality.insert(.offlineData) }
        applyChargingState(i, e, receivedAt: receivedAt)
    }

    mutating func idAssigned(_ e: TransactionEvent, charger c: Int, receivedAt: Int64) {
        guard e.evse > 0, let tx = e.transactionId else { return }
        let i = slot(site: e.origin.site, charger: e.origin.charger, evse: e.evse, connector: e.connector)
        let tag = pseudonym(e.idTag)
        let refused = e.idTagStatus.map { $0 != "Accepted" } ?? false
        func sameStart(_ s: SessionState) -> Bool {
            s.idTag == tag && s.meterStart == e.meterStartWh
                && abs(s.startedAt - e.timestamp) <= configuration.resendWindowMs
        }
        if var o = evses[i].open, o.start != .evidence || o.transactionId == nil,
           o.names(tx) || (o.transactionId == nil && o.start != .evidence) || sameStart(o) {
            if let old = o.transactionId, old != tx, !o.otherTransactionIds.contains(old) {
                o.otherTransactionIds.append(old)
            }
            o.transactionId = tx
            o.idTagStatus = e.idTagStatus
            if refused { o.quality.insert(.notAccepted) }
            evses[i].open = o
            return
        }
        if let r = evses[i].recent.lastIndex(where: { $0.names(tx) || ($0.transactionId == nil && sameStart($0)) }) {
            if evses[i].recent[r].state == .closed {
                evses[i].recent[r].transactionId = tx
                evses[i].recent[r].idTagStatus = e.idTagStatus
                if refused { evses[i].recent[r].quality.insert(.notAccepted) }
                markDirty(i, evses[i].recent[r].id)
            }
            return
        }
        // The start itself was missed; the result carries its details.
        if let o = evses[i].open {
            closeOpen(i, at: Swift.min(o.lastDataT, Swift.max(e.timestamp, o.startedAt)), reason: .superseded,
                      meterStop: nil, stopReason: nil, receivedAt: receivedAt)
        }
        openSession(i, start: .transaction, txKey: "", startedAt: e.timestamp, transactionId: tx, idTag: tag,
                    meterStart: e.meterStartWh, phase: .preparing, seedFrom: e.timestamp, receivedAt: receivedAt)
        evses[i].open?.idTagStatus = e.idTagStatus
        if refused { evses[i].open?.quality.insert(.notAccepted) }
    }

    mutating func updated(_ e: TransactionEvent, charger c: Int, future: Bool, receivedAt: Int64) {
        guard let tx = e.transactionId else { return }
        let i: Int
        if e.evse > 0 {
            i = slot(site: e.origin.site, charger: e.origin.charger, evse: e.evse, connector: e.connector)
        } else if let found = findTransaction(charger: c, tx) {
            i = found
        } else {
            return
        }
        finalizeIfDue(i, receivedAt: receivedAt)
        if evses[i].open != nil,
           evses[i].open!.names(tx) || evses[i].open!.transactionId == nil && evses[i].open!.start != .evidence {
            // In place, so no copy of the session is alive while `applyChargingState` changes it.
            if evses[i].open!.transactionId == nil { evses[i].open!.transactionId = tx }
            if future { evses[i].open!.quality.insert(.clockAhead) }
            if e.offline { evses[i].open!.quality.insert(.offlineData) }
            applyChargingState(i, e, receivedAt: receivedAt)
            return
        }
        if let r = evses[i].recent.lastIndex(where: { $0.names(tx) }) {
            let s = evses[i].recent[r]
            if e.timestamp > (s.endedAt ?? .max), s.state == .closed,
               s.endReason == .timeout || s.endReason == .unplugged, r == evses[i].recent.count - 1,
               evses[i].open == nil {
                var reopened = evses[i].recent.remove(at: r)
                reopened.reopen(at: e.timestamp)
                if e.offline { reopened.quality.insert(.offlineData) }
                evses[i].open = reopened
                recomputeFinalizeDue(i)
                applyChargingState(i, e, receivedAt: receivedAt)
            }
            return
        }
        if let o = evses[i].open {
            guard e.timestamp >= o.lastDataT else { return }
            closeOpen(i, at: o.lastDataT, reason: .superseded, meterStop: nil, stopReason: nil, receivedAt: receivedAt)
        }
        openSession(i, start: .inferred, txKey: tx, startedAt: e.timestamp, transactionId: tx, idTag: pseudonym(e.idTag),
                    meterStart: nil, phase: .charging, seedFrom: e.timestamp, receivedAt: receivedAt)
        if e.offline { evses[i].open?.quality.insert(.offlineData) }
        applyChargingState(i, e, receivedAt: receivedAt)
    }

    mutating func ended(_ e: TransactionEvent, charger c: Int, future: Bool, receivedAt: Int64) {
        let tx = e.transactionId
        var target: Int?
        var byCharger = false
        if e.evse > 0 {
            target = slot(site: e.origin.site, charger: e.origin.charger, evse: e.evse, connector: e.connector)
        } else if let tx, let found = findTransaction(charger: c, tx) {
            target = found
        } else {
            let candidates = chargers[c].evses.filter { evses[Int($0)].open.map { $0.isTransactional } ?? false }
            if candidates.count == 1 {
                target = Int(candidates[0])
                byCharger = true
            }
        }
        guard let i = target else {
            counters.orphanStops += 1
            return
        }
        finalizeIfDue(i, receivedAt: receivedAt)
        let t = e.timestamp
        if var o = evses[i].open, byCharger || tx == nil || o.names(tx!) || (o.transactionId == nil && o.isTransactional) {
            if byCharger { o.quality.insert(.stopMatchedByCharger) }
            if o.transactionId == nil, let tx, !byCharger { o.transactionId = tx }
            if o.idTag == nil { o.idTag = pseudonym(e.idTag) }
            if future { o.quality.insert(.clockAhead) }
            if e.offline { o.quality.insert(.offlineData) }
            evses[i].open = o
            let unplugged = e.chargingState == "Idle" ? t : nil
            closeOpen(i, at: Swift.max(t, o.startedAt), reason: .transaction, meterStop: e.meterStopWh,
                      stopReason: e.stopReason, receivedAt: receivedAt, unpluggedAt: unplugged)
            if unplugged != nil { evses[i].phase = .available } else if evses[i].phase.isPlugged { evses[i].phase = .ended }
            return
        }
        if let tx, let r = evses[i].recent.lastIndex(where: { $0.names(tx) }) {
            lateStop(i, r, e, receivedAt: receivedAt)
            return
        }
        // A stop without its start: a closed session of its own.
        openSession(i, start: .inferred, txKey: tx ?? "", startedAt: t, transactionId: tx, idTag: pseudonym(e.idTag),
                    meterStart: nil, phase: .charging, seedFrom: t, receivedAt: receivedAt)
        closeOpen(i, at: t, reason: .transaction, meterStop: e.meterStopWh, stopReason: e.stopReason,
                  receivedAt: receivedAt, unpluggedAt: e.chargingState == "Idle" ? t : nil)
    }

    /// A stop for a session already closed: a duplicate (ignored), or the stop of a session closed by unplug,
    /// timeout or supersession (completes it; counted as an amendment unless it followed an unplug).
    mutating func lateStop(_ i: Int, _ r: Int, _ e: TransactionEvent, receivedAt: Int64) {
        var s = evses[i].recent[r]
        if s.endReason == .transaction {
            counters.duplicateEvents += 1
            return
        }
        if s.state == .finalized {
            amend(i, r, receivedAt: receivedAt, at: e.timestamp,
                  SessionFigures(energyWh: e.meterStopWh, reason: "stop"))
            return
        }
        let afterUnplug = s.endReason == .unplugged
        if let stop = e.meterStopWh {
            s.meterStop = stop
            s.mergeLate(.register, t: e.timestamp, value: stop, resolution: 1)
            s.traceClosingRegister(t: e.timestamp, config: configuration)
        }
        if let reason = e.stopReason { s.stopReason = reason }
        if e.timestamp > (s.endedAt ?? .min) { s.endedAt = e.timestamp }
        s.endReason = .transaction
        s.quality.remove(.missingStop)
        if e.chargingState == "Idle", s.unpluggedAt == nil { s.unpluggedAt = e.timestamp }
        evses[i].recent[r] = s
        if !afterUnplug { noteAmended(i, r, receivedAt: receivedAt) }
        recomputeFinalizeDue(i)
        markDirty(i, s.id)
    }

    mutating func applyChargingState(_ i: Int, _ e: TransactionEvent, receivedAt: Int64) {
        let flowed = evses[i].open?.chargingEndedAt != nil
        guard let p = Self.phase(forChargingState: e.chargingState, flowed: flowed) else { return }
        transition(i, to: p, at: e.timestamp, receivedAt: receivedAt)
    }
}
