/// Who sent a message and how to read it, as resolved from its topic and the fleet declaration.
public struct MessageSource: Sendable, Equatable {
    public var origin: Origin
    /// The payload format the topic template declares.
    public var format: PayloadFormat
    /// EVSE and connector when the topic names them (`{evse}`, `{connector}`).
    public var evse: Int?
    public var connector: Int?
    /// The OCPP action when the topic names it (`{action}`): the payload is then a bare OCPP payload.
    public var action: String?
    /// True for the back-end's side of an OCPP-J conversation (`ocpp/{charger}/out`).
    public var fromBackend: Bool
    /// Per-charger corrections from the fleet declaration.
    public var quirks: ChargerQuirks

    public init(origin: Origin, format: PayloadFormat, evse: Int? = nil, connector: Int? = nil, action: String? = nil,
                fromBackend: Bool = false, quirks: ChargerQuirks = ChargerQuirks()) {
        self.origin = origin
        self.format = format
        self.evse = evse
        self.connector = connector
        self.action = action
        self.fromBackend = fromBackend
        self.quirks = quirks
    }
}

/// Corrections for chargers that are known to mislabel what they send.
public struct ChargerQuirks: Sendable, Equatable {
    /// When set, energy values are read in this unit whatever the charger labels them (e.g. kWh sent as "Wh").
    public var energyUnitOverride: EnergyUnit?

    public enum EnergyUnit: String, Sendable, Codable {
        case wh = "Wh"
        case kwh = "kWh"
    }

    public init(energyUnitOverride: EnergyUnit? = nil) {
        self.energyUnitOverride = energyUnitOverride
    }
}

/// What decoding one message produced. Reused between messages: the decoder appends, the caller clears.
public struct DecodeOutput: Sendable, Equatable {
    public var readings: [Reading] = []
    public var signedValues: [SignedMeterValue] = []
    public var events: [TelemetryEvent] = []
    /// The OCPP action (or EVerest variable) the message carried, for counters and `wattline decode`.
    public var messageType: String = ""
    /// True when the message was a retained delivery (the broker replaying a charger's last status on subscribe):
    /// it updates state, but it is no fresh contact from the charger.
    public var retained = false

    public init() {}

    public mutating func removeAll() {
        readings.removeAll(keepingCapacity: true)
        signedValues.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        messageType = ""
        retained = false
    }

    public var isEmpty: Bool { readings.isEmpty && signedValues.isEmpty && events.isEmpty }
}
