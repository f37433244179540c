/// Something that happens on a connector at one instant, before any protocol puts it into messages.
enum ConnectorEvent: Sendable, Equatable {
    /// A car is plugged in.
    case plugIn
    /// The driver's id tag is accepted (OCPP 1.6 starts its transaction here).
    case authorize
    /// Energy starts flowing.
    case startCharging
    /// The car pauses charging for a while (SuspendedEV).
    case suspend
    /// The car resumes charging after a pause.
    case resume
    /// The car has reached its target state of charge: energy stops, the transaction stays open.
    case full
    /// The transaction ends (the driver unplugs, taps the card, or stops it from the app).
    case stop
    /// The cable is pulled: the connector is free.
    case unplug
    /// A periodic meter reading during the transaction.
    case sample
}
