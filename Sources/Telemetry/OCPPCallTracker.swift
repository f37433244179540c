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

    /// Remembers a CALL.
    public mutating func record(charger: String, call: PendingCall) {
        var calls = pending[charger, default: []]
        let horizon = call.receivedAt - window
        let before = calls.count
        calls.removeAll { $0.receivedAt < horizon || $0.messageId == call.messageId }
        expired += before - calls.count
        if calls.count >= maxPendingPerCharger {
            calls.removeFirst(calls.count - maxPendingPerCharger + 1)
            expired += 1
        }
        calls.append(call)
        pending[charger] = calls
    }

    /// Takes the CALL a result answers, if it is still in the window.
    public mutating func take(charger: String, messageId: String, receivedAt: Int64) -> PendingCall? {
        guard var calls = pending[charger],
              let index = calls.firstIndex(where: { $0.messageId == messageId }) else { return nil }
        let call = calls.remove(at: index)
        pending[charger] = calls.isEmpty ? nil : calls
        guard receivedAt - call.receivedAt <= window else {
            expired += 1
            return nil
        }
        return call
    }

    /// Number of CALLs waiting for a result, over all chargers.
    public var pendingCount: Int { pending.values.reduce(0) { $0 + $1.count } }

    /// Remembers where a transaction runs.
    public mutating func place(charger: String, transactionId: String, at placement: Placement) {
        var list = placements[charger, default: []]
        if let index = list.firstIndex(where: { $0.transactionId == transactionId }) {
            if list[index].placement == placement { return }
            list.remove(at: index)
        }
        if list.count >= maxTransactionsPerCharger { list.removeFirst() }
        list.append((transactionId, placement))
        placements[charger] = list
    }

    /// Where a transaction runs, if the tap has seen it.
    public func placement(charger: String, transactionId: String) -> Placement? {
        placements[charger]?.last(where: { $0.transactionId == transactionId })?.placement
    }
}
