import Telemetry

/// One fault made in the delivered stream (a silence, an offline backlog, duplicates, reordering, broken payloads,
/// broker drops): what it does to a message of its charger, and what it did.
struct StreamFault: Sendable {
    /// What to do with one message.
    enum Action {
        /// Not this fault's business: deliver as is.
        case pass
        /// Lost.
        case drop
        /// Held back (offline backlog) until the fault ends.
        case hold
        /// Deliver these instead (a changed payload, a later receive time, a copy).
        case deliver([InboundMessage])
    }

    let planned: PlannedFault
    let charger: String?
    private var random: SimulationRandom
    private(set) var held: [InboundMessage] = []
    private(set) var firstAt: Int64?
    private(set) var lastAt: Int64?
    private(set) var count = 0
    /// The offline backlog was delivered.
    private(set) var flushed = false
    /// Ids of the CALLs this fault lost, held or delayed: the back-end's answers to them are lost or delayed too.
    private var unanswered: Set<[UInt8]> = []

    /// How many messages the one-off kinds touch.
    static let duplicates = 5
    static let reordered = 3
    static let broken = 3
    static let reorderDelay: Int64 = 150_000
    static let brokerDropTopic = "$SYS/broker/publish/messages/dropped"

    init(planned: PlannedFault, charger: String?) {
        self.planned = planned
        self.charger = charger
        random = SimulationRandom(seed: planned.seed, stream: RandomStream.faults, 1)
    }

    private var window: Range<Int64> { planned.start..<(planned.start + planned.kind.duration) }

    private mutating func note(_ time: Int64) {
        if firstAt == nil { firstAt = time }
        lastAt = time
        count += 1
    }

    /// The fault's effect on `message`, a message of its charger.
    mutating func act(on message: InboundMessage) -> Action {
        let time = message.receivedAt
        switch planned.kind {
        case .telemetryGap, .offlineBacklog:
            if !unanswered.isEmpty, message.topic.hasSuffix("/out"), let id = Self.messageID(message.payload),
               unanswered.remove(id) != nil {
                return .drop
            }
            guard window.contains(time) else { return .pass }
            if message.topic.hasSuffix("/in"), let id = Self.messageID(message.payload) { unanswered.insert(id) }
            guard planned.kind == .offlineBacklog, message.topic.hasSuffix("/in"),
                  message.payload.contains(bytes: Self.transactionEvent) else {
                note(time)
                return .drop
            }
            var delayed = message
            delayed.payload = message.payload.replacing(Self.online, with: Self.offline)
            held.append(delayed)
            note(time)
            return .hold
        case .duplicate:
            guard time >= planned.start, count < Self.duplicates, message.topic.hasSuffix("/in"),
                  message.payload.starts(with: Array("[2,".utf8)) else { return .pass }
            note(time)
            var copy = message
            copy.receivedAt = time + Int64(random.integer(1000...5000))
            return .deliver([message, copy])
        case .reorder:
            // The back-end answers a delayed CALL only once it has it.
            if !unanswered.isEmpty, message.topic.hasSuffix("/out"), let id = Self.messageID(message.payload),
               unanswered.remove(id) != nil {
                var late = message
                late.receivedAt = time + Self.reorderDelay
                return .deliver([late])
            }
            guard time >= planned.start, count < Self.reordered, Self.carriesMeterValues(message) else { return .pass }
            note(time)
            if let id = Self.messageID(message.payload) { unanswered.insert(id) }
            var late = message
            late.receivedAt = time + Self.reorderDelay
            return .deliver([late])
        case .malformed:
            guard time >= planned.start, count < Self.broken, Self.carriesMeterValues(message) else { return .pass }
            note(time)
            var broken = message
            broken.payload = Array(message.payload.prefix(message.payload.count / 2))
            return .deliver([broken])
        default:
            return .pass
        }
    }

    /// The offline backlog, once a message at `time` shows the charger is back: delivered from `time` on, 20 ms
    /// apart, in the order it was made.
    mutating func flush(at time: Int64) -> [InboundMessage] {
        guard planned.kind == .offlineBacklog, !flushed, time >= window.upperBound else { return [] }
        flushed = true
        let backlog = held.enumerated().map { index, message in
            var delivered = message
            delivered.receivedAt = time + Int64(index) * 20
            return delivered
        }
        held = []
        if !backlog.isEmpty { lastAt = backlog.last?.receivedAt }
        return backlog
    }

    /// broker_drops: the broker's counter as three reports from the first message at or after the start — the
    /// baseline 0, then 12 dropped, then 12 again.
    mutating func brokerReports(at time: Int64) -> [InboundMessage] {
        guard planned.kind == .brokerDrops, count == 0, time >= planned.start else { return [] }
        note(time + 10_000)
        return [(time, "0"), (time + 10_000, "12"), (time + 70_000, "12")].map { at, value in
            InboundMessage(receivedAt: at, topic: Self.brokerDropTopic, qos: 0, text: value)
        }
    }

    var truth: InjectedFault? {
        guard let firstAt, let lastAt else { return nil }
        return InjectedFault(kind: planned.kind, origin: .injected, charger: charger, evse: nil, startedAt: firstAt,
                             endedAt: lastAt, count: count)
    }

    private static let transactionEvent = Array(#""TransactionEvent""#.utf8)
    private static let online = Array(#""offline":false"#.utf8)
    private static let offline = Array(#""offline":true"#.utf8)
    private static let meterValues = Array(#""MeterValues""#.utf8)
    private static let periodic = Array(#""MeterValuePeriodic""#.utf8)

    /// An OCPP-J frame's message id: its first string (`[2,"17",...` → `17`).
    static func messageID(_ payload: [UInt8]) -> [UInt8]? {
        let quote = UInt8(ascii: "\"")
        guard let open = payload.firstIndex(of: quote), let close = payload[(open + 1)...].firstIndex(of: quote) else {
            return nil
        }
        return Array(payload[(open + 1)..<close])
    }

    /// An OCPP 1.6 MeterValues or 2.0.1 periodic TransactionEvent.
    static func carriesMeterValues(_ message: InboundMessage) -> Bool {
        message.topic.hasSuffix("/in")
            && (message.payload.contains(bytes: meterValues) || message.payload.contains(bytes: periodic))
    }
}

extension [UInt8] {
    /// Whether `needle` occurs in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        firstRange(of: needle) != nil
    }

    /// These bytes with the first occurrence of `old` replaced by `new`.
    func replacing(_ old: [UInt8], with new: [UInt8]) -> [UInt8] {
        guard let range = firstRange(of: old) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: new)
        return copy
    }
}
