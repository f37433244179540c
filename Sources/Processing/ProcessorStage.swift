import Alerts
import Anomalies
import Foundation
import Pipeline
import PowerLevels
import Sessions
import Telemetry

/// The processors as a stage of the ingest worker: power levels, sessions and anomalies, with their results and
/// checkpoint in SQLite.
///
/// **Exactly once across restarts.** The worker hands over each decoded message's events at once and its readings
/// when the reordering window releases them. The stage queues both and applies a record's effects only once the
/// worker's watermark — every record up to it fully released — has passed it. So the state at a checkpoint is
/// exactly "records up to the watermark", and it is saved with the rows in one transaction; after a restart the
/// snapshot comes back and everything after the checkpoint is applied once, as if nothing had happened.
///
/// **Snapshots less often than rows.** Rows are committed every `commitInterval` of receive time (10 s), the snapshot
/// and checkpoint with them only every `snapshotInterval` (5 min) — and no more than once per `minSnapshotSpacing` of
/// elapsed time (5 s: a replay goes through hours of receive time a second), nor sooner than 20 times the time the last
/// one took to encode (a large fleet's state: snapshots stay under 5 % of the worker's time) — and at the end, or when
/// the worker asks (its log is pressed). A restart applies the log again from the last snapshot and rewrites the same
/// rows (upserts by id: the processors are deterministic). The alert events it makes again are not queued twice: a
/// commit without a snapshot notes the ids it queued (`alert_ledger`), and the restarted stage skips them. Encoding
/// the whole state at every commit was 85 % of a replay's time; at every commit that queued an alert event (as it was
/// until 2026-12-07), a quarter of a replay's with hooks.
///
/// **The reordering window's history.** The snapshot also carries what the window upstream had released of each
/// series from records up to the checkpoint (`ReleasedHistory`, supplied by `releasedHistory`), so that after a
/// restart a redelivered message the stage already applied is recognised as a duplicate and never reaches it again.
///
/// **Order.** Items that become due together are applied in event-time order (at equal times: statuses and
/// transaction starts as they arrived, readings, transaction ends), so a StopTransaction never overtakes the meter
/// values before it.
///
/// Not thread-safe: the ingest worker's thread owns it.
public final class ProcessorStage {
    public static let stageName = "processors"

    /// The encoder of checkpoint snapshots (`ProcessorSnapshot`): JSON, with each session's curve and billing points
    /// packed (`CodingUserInfoKey.compactSnapshot`).
    static var snapshotEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.userInfo[.compactSnapshot] = true
        return encoder
    }

    let store: ResultStore
    public internal(set) var chain: ProcessorChain
    /// Records up to this one are reflected in the tables and the snapshot.
    public private(set) var checkpoint: UInt64?
    /// What the reordering window had released of each series from records up to `checkpoint`, as the checkpoint
    /// saved it (nil: no checkpoint, or one written before the history was part of it). The ingest worker restores
    /// its window's history from it.
    public private(set) var restoredHistory: ReleasedHistory?
    /// Called at each snapshot with the LSN it covers, for the window's history through that record (set by the
    /// ingest worker; nil: the snapshot carries none).
    public var releasedHistory: ((_ through: UInt64) -> ReleasedHistory)?
    /// Records up to this one have been applied (in memory).
    private var appliedThrough: UInt64
    private var queue: [Queued] = []
    /// The released readings the queue refers to, as the worker handed them over (`accept(released:receiveTime:)`):
    /// a queued reading is its (batch, index) here, never a copy. A reading copied into the queue, strings retained
    /// and released, cost the stage a quarter of its time; the arrays themselves are shared, not copied.
    ///
    /// `batches[k]` is batch number `firstBatch &+ k`, and `queuedInBatch[k]` counts its readings still queued. A
    /// batch's array is let go when that count reaches zero, and its slot once the batches before it are gone too:
    /// however long a reading waits, it is never copied. (Readings of records past the watermark used to be copied
    /// into a new array at every apply: behind a quiet charger's held reading, that was up to `lateness` of all the
    /// traffic, copied every second, and a third of the worker's time in a live run.)
    private var batches: [[ReleasedReading]] = []
    private var queuedInBatch: [Int] = []
    private var firstBatch: UInt32 = 0
    /// An empty buffer with capacity, swapped with `queue` when everything queued is due.
    private var spare: [Queued] = []
    private var pendingSessions: [String: SessionRecord] = [:]
    private var pendingAnomalies: [String: Anomaly] = [:]
    private var pendingIntervals: [PowerInterval] = []
    private var lastCommitAt: Int64?
    private var lastSnapshotAt: Int64?
    private let snapshotInterval: Int64
    /// Elapsed (monotonic) time of the last snapshot: cadence only, never a result.
    private var lastSnapshotInstant = ContinuousClock.now
    private let minSnapshotSpacing: Duration
    /// Elapsed time the last snapshot took to encode: the next periodic one waits `snapshotCostFactor` times as long
    /// at least. Cadence only, never a result.
    private var lastSnapshotCost: Duration = .zero
    static let snapshotCostFactor = 20
    /// Rows are committed no more often than this elapsed time (a full-speed replay; zero live).
    private let minCommitSpacing: Duration
    private var lastCommitInstant = ContinuousClock.now
    private var lastAppliedReceiveTime: Int64 = .min
    private let commitInterval: Int64
    /// Session events applied since the last call to `drainSessionEvents` (for logs).
    public private(set) var sessionEvents: [SessionEvent] = []
    /// The hooks events are routed to; nil: no alert events are made (replay without `--hooks`).
    let alerts: AlertConfiguration?
    /// Alert events for the next commit, written to the outbox in its transaction.
    private var pendingAlerts: [AlertEvent] = []
    /// Alert events an earlier run queued after the checkpoint this run started from (id → the record its stage
    /// had applied through): made again as those records are applied again, they are not queued a second time.
    /// Emptied as checkpoints pass them.
    private var queuedBeforeRestart: [String: UInt64] = [:]
    /// Sessions whose `session.cost_threshold` an earlier run queued after the checkpoint: marked as past it at
    /// their first pricing in this run, so that the mark is in the next snapshot even when this run's pricing
    /// reaches the threshold later (a threshold or tariff changed before the restart) or not at all.
    var thresholdQueuedBeforeRestart: Set<String> = []
    /// Called after a commit that put events in the outbox (wakes the dispatcher).
    private let onAlertsCommitted: @Sendable (Outbox.EnqueueResult) -> Void
    /// The pipeline's tariffs and site time zones (ProcessorStage-billing.swift).
    let pricing: SessionPricing
    /// Sessions whose pricing failed, counted once each (never a crash: the row says `failed`).
    public internal(set) var pricingFailures = 0
    /// Why pricing failed, per session not yet reported (drained by the worker for its log).
    var unreportedPricingFailures: [String] = []
    /// Sessions already counted as failed.
    var failedSessions: Set<String> = []
    /// The cost last written per open session: an unchanged one (no tariff, nothing new) is not written again.
    /// Not part of the snapshot: after a restart each is written once more.
    var writtenCosts: [String: SessionCost] = [:]
    /// `processors.sessions.publish` and `cost_threshold`.
    public let outputs: SessionOutputConfiguration
    /// Open sessions' progress as of the last commit (published by the worker when `outputs.publishing` is set).
    public internal(set) var openProgress: [SessionProgress] = []

    /// `rank` after `item`: it fills the byte after the item's 9, so a queued item is 40 bytes, not 48.
    struct Queued {
        var lsn: UInt64
        var receivedAt: Int64
        var timestamp: Int64
        var item: Item
        var rank: UInt8
    }

    /// What waits in the queue. Readings are the bulk: each is a place in `batches` (8 bytes); the rarer, larger
    /// payloads (events, signed values, origins) are boxed, so a queued item is 40 bytes whatever it carries.
    enum Item {
        case reading(batch: UInt32, index: Int32)
        indirect case signed(SignedMeterValue)
        indirect case event(TelemetryEvent, contact: Bool)
        indirect case contact(Origin)
        case tick
        case brokerDropped(UInt64)
    }

    /// The stage's checkpoint LSN in the database at `databasePath`, read without opening the stage (nothing is
    /// created or changed); nil when there is none. A start peeks at it when the stage does not run (`LogNumbering`).
    public static func checkpointOnDisk(databasePath: String) -> UInt64? {
        ResultStore.checkpointLSN(path: databasePath, stage: stageName)
    }

    /// Opens `DATA/wattline.db`, restoring the stage from its checkpoint, or starting fresh from `pipeline`.
    ///
    /// With `alerts` (hooks that run), anomaly transitions and session events go to the alert outbox in the same
    /// transaction as their rows, and `onAlertsCommitted` is called after each such commit.
    public init(databasePath: String, pipeline: PipelineDefinition, commitInterval: Int64 = 10_000,
                snapshotInterval: Int64 = 300_000, minSnapshotSpacing: Duration = .seconds(5),
                minCommitSpacing: Duration = .zero, alerts: AlertConfiguration? = nil,
                onAlertsCommitted: @escaping @Sendable (Outbox.EnqueueResult) -> Void = { _ in }) throws {
        let alerts = alerts?.hooks.isEmpty == false ? alerts : nil
        store = try ResultStore(path: databasePath, alerts: alerts)
        self.alerts = alerts
        self.onAlertsCommitted = onAlertsCommitted
        self.commitInterval = commitInterval
        self.snapshotInterval = snapshotInterval
        self.minSnapshotSpacing = minSnapshotSpacing
        self.minCommitSpacing = minCommitSpacing
        pricing = try SessionPricing(pipeline: pipeline)
        outputs = try SessionOutputConfiguration.read(pipeline)
        if let saved = try store.checkpoint(stage: Self.stageName) {
            let snapshot = try JSONDecoder().decode(ProcessorSnapshot.self, from: Data(saved.snapshot))
            chain = snapshot.chain
            restoredHistory = snapshot.releasedHistory
            // The settings are the pipeline's from this start on (a tuned `silence_timeout`, anomaly threshold or
            // rating applies after a restart), the id-tag key included: it is never part of a snapshot.
            try chain.reconfigure(pipeline: pipeline)
            checkpoint = saved.lsn
            appliedThrough = saved.lsn
            queuedBeforeRestart = try store.queuedAlerts(after: saved.lsn)
            thresholdQueuedBeforeRestart = Set(queuedBeforeRestart.keys.compactMap {
                AlertEvent.costThresholdSession(eventId: $0)
            })
        } else {
            chain = try ProcessorChain(pipeline: pipeline)
            appliedThrough = 0
        }
        // Like the key, the thresholds the billing traces keep readings at come from the pipeline's tariffs.
        (chain.sessions.configuration.billingEnergyThresholdsWh, chain.sessions.configuration.billingPowerThresholdsW,
         chain.sessions.configuration.billingCurrentThresholdsA) = pricing.thresholds
    }

    /// A decoded message: its events and signed values are queued; a message with nothing in it is contact.
    public func accept(_ output: DecodeOutput, origin: Origin?, lsn: UInt64, receivedAt: Int64) {
        guard lsn > appliedThrough else { return }
        for event in output.events {
            let (timestamp, rank) = Self.order(event, receivedAt: receivedAt)
            queue.append(Queued(lsn: lsn, receivedAt: receivedAt, timestamp: timestamp,
                                item: .event(event, contact: !output.retained), rank: rank))
        }
        for signed in output.signedValues {
            queue.append(Queued(lsn: lsn, receivedAt: receivedAt, timestamp: signed.timestamp, item: .signed(signed),
                                rank: 2))
        }
        if output.readings.isEmpty && output.events.isEmpty && output.signedValues.isEmpty, let origin, !output.retained {
            queue.append(Queued(lsn: lsn, receivedAt: receivedAt, timestamp: receivedAt, item: .contact(origin),
                                rank: 1))
        }
    }

    /// Readings the reordering window released; `receiveTime` gives the receive time of the record each came from.
    /// The array is kept (shared, not copied) until its readings are applied.
    public func accept(released: [ReleasedReading], receiveTime: (UInt64) -> Int64) {
        let batch = firstBatch &+ UInt32(batches.count)
        var kept = 0
        // A record's readings are released together as a rule: its receive time is looked up once per run of them.
        var runLSN: UInt64 = 0, runReceivedAt: Int64 = 0
        released.withUnsafeBufferPointer { items in
            for k in items.indices where items[k].lsn > appliedThrough {
                let lsn = items[k].lsn
                if lsn != runLSN { (runLSN, runReceivedAt) = (lsn, receiveTime(lsn)) }
                queue.append(Queued(lsn: lsn, receivedAt: runReceivedAt, timestamp: items[k].reading.timestamp,
                                    item: .reading(batch: batch, index: Int32(k)), rank: 2))
                kept += 1
            }
        }
        if kept > 0 {
            batches.append(released)
            queuedInBatch.append(kept)
        }
    }

    /// One released reading, with the receive time of the record it came from.
    public func accept(reading: Reading, lsn: UInt64, receivedAt: Int64) {
        accept(released: [ReleasedReading(reading: reading, lsn: lsn)]) { _ in receivedAt }
    }

    /// A tick record: receive time moved on with no message.
    public func accept(tick lsn: UInt64, receivedAt: Int64) {
        guard lsn > appliedThrough else { return }
        queue.append(Queued(lsn: lsn, receivedAt: receivedAt, timestamp: receivedAt, item: .tick, rank: 4))
    }

    /// The broker's drop counter (`$SYS/broker/publish/messages/dropped`) as logged: fed to `broker_drops`.
    public func noteBrokerDropped(total: UInt64, lsn: UInt64, receivedAt: Int64) {
        guard lsn > appliedThrough else { return }
        queue.append(Queued(lsn: lsn, receivedAt: receivedAt, timestamp: receivedAt, item: .brokerDropped(total),
                            rank: 1))
    }

    /// Applies every queued item of records up to `watermark`, in event-time order.
    public func apply(through watermark: UInt64) {
        guard watermark > appliedThrough else { return }
        // Take the due items out, keeping the rest (in their order) in the queue. The common case — everything
        // queued is due — is a swap with the reusable buffer, no copying.
        var due = spare
        spare = []
        if queue.allSatisfy({ $0.lsn <= watermark }) {
            swap(&due, &queue)
        } else {
            var kept = 0
            for k in queue.indices {
                if queue[k].lsn <= watermark {
                    due.append(queue[k])
                } else {
                    if kept != k { queue.swapAt(kept, k) }
                    kept += 1
                }
            }
            queue.removeLast(queue.count - kept)
        }
        appliedThrough = watermark
        guard !due.isEmpty else {
            spare = due
            return
        }
        defer { dropAppliedBatches() }
        var newestReceiveTime = lastAppliedReceiveTime
        if chain.advancedAt == .min {
            // The very first advance starts the silence clocks: at the earliest receive time of what is due, which
            // is the first record's however the worker batched (later records were received later).
            let first = due.lazy.map(\.receivedAt).min() ?? 0
            chain.advance(to: first)
            newestReceiveTime = max(newestReceiveTime, first)
        }
        // Event-time order, ties by rank, then by arrival. Items usually arrive in that order already: only sort
        // (indices, not the items) when they do not.
        // Items are read in place through the buffer: a subscript copy of each (a reading's strings retained and
        // released) cost more than the ordering itself.
        due.withUnsafeBufferPointer { items in
            var boundary = Self.secondAfter(chain.advancedAt)
            var inOrder = true
            for k in 1..<items.count {
                let t0 = items[k - 1].timestamp, t1 = items[k].timestamp
                if t0 > t1 || (t0 == t1 && items[k - 1].rank > items[k].rank) {
                    inOrder = false
                    break
                }
            }
            if inOrder {
                applyInRuns(items, count: items.count, position: { $0 }, &newestReceiveTime, &boundary)
            } else {
                var order = [SortKey]()
                order.reserveCapacity(items.count)
                for k in items.indices {
                    order.append(SortKey(timestamp: items[k].timestamp, rank: items[k].rank, offset: Int32(k)))
                }
                order.sort()
                order.withUnsafeBufferPointer { order in
                    applyInRuns(items, count: order.count, position: { Int(order[$0].offset) }, &newestReceiveTime,
                                &boundary)
                }
            }
        }
        due.removeAll(keepingCapacity: true)
        spare = due
        lastAppliedReceiveTime = max(lastAppliedReceiveTime, newestReceiveTime)
        collect()
    }

    /// The whole second (floor) of a time in ms.
    @inline(__always)
    static func second(of ms: Int64) -> Int64 { ms / 1000 - (ms % 1000 < 0 ? 1 : 0) }

    /// The start (ms) of the second after the one `ms` is in: a receive time at or past it enters a new second.
    @inline(__always)
    static func secondAfter(_ ms: Int64) -> Int64 {
        let s = second(of: ms)
        return s >= Int64.max / 1000 ? .max : (s + 1) * 1000
    }

    /// The sort key of a due item: event time, rank, position in the due list.
    struct SortKey: Comparable {
        var timestamp: Int64
        var rank: UInt8
        var offset: Int32
        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
            if a.rank != b.rank { return a.rank < b.rank }
            return a.offset < b.offset
        }
    }

    /// Released arrays still held, and readings still queued in them (tests: every array goes once applied).
    var heldReleasedArrays: (arrays: Int, readings: Int) {
        (batches.lazy.filter { !$0.isEmpty }.count, queuedInBatch.reduce(0, +))
    }

    /// Drops the leading batches none of whose readings is queued any more (their arrays were let go already).
    private func dropAppliedBatches() {
        var done = 0
        while done < queuedInBatch.count, queuedInBatch[done] == 0 { done += 1 }
        guard done > 0 else { return }
        if done == batches.count {
            batches.removeAll(keepingCapacity: true)
            queuedInBatch.removeAll(keepingCapacity: true)
        } else {
            batches.removeFirst(done)
            queuedInBatch.removeFirst(done)
        }
        firstBatch &+= UInt32(done)
    }

    /// Applies `items[position(0)]`, `items[position(1)]`, … in that order. The readings are read in place from their
    /// released array, which is opened once per run of items from the same array (usually one run in all): an
    /// array fetched per reading cost a retain and a release each.
    @inline(__always)
    private func applyInRuns(_ items: UnsafeBufferPointer<Queued>, count: Int, position: (Int) -> Int,
                             _ newestReceiveTime: inout Int64, _ boundary: inout Int64) {
        var k = 0
        while k < count {
            guard case .reading(let batch, _) = items[position(k)].item else {
                applyItem(items[position(k)], readings: nil, &newestReceiveTime, &boundary)
                k += 1
                continue
            }
            let slot = Int(batch &- firstBatch)
            var applied = 0
            batches[slot].withUnsafeBufferPointer { readings in
                while k < count {
                    let queued = items[position(k)]
                    if case .reading(let other, _) = queued.item {
                        if other != batch { break }
                        applied += 1
                    }
                    applyItem(queued, readings: readings, &newestReceiveTime, &boundary)
                    k += 1
                }
            }
            queuedInBatch[slot] -= applied
            if queuedInBatch[slot] == 0 { batches[slot] = [] }
        }
    }

    /// Applies one item; `readings` is the released array a queued reading is in.
    @inline(__always)
    private func applyItem(_ queued: Queued, readings: UnsafeBufferPointer<ReleasedReading>?,
                           _ newestReceiveTime: inout Int64, _ boundary: inout Int64) {
        newestReceiveTime = max(newestReceiveTime, queued.receivedAt)
        // Silence, timeouts and anomaly updates are judged when receive time enters a new second, at the receive
        // time of the item that entered it: points that depend on the records alone, not on how the worker happened
        // to batch them, so a replay makes the same transitions (and alert event ids) as the live run.
        // `boundary` is `secondAfter(chain.advancedAt)`, kept by the caller: no division per item.
        if newestReceiveTime >= boundary {
            chain.advance(to: newestReceiveTime)
            boundary = Self.secondAfter(chain.advancedAt)
        }
        switch queued.item {
        case .reading(_, let index): chain.apply(readings![Int(index)].reading, receivedAt: queued.receivedAt)
        case .signed(let signed): chain.apply(signed, receivedAt: queued.receivedAt)
        case .event(let event, let contact): chain.apply(event, receivedAt: queued.receivedAt, contact: contact)
        case .contact(let origin): chain.noteContact(origin, receivedAt: queued.receivedAt)
        case .tick: break
        case .brokerDropped(let total): chain.anomalies.noteBrokerDropped(total: total, receivedAt: queued.receivedAt)
        }
    }

    /// Gathers what the processors produced, for the next commit.
    private func collect() {
        for record in chain.sessions.drainClosed() { pendingSessions[record.id] = record }
        for transition in chain.anomalies.drainTransitions() {
            pendingAnomalies[transition.anomaly.id] = transition.anomaly
            if alerts != nil { pendingAlerts.append(AlertEvent(transition)) }
        }
        pendingIntervals += chain.levels.drainClosedIntervals()
        let events = chain.drainSessionEvents()
        sessionEvents += events
        if alerts != nil {
            for event in events { pendingAlerts.append(AlertEvent(event, record: sessionRecord(event.sessionId))) }
        }
    }

    /// An alert event for the next commit's outbox.
    func queueAlert(_ event: AlertEvent) { pendingAlerts.append(event) }

    /// The session as last known: closed in this batch, else open.
    private func sessionRecord(_ id: String) -> SessionRecord? {
        pendingSessions[id] ?? chain.sessions.openSessions.first { $0.id == id }
    }

    /// True when `commitInterval` of receive time (and `minCommitSpacing` of elapsed time) passed since the last
    /// commit.
    public func commitIsDue(at receivedAt: Int64) -> Bool {
        guard let lastCommitAt else { return true }
        return receivedAt - lastCommitAt >= commitInterval
            && (minCommitSpacing == .zero || ContinuousClock.now - lastCommitInstant >= minCommitSpacing)
    }

    /// Writes the results gathered so far and the open sessions in one transaction, with the checkpoint (the
    /// snapshot of what has been applied) when it is due or `checkpointing` asks for it (the end, a pressed log). On
    /// error nothing is lost: the results stay pending and the checkpoint where it was.
    public func commit(receivedAt: Int64, checkpointing: Bool = true) throws {
        let snapshotDue = checkpointing
            || lastSnapshotAt.map { receivedAt - $0 >= snapshotInterval
                && ContinuousClock.now - lastSnapshotInstant
                    >= max(minSnapshotSpacing, lastSnapshotCost * Self.snapshotCostFactor) } ?? true
        let advances = snapshotDue && appliedThrough > (checkpoint ?? 0)
        guard advances || !pendingSessions.isEmpty || !pendingAnomalies.isEmpty || !pendingIntervals.isEmpty
                || !pendingAlerts.isEmpty else { return }
        var sessions = pendingSessions
        for open in chain.sessions.openSessions { sessions[open.id] = open }
        let written = sessions.values.sorted { $0.id < $1.id }
        let costs = try price(written)  // may queue `session.cost_threshold` events
        if !queuedBeforeRestart.isEmpty {
            pendingAlerts.removeAll { queuedBeforeRestart[$0.id] != nil }
        }
        let changed = costs.filter { writtenCosts[$0.key] != $0.value }
        let encodingStarted = ContinuousClock.now
        let snapshot = snapshotDue ? (lsn: appliedThrough, bytes: try snapshotBytes()) : nil
        if snapshotDue { lastSnapshotCost = ContinuousClock.now - encodingStarted }
        try store.write(sessions: written, costs: changed, anomalies: pendingAnomalies.values.sorted { $0.id < $1.id },
                        intervals: pendingIntervals, alerts: pendingAlerts, appliedThrough: appliedThrough,
                        stage: Self.stageName, checkpoint: snapshot)
        if !pendingAlerts.isEmpty { onAlertsCommitted(store.lastEnqueue) }
        remember(changed, of: written)
        pendingAlerts.removeAll()
        pendingSessions.removeAll()
        pendingAnomalies.removeAll()
        pendingIntervals.removeAll()
        if snapshotDue {
            checkpoint = appliedThrough
            if !queuedBeforeRestart.isEmpty { queuedBeforeRestart = queuedBeforeRestart.filter { $0.value > appliedThrough } }
            lastSnapshotAt = receivedAt
            lastSnapshotInstant = ContinuousClock.now
        }
        lastCommitAt = receivedAt
        lastCommitInstant = ContinuousClock.now
    }

    /// The snapshot of what has been applied: the chain, and the window's history through the same record.
    private func snapshotBytes() throws -> [UInt8] {
        let snapshot = ProcessorSnapshot(chain: chain, releasedHistory: releasedHistory?(appliedThrough))
        return Array(try Self.snapshotEncoder.encode(snapshot))
    }

    /// Takes the session events applied since the last call.
    public func drainSessionEvents() -> [SessionEvent] {
        defer { sessionEvents.removeAll() }
        return sessionEvents
    }

    public func close() { store.close() }

    /// Event time and tie-break rank of an event: statuses and transaction starts (in the order they arrived), then
    /// readings (rank 2), then transaction ends. Starts and statuses share a rank so that items due together are
    /// applied as they arrived, as they are when due one at a time: the result never depends on how the worker
    /// batched (a full-speed replay against a live run), only on the data. (With starts first, a 2.0.1
    /// `Occupied` at the start's instant lost the session its `plugged_at` in a replay and not live.)
    static func order(_ event: TelemetryEvent, receivedAt: Int64) -> (Int64, UInt8) {
        switch event {
        case .status(let change): (change.timestamp, 1)
        case .transaction(let transaction): (transaction.timestamp, transaction.kind == .ended ? 3 : 1)
        case .callFailure: (receivedAt, 1)
        }
    }
}
