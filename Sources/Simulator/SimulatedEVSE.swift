/// One EVSE of a simulated charger, with its single connector (connector id 1).
///
/// OCPP 1.6 connector *n* is EVSE *n* here, as docs/pipeline.md asks a 1.6 charger to be declared.
public struct SimulatedEVSE: Sendable, Hashable {
    /// 1, 2, ... within the charger.
    public var id: Int
    public var rating: ConnectorRating

    public init(id: Int, rating: ConnectorRating) {
        self.id = id
        self.rating = rating
    }
}
