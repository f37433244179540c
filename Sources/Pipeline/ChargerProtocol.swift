import Telemetry

/// The protocol a declared charger speaks, which fixes how its `ocpp-j`/`auto` topics are decoded.
public enum ChargerProtocol: String, Sendable, CaseIterable, Codable {
    case ocpp16
    case ocpp201
    case everest
    case compact

    /// The payload format this protocol's messages have.
    public var payloadFormat: PayloadFormat {
        switch self {
        case .ocpp16: return .ocpp16
        case .ocpp201: return .ocpp201
        case .everest: return .everest
        case .compact: return .compact
        }
    }
}

