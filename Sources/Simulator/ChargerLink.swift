/// A charger's path to Wattline through the broker: OCPP-J message ids, and receive times with network latency.
///
/// Receive times keep the charger's own order: an OCPP-J charger sends its next CALL only once the last one is
/// answered, and one MQTT client's messages reach a subscriber in the order published.
struct ChargerLink: Sendable {
    private var lastReceivedAt = Int64.min
    private var messageCounter = 0
    private var random: SimulationRandom

    init(random: SimulationRandom) {
        self.random = random
    }

    /// A new OCPP-J message id (the charger counts its CALLs).
    mutating func nextMessageID() -> String {
        messageCounter += 1
        return String(messageCounter)
    }

    /// When Wattline receives a message the charger publishes at `time`: 40-200 ms later, now and then (2 %) a
    /// second or three more on a slow mobile link.
    mutating func receiveTime(publishedAt time: Int64) -> Int64 {
        var latency = Int64(random.integer(40...200))
        if random.chance(0.02) { latency += Int64(random.integer(500...3000)) }
        return deliver(at: time + latency)
    }

    /// When Wattline receives the back-end's answer to a CALL it received at `callReceivedAt`.
    mutating func answerTime(after callReceivedAt: Int64) -> Int64 {
        deliver(at: callReceivedAt + Int64(random.integer(15...90)))
    }

    private mutating func deliver(at time: Int64) -> Int64 {
        let at = max(time, lastReceivedAt &+ 1)
        lastReceivedAt = at
        return at
    }
}
