import Processing
import Telemetry

/// The deduplication and reordering stage: upstream of every processor and of storage.
///
/// Per charger, readings are held until the charger's own latest event time has moved `lateness` past them, then
/// released in timestamp order, so processors see each charger's data ordered even when messages arrive shuffled.
/// Judged on event time per charger (never the wall clock), so live and replay release the same readings.
///
/// - Same identity (series, timestamp) and the same value: a **duplicate** (a QoS 1 redelivery, a resent message),
///   counted and not passed on.
/// - Same identity, another value: a **conflict**, passed on and flagged.
/// - Older than what the window has already released for its series: **late**, passed on and flagged, never dropped.
/// - Beyond receive time plus `futureTolerance`: **future**, passed on and flagged; it moves no clock forward, and is
///   remembered apart, so a redelivery of it is a duplicate too.
///
/// What was released is remembered per series (`historyPerSeries` pairs) and checkpointed with the processors
/// (`snapshot(through:)`, `restore(_:through:)`), so a redelivery after a restart is still a duplicate.
///
/// Not thread-safe: the worker thread owns it.
public final class ReadingSequencer {
    public struct Configuration: Sendable {
        /// How long (event time) a charger's readings wait for stragglers before release. Default 10 s.
        public var lateness: Int64
        /// How far past its receive time an event time may be before it is flagged as in the future. Default 5 min.
        public var futureTolerance: Int64
        /// Released (timestamp, value) pairs remembered per series to recognise redeliveries. Default 32.
        public var historyPerSeries: Int

        public init(lateness: Int64 = 10_000, futureTolerance: Int64 = 300_000, historyPerSeries: Int = 32) {
            self.lateness = lateness
            self.futureTolerance = futureTolerance
            self.historyPerSeries = historyPerSeries
        }
    }

    /// A reading on its way through, with the log record it came from.
    public typealias Item = ReleasedReading
    /// Quality flags a released reading carries.
    public typealias Flags = ReleasedReading.Flags

    /// What `add` did with a reading.
    public enum Outcome: Sendable, Equatable {
        case held, duplicate, conflict, late, future
    }

    public let configuration: Configuration
    /// Per charger: its window and the history of its series (kept in the window, so a reading costs no lookup by
    /// the whole series with its two strings). Windows live in an array and are changed in place; `slots` finds a
    /// charger's, one hash of its id per run of its readings (a dictionary of windows cost a removal and an
    /// insertion, two hashes and a move of the window, per record).
    private var windows: [ChargerWindow] = []
    private var slots: [String: Int] = [:]
    /// Reused by `release` for the positions of the readings it lets go (no allocation per release).
    private var outgoing: [Int] = []
    /// The LSN of the checkpoint the history was restored from (0: none). Readings of records up to it are read
    /// again after the restart, not delivered again: only those of later records are judged against it.
    public private(set) var restoredThrough: UInt64 = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Readings held in windows, over all chargers.
    public var heldCount: Int {
        var count = 0
        for k in windows.indices { count += windows[k].heldCount }  // in place: `reduce` copied each window
        return count
    }

    /// The smallest log sequence number still held: everything before it has been released. A window holds its
    /// readings in the order they were added, which is LSN order (records are read in strict LSN order, and a
    /// release keeps the order of what stays), so each window's first is its oldest: one look per charger at every
    /// settle, not one per held reading (and that look reads the window's own `oldestHeldLSN`, not its array).
    public var oldestHeldLSN: UInt64? {
        var oldest = UInt64.max
        for k in windows.indices where windows[k].oldestHeldLSN < oldest { oldest = windows[k].oldestHeldLSN }
        return oldest == .max ? nil : oldest
    }

    /// Takes one reading. Released readings are appended to `released` in order.
    @discardableResult
    public func add(_ reading: Reading, lsn: UInt64, receivedAt: Int64, released: inout [Item]) -> Outcome {
        let slot = windowSlot(of: reading.series.charger)
        return add(reading, to: &windows[slot], lsn: lsn, receivedAt: receivedAt, released: &released)
    }

    /// Takes the readings of one record (usually all of one charger), in order, with `outcome` told what became of
    /// each: the same as `add` reading by reading, with the charger's window taken out once per run of readings
    /// of the same charger rather than once per reading.
    public func add(contentsOf readings: [Reading], lsn: UInt64, receivedAt: Int64, released: inout [Item],
                    outcome: (Outcome) -> Void) {
        var index = 0
        while index < readings.count {
            let charger = readings[index].series.charger
            let slot = windowSlot(of: charger)
            while index < readings.count, readings[index].series.charger == charger {
                outcome(add(readings[index], to: &windows[slot], lsn: lsn, receivedAt: receivedAt, released: &released))
                index += 1
            }
        }
    }

    /// The charger's window, created on its first reading.
    private func windowSlot(of charger: String) -> Int {
        if let slot = slots[charger] { return slot }
        windows.append(ChargerWindow(charger: charger))
        slots[charger] = windows.count - 1
        return windows.count - 1
    }

    private func add(_ reading: Reading, to window: inout ChargerWindow, lsn: UInt64, receivedAt: Int64,
                     released: inout [Item]) -> Outcome {
        var flags: Flags = []
        let isFuture = reading.timestamp > receivedAt + configuration.futureTolerance
        if isFuture { flags.insert(.future) }
        // The series' slot in the window: the one lookup by series this reading costs. Held readings keep it, so
        // the duplicate scan compares integers and the release records history without looking the series up again.
        let slot = window.slot(of: reading.series, historyCapacity: configuration.historyPerSeries)

        // Already in the window? Read in place (a `firstIndex(where:)` predicate copied every held reading it looked
        // at, strings retained and released: 7 copies per reading added).
        let timestamp = reading.timestamp
        if let index = window.heldSeries.withUnsafeBufferPointer({ series in
            window.held.withUnsafeBufferPointer { held in
                held.indices.first { series[$0] == slot && held[$0].reading.timestamp == timestamp }
            }
        }) {
            if window.held[index].reading.value.bitPattern == reading.value.bitPattern { return .duplicate }
            flags.insert(.conflict)
            window.hold(Item(reading: reading, lsn: lsn, flags: flags), receivedAt: receivedAt, slot: slot)
            return .conflict
        }
        // Already released (by this run, or for a record after the restored checkpoint by an earlier one)?
        switch window.histories[Int(slot)].match(reading.timestamp, reading.value, restored: lsn > restoredThrough) {
        case .duplicate:
            return .duplicate
        case .conflict:
            flags.insert(.conflict)
            released.append(Item(reading: reading, lsn: lsn, flags: flags))
            if isFuture {
                window.histories[Int(slot)].recordFuture(reading.timestamp, reading.value, lsn: lsn)
            } else {
                window.histories[Int(slot)].record(reading.timestamp, reading.value, lsn: lsn)
            }
            return .conflict
        case .none:
            break
        }
        if reading.timestamp < window.histories[Int(slot)].newest {
            flags.insert(.late)
            released.append(Item(reading: reading, lsn: lsn, flags: flags))
            window.histories[Int(slot)].record(reading.timestamp, reading.value, lsn: lsn)
            return .late
        }
        window.lastReceivedAt = max(window.lastReceivedAt, receivedAt)
        if isFuture {
            // Passed on at once, flagged: holding it would hold the checkpoint, and it moves no clock. Remembered
            // apart from the series' history (it must not make the charger's next readings late), so that a
            // redelivery of it is still a duplicate.
            released.append(Item(reading: reading, lsn: lsn, flags: flags))
            window.histories[Int(slot)].recordFuture(reading.timestamp, reading.value, lsn: lsn)
            return .future
        }
        window.hold(Item(reading: reading, lsn: lsn, flags: flags), receivedAt: receivedAt, slot: slot)
        if reading.timestamp > window.latest {
            window.latest = reading.timestamp
            release(&window, upTo: window.latest - configuration.lateness, into: &released)
        }
        return .held
    }

    /// Releases what has waited `lateness` of receive time (receive times and ticks come from the log, so replay
    /// releases the same readings): the windows of silent chargers whole, and in busy windows every reading up to
    /// the newest one that has waited that long — so a charger whose clock jumped ahead, or that resends old data,
    /// never holds readings (and the checkpoint, and the log) back for longer than the window.
    public func advance(receiveTime: Int64, into released: inout [Item]) {
        // Called once per batch: find the chargers due first and sort only those (for a deterministic order).
        let lateness = configuration.lateness
        var due: [Int] = []
        for slot in windows.indices where windows[slot].heldCount > 0 {
            if windows[slot].oldestHeldReceivedAt + lateness <= receiveTime { due.append(slot) }
        }
        due.sort { windows[$0].charger < windows[$1].charger }
        for slot in due {
            if windows[slot].lastReceivedAt + lateness <= receiveTime {
                release(&windows[slot], upTo: .max, into: &released)
            } else {
                var horizon = Int64.min
                for (item, receivedAt) in zip(windows[slot].held, windows[slot].heldReceivedAt)
                where receivedAt + lateness <= receiveTime && item.reading.timestamp > horizon {
                    horizon = item.reading.timestamp
                }
                if horizon != .min { release(&windows[slot], upTo: horizon, into: &released) }
            }
        }
    }

    private func release(_ window: inout ChargerWindow, upTo horizon: Int64, into released: inout [Item]) {
        // The due readings' positions, in release order (timestamp, then record): each reading is copied once, from
        // its place in the window to `released` (no copy through a buffer in between).
        outgoing.removeAll(keepingCapacity: true)
        window.held.withUnsafeBufferPointer { held in
            for k in held.indices where held[k].reading.timestamp <= horizon { outgoing.append(k) }
            guard outgoing.count > 1 else { return }
            var sorted = true
            for n in 1..<outgoing.count where Self.releasesBefore(held[outgoing[n]], held[outgoing[n - 1]]) {
                sorted = false
                break
            }
            if !sorted { outgoing.sort { Self.releasesBefore(held[$0], held[$1]) } }
        }
        guard !outgoing.isEmpty else { return }
        for k in outgoing {
            let item = window.held[k]
            window.histories[Int(window.heldSeries[k])].record(item.reading.timestamp, item.reading.value, lsn: item.lsn)
            released.append(item)
        }
        window.keepHeld(after: horizon)
    }

    /// Release order within a charger: by timestamp, then by record.
    @inline(__always)
    private static func releasesBefore(_ a: Item, _ b: Item) -> Bool {
        (a.reading.timestamp, a.lsn) < (b.reading.timestamp, b.lsn)
    }

    // MARK: Checkpoint state

    /// The history a checkpoint through record `lsn` needs: per series (in no particular order), what was released
    /// from records up to `lsn` and what the history was restored with, oldest first. Readings of later records are
    /// left out even when released already: after a restart from that checkpoint their records are read again, and
    /// must not be taken for deliveries of themselves. Held readings are not part of it either: the checkpoint
    /// stays below the oldest held reading's record.
    public func snapshot(through lsn: UInt64) -> ReleasedHistory {
        var series: [ReleasedHistory.Released] = []
        for window in windows {
            for (slot, past) in window.histories.enumerated() {
                let (timestamps, values, future) = past.entries(through: lsn)
                if !timestamps.isEmpty {
                    series.append(ReleasedHistory.Released(series: window.series.series[slot], timestamps: timestamps,
                                                           values: values, future: future))
                }
            }
        }
        return ReleasedHistory(series: series)
    }

    /// Restores the history a checkpoint through record `lsn` saved (`snapshot(through:)`), before the first record
    /// is added. It only recognises duplicates, and only for records after `lsn`: records up to it are read again
    /// (for a stage whose checkpoint is lower) and go through as in the run that first read them; and since this
    /// run's windows never held the restored readings, they flag nothing late or conflicting.
    public func restore(_ history: ReleasedHistory, through lsn: UInt64) {
        restoredThrough = lsn
        for item in history.series {
            let window = windowSlot(of: item.series.charger)
            let slot = windows[window].slot(of: item.series, historyCapacity: configuration.historyPerSeries)
            windows[window].histories[Int(slot)].restore(timestamps: item.timestamps, values: item.values,
                                                         future: item.future)
        }
    }
}

/// One charger's reordering window.
struct ChargerWindow {
    let charger: String
    /// The charger's latest event time seen (future-flagged readings excluded).
    var latest: Int64 = .min
    /// The latest receive time of a reading from the charger.
    var lastReceivedAt: Int64 = .min
    /// The readings held, in LSN order; changed only by `hold` and `keepHeld(after:)`, which keep the summaries
    /// below in step.
    private(set) var held: [ReadingSequencer.Item] = []
    /// The receive time of each held reading (same order as `held`).
    private(set) var heldReceivedAt: [Int64] = []
    /// The series slot of each held reading (same order as `held`).
    private(set) var heldSeries: [Int32] = []
    /// Summaries of `held`, stored in the window itself: the sequencer's passes over every window at each settle
    /// (`advance`, `oldestHeldLSN`, `heldCount`) read these, not the arrays. Reaching each window's arrays was a
    /// cache miss per window per second: most of `advance` on the 180-charger day, whose chargers each report
    /// every 15 s or so.
    private(set) var heldCount = 0
    /// The earliest receive time among the held readings; `.max` when none is held.
    private(set) var oldestHeldReceivedAt = Int64.max
    /// The first held reading's LSN (the oldest: held in LSN order); `.max` when none is held.
    private(set) var oldestHeldLSN = UInt64.max
    /// Each of the charger's series seen so far, numbered: a series' slot is its index in `histories`.
    private(set) var series = SeriesSlots()
    /// What was released of each series, by slot (empty until its first release).
    var histories: [SeriesHistory] = []

    init(charger: String) {
        self.charger = charger
    }

    /// The slot of `series`, given one on its first reading.
    mutating func slot(of series: Series, historyCapacity: Int) -> Int32 {
        let (slot, isNew) = self.series.slot(inserting: series)
        if isNew { histories.append(SeriesHistory(capacity: historyCapacity)) }
        return slot
    }

    /// Holds `item` (of the series in `slot`) until its release.
    mutating func hold(_ item: ReadingSequencer.Item, receivedAt: Int64, slot: Int32) {
        // `oldestHeldLSN` reads each window's first held reading as its oldest.
        assert(held.isEmpty || held[held.count - 1].lsn <= item.lsn, "readings held out of LSN order")
        held.append(item)
        heldReceivedAt.append(receivedAt)
        heldSeries.append(slot)
        if heldCount == 0 { oldestHeldLSN = item.lsn }
        heldCount += 1
        oldestHeldReceivedAt = min(oldestHeldReceivedAt, receivedAt)
    }

    /// Drops the held readings with a timestamp at or before `horizon` (released); what stays is compacted to the
    /// front in its order (swaps move, they copy nothing).
    mutating func keepHeld(after horizon: Int64) {
        var kept = 0
        for k in held.indices where held[k].reading.timestamp > horizon {
            if kept != k {
                held.swapAt(kept, k)
                heldReceivedAt.swapAt(kept, k)
                heldSeries.swapAt(kept, k)
            }
            kept += 1
        }
        held.removeLast(held.count - kept)
        heldReceivedAt.removeLast(heldReceivedAt.count - kept)
        heldSeries.removeLast(heldSeries.count - kept)
        heldCount = kept
        oldestHeldLSN = held.first?.lsn ?? .max
        oldestHeldReceivedAt = heldReceivedAt.min() ?? .max
    }
}

/// The last released (timestamp, value) pairs of one series, oldest first; a small bounded ring of `capacity` pairs,
/// those restored from a checkpoint included.
///
/// Stored as a ring: a pair released in order (the rule) overwrites the oldest in place once the history is full;
/// only a pair older than the newest, or a history with restored pairs, takes the sorted insert (inserting at the end
/// and removing the first pair shifted the whole history twice per reading).
struct SeriesHistory {
    struct Entry {
        var timestamp: Int64
        var value: Double
        /// The record it came from (a snapshot keeps only those up to its checkpoint).
        var lsn: UInt64
    }

    /// What the window released in this run, by timestamp from `start` on, wrapping around.
    private var ring: [Entry] = []
    /// Where the oldest pair is in `ring` (0 unless the ring is full and has wrapped).
    private var start = 0
    /// What an earlier run had released (restored from a checkpoint), by timestamp; empty unless restored. Kept
    /// apart: it only recognises duplicates (`match(_:_:restored:)`).
    private(set) var restored: [(timestamp: Int64, value: Double)] = []
    /// The same for what an earlier run had released from the future (at most `capacity`): apart from `restored`,
    /// whose oldest pairs go first when it is full, so that pairs stamped ahead of their time cannot push out the
    /// ordinary ones a redelivery after the restart is matched against.
    private(set) var restoredFuture: [(timestamp: Int64, value: Double)] = []
    /// Readings released in this run with a timestamp in the future of their receive time, oldest release first (at
    /// most `capacity`). Kept apart from `ring`: they are matched like any released pair, but move no `newest`.
    private var future: [Entry] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// What the window released in this run, oldest first.
    var entries: [Entry] { Array(ring[start...] + ring[..<start]) }

    /// The newest timestamp released in this run (readings older than it are late).
    var newest: Int64 {
        guard !ring.isEmpty else { return .min }
        return ring[start == 0 ? ring.count - 1 : start - 1].timestamp
    }

    enum Match {
        case none, duplicate, conflict
    }

    /// Whether (timestamp, value) was released already: the same value (`duplicate`, also when an earlier run
    /// released it and `restored` says to look there), or only another value at that timestamp (`conflict`).
    func match(_ timestamp: Int64, _ value: Double, restored useRestored: Bool) -> Match {
        var result = Match.none
        // Newer than every pair released in this run (data in order, the rule): none of them can match.
        if timestamp <= newest {
            for entry in ring where entry.timestamp == timestamp {
                if entry.value.bitPattern == value.bitPattern { return .duplicate }
                result = .conflict
            }
        }
        for entry in future where entry.timestamp == timestamp {
            if entry.value.bitPattern == value.bitPattern { return .duplicate }
            result = .conflict
        }
        if useRestored, restored.contains(where: { $0.timestamp == timestamp && $0.value.bitPattern == value.bitPattern })
            || restoredFuture.contains(where: { $0.timestamp == timestamp && $0.value.bitPattern == value.bitPattern }) {
            return .duplicate
        }
        return result
    }

    mutating func record(_ timestamp: Int64, _ value: Double, lsn: UInt64) {
        let entry = Entry(timestamp: timestamp, value: value, lsn: lsn)
        if restored.isEmpty, timestamp >= newest {
            // In order: appended, or written over the oldest pair once full.
            if ring.count < capacity {
                ring.append(entry)
            } else {
                ring[start] = entry
                start = start + 1 == ring.count ? 0 : start + 1
            }
            return
        }
        if !restored.isEmpty {
            // Released again in this run (a record read again after a restart): no longer only restored.
            restored.removeAll { $0.timestamp == timestamp && $0.value.bitPattern == value.bitPattern }
        }
        var sorted = entries
        if let index = sorted.lastIndex(where: { $0.timestamp <= timestamp }) {
            sorted.insert(entry, at: index + 1)
        } else {
            sorted.insert(entry, at: 0)
        }
        ring = sorted
        start = 0
        trim()
    }

    /// Remembers a reading released with a timestamp in the future: matched by `match`, kept by a snapshot, but
    /// never `newest`. The oldest goes once `capacity` are kept.
    mutating func recordFuture(_ timestamp: Int64, _ value: Double, lsn: UInt64) {
        if !restoredFuture.isEmpty {
            // Released again in this run: no longer only restored.
            restoredFuture.removeAll { $0.timestamp == timestamp && $0.value.bitPattern == value.bitPattern }
        }
        if future.count == capacity { future.removeFirst() }
        future.append(Entry(timestamp: timestamp, value: value, lsn: lsn))
    }

    /// Takes pairs an earlier run released (any order); `future` flags those it released from the future (empty:
    /// none).
    mutating func restore(timestamps: [Int64], values: [Double], future: [Bool] = []) {
        for (k, (timestamp, value)) in zip(timestamps, values).enumerated() {
            guard match(timestamp, value, restored: true) != .duplicate else { continue }
            if k < future.count && future[k] {
                restoredFuture.append((timestamp, value))
            } else {
                restored.append((timestamp, value))
            }
        }
        if restoredFuture.count > capacity { restoredFuture.removeFirst(restoredFuture.count - capacity) }
        restored.sort { $0.timestamp < $1.timestamp }
        ring = entries
        start = 0
        trim()
    }

    /// Drops the oldest pairs beyond `capacity`, restored or not (`ring` in order from 0).
    private mutating func trim() {
        let excess = ring.count + restored.count - capacity
        guard excess > 0 else { return }
        var fromRestored = 0, fromRing = 0
        for _ in 0..<excess {
            if fromRestored < restored.count,
               restored[fromRestored].timestamp <= (fromRing < ring.count ? ring[fromRing].timestamp : .max) {
                fromRestored += 1
            } else {
                fromRing += 1
            }
        }
        restored.removeFirst(fromRestored)
        ring.removeFirst(fromRing)
    }

    /// The pairs a checkpoint through record `lsn` keeps: the restored ones and those released from records up to
    /// `lsn`, oldest first, with those from the future flagged (restored, they only recognise duplicates, kept
    /// apart from the others; `future` is empty when there are none).
    func entries(through lsn: UInt64) -> (timestamps: [Int64], values: [Double], future: [Bool]) {
        var pairs = restored.map { (timestamp: $0.timestamp, value: $0.value, future: false) }
        for entry in entries where entry.lsn <= lsn { pairs.append((entry.timestamp, entry.value, false)) }
        pairs += restoredFuture.map { (timestamp: $0.timestamp, value: $0.value, future: true) }
        for entry in future where entry.lsn <= lsn { pairs.append((entry.timestamp, entry.value, true)) }
        if !restored.isEmpty || !restoredFuture.isEmpty || !future.isEmpty { pairs.sort { $0.timestamp < $1.timestamp } }
        let anyFuture = pairs.contains { $0.future }
        return (pairs.map(\.timestamp), pairs.map(\.value), anyFuture ? pairs.map(\.future) : [])
    }
}
