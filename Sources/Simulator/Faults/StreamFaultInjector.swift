import Telemetry

/// Applies the stream faults to the generated messages, keeping the output in receive-time order: a fault only ever
/// delays a message or adds one later, so a message waits here until the generator's next message is no earlier.
struct StreamFaultInjector: Sendable {
    private var faults: [StreamFault]
    /// Charger id → indices in `faults`.
    private let byCharger: [String: [Int]]
    /// Faults about no charger (broker drops) and offline backlogs, looked at for every message.
    private let global: [Int]
    private let backlogs: [Int]
    /// Messages waiting to leave; those delayed past the simulated stretch are dropped there.
    private var pending: Outbox

    init(faults: [StreamFault], end: Int64) {
        self.faults = faults
        pending = Outbox(end: end)
        var byCharger: [String: [Int]] = [:]
        for (index, fault) in faults.enumerated() {
            if let charger = fault.charger { byCharger[charger, default: []].append(index) }
        }
        self.byCharger = byCharger
        global = faults.indices.filter { faults[$0].charger == nil }
        backlogs = faults.indices.filter { faults[$0].planned.kind == .offlineBacklog }
    }

    private mutating func post(_ message: InboundMessage) {
        pending.post(message)
    }

    /// Takes the generator's next message.
    mutating func accept(_ message: InboundMessage) {
        let time = message.receivedAt
        for index in global {
            for report in faults[index].brokerReports(at: time) { post(report) }
        }
        for index in backlogs {
            for late in faults[index].flush(at: time) { post(late) }
        }
        if let charger = SimulatorTopics.chargerID(inTopic: message.topic), let indices = byCharger[charger] {
            for index in indices {
                switch faults[index].act(on: message) {
                case .pass: continue
                case .drop, .hold: return
                case .deliver(let messages):
                    messages.forEach { post($0) }
                    return
                }
            }
        }
        post(message)
    }

    /// The next message that is final: received no later than `limit` (the generator's next message), or any when
    /// the generator is done (nil).
    mutating func release(upTo limit: Int64?) -> InboundMessage? {
        guard let earliest = pending.earliest else { return nil }
        if let limit, earliest > limit { return nil }
        return pending.take()
    }

    var truth: [InjectedFault] { faults.compactMap(\.truth) }
}
