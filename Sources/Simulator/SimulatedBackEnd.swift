/// The central system the simulator plays for its OCPP chargers: it accepts every id tag and numbers OCPP 1.6
/// transactions fleet-wide, as a back-end's database sequence does.
struct SimulatedBackEnd: Sendable {
    private var nextTransactionID: Int

    init(seed: UInt64) {
        var random = SimulationRandom(seed: seed, stream: RandomStream.backEnd)
        nextTransactionID = 1000 + random.integer(0...89_000)
    }

    /// The transaction id of a StartTransaction result.
    mutating func assignTransactionID() -> Int {
        defer { nextTransactionID += 1 }
        return nextTransactionID
    }
}
