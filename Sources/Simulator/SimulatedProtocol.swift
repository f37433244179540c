/// The protocol a simulated charger speaks. The raw value is the fleet declaration's `protocol`.
public enum SimulatedProtocol: String, Sendable, Hashable, CaseIterable {
    /// OCPP 1.6J relayed over MQTT: `ocpp/{charger}/in` (the charger's side) and `ocpp/{charger}/out` (the back-end's).
    case ocpp16
    /// OCPP 2.0.1 relayed over MQTT, on the same topics as 1.6J.
    case ocpp201
    /// EVerest's native MQTT variables, under the per-charger prefix `everest-{charger}/`.
    case everest
}
