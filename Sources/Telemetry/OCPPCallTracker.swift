/// The memory a passive OCPP-J tap needs: CALLs waiting for their result, and which connector each transaction runs on.
///
/// Wattline never answers OCPP messages; it only watches both directions. An OCPP 1.6 transaction id exists only in
/// the back-end's StartTransaction result, so the tracker remembers each CALL by (charger, uniqueId) until its
/// CALLRESULT/CALLERROR arrives, within a bounded window judged on receive times (never the wall clock): at most
/// `maxPendingPerCharger` calls per charger, none older than `window` ms. It also remembers, per charger, the
/// connector of the most recent transactions so a StopTransaction (which names only the transaction) can be placed.
public struct OCPPCallTracker: Sendable {
    /// A CALL waiting for its result.
    public struct PendingCall: Sendable, Equatable {
        public var messageId: String
        public var action: String
        public var receivedAt: Int64
        /// For StartTransaction (1.6): what the result's event needs.
        public var start: StartDetails?
        /// The position of the CALL's message in the caller's log (its LSN), when the caller gave one.
        public var sequence: UInt64?
    }

    public struct StartDetails: Sendable, Equatable {
        public var connector: Int
        public var idTag: String
        public var meterStartWh: Double
        public var timestamp: Int64
    }

    public struct Placement: Sendable, Equatable {
        public var evse: Int
        public var connector: Int
    }

    public var window: Int64
    public var maxPendingPerCharger: Int
    public var maxTransactionsPerCharger: Int

    private var pending: [String: [PendingCall]] = [:]
    private var placements: [String: [(transactionId: String, placement: Placement)]] = [:]

    /// Counts calls dropped from the window unanswered (the tap missed their result).
    public private(set) var expired = 0

    public init(window: Int64 = 600_000, maxPendingPerCharger: Int = 64, maxTransactionsPerCharger: Int = 32) {
        self.window = window
        self.maxPendingPerCharger = maxPendingPerCharger
        self.maxTransactionsPerCharger = maxTransactionsPerCharger
    }

    /// Remembers a CALL. The per-charger list is mutated in place (no copy-on-write of the dictionary's value).
    public mutating func record(charger: String, call: PendingCall) {
        let horizon = call.receivedAt - window
        let limit = maxPendingPerCharger
        var dropped = 0
        pending[charger, default: []].withMutable { calls in
            let before = calls.count
            calls.removeAll { $0.receivedAt < horizon || $0.messageId == call.messageId }
            dropped = before - calls.count
            if calls.count >= limit {
                dropped += calls.count - limit + 1
                calls.removeFirst(calls.count - limit + 1)
            }
            calls.append(call)
        }
        expired += dropped
    }

    /// Takes the CALL a result answers, if it is still in the window.
    public mutating func take(charger: String, messageId: String, receivedAt: Int64) -> PendingCall? {
        guard let index = pending[charger]?.firstIndex(where: { $0.messageId == messageId }),
              let call = pending[charger]?.remove(at: index) else { return nil }
        if pending[charger]?.isEmpty == true { pending[charger] = nil }
        guard receivedAt - call.receivedAt <= window else {
            expired += 1
            return nil
        }
        return call
    }

    /// The smallest `sequence` of the CALLs still waiting that arrived at or after `since` (receive time).
    /// A runtime keeps its checkpoint below it, so that after a restart those CALLs are read again and their
    /// results still correlate — the tracker itself is not part of any checkpoint.
    public func oldestPendingSequence(since: Int64) -> UInt64? {
        var oldest: UInt64?
        for calls in pending.values {
            for call in calls where call.receivedAt >= since {
                if let sequence = call.sequence, sequence < (oldest ?? .max) { oldest = sequence }
            }
        }
        return oldest
    }

    /// Number of CALLs waiting for a result, over all chargers.
    public var pendingCount: Int { pending.values.reduce(0) { $0 + $1.count } }

    /// Remembers where a transaction runs.
    public mutating func place(charger: String, transactionId: String, at placement: Placement) {
        let limit = maxTransactionsPerCharger
        placements[charger, default: []].withMutable { list in
            if let index = list.lastIndex(where: { $0.transactionId == transactionId }) {
                if list[index].placement == placement { return }
                list.remove(at: index)
            }
            if list.count >= limit { list.removeFirst() }
            list.append((transactionId, placement))
        }
    }

    /// Where a transaction runs, if the tap has seen it.
    public func placement(charger: String, transactionId: String) -> Placement? {
        placements[charger]?.last(where: { $0.transactionId == transactionId })?.placement
    }
}

extension Array {
    /// Mutates an array reached through a dictionary subscript in place (the `_modify` accessor keeps it unique).
    @inlinable
    mutating func withMutable(_ body: (inout Array) -> Void) {
        body(&self)
    }
}
