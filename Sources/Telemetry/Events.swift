/// Where a message came from: the site and charger it was attributed to.
public struct Origin: Sendable, Hashable, Codable {
    public var site: String
    public var charger: String

    public init(site: String, charger: String) {
        self.site = site
        self.charger = charger
    }
}

/// A connector's status, normalized across protocols (see docs/telemetry.md for the mapping table).
public enum ConnectorStatus: String, Sendable, CaseIterable, Codable {
    case available, preparing, charging, suspendedEV, suspendedEVSE, finishing, reserved, unavailable, faulted
    /// OCPP 2.0.1 `Occupied`: a cable is in; says nothing about energy flowing.
    case occupied
}

/// A change of a connector's status (OCPP StatusNotification, an EVerest session state, a compact `status`).
public struct StatusChange: Sendable, Equatable {
    public var origin: Origin
    public var evse: Int
    public var connector: Int
    /// Event time in ms UTC: the charger's timestamp, or the receive time when the charger sent none.
    public var timestamp: Int64
    /// False when `timestamp` is the receive time because the message carried none.
    public var timestampFromCharger: Bool
    public var status: ConnectorStatus
    /// The status as sent ("SuspendedEV", "Occupied", "ChargingPausedEV", ...).
    public var rawStatus: String
    /// OCPP 1.6 `errorCode` ("NoError", "GroundFailure", ...), when sent.
    public var errorCode: String?
    public var info: String?
    public var vendorId: String?
    public var vendorErrorCode: String?
    /// OCPP 2.0.1 `chargingState`, or an EVerest state, when it refines the status.
    public var chargingState: String?
    /// EVerest session_info figures, when the message carried them.
    public var sessionEnergyWh: Double?
    public var chargingDurationSeconds: Double?

    public init(origin: Origin, evse: Int, connector: Int, timestamp: Int64, timestampFromCharger: Bool,
                status: ConnectorStatus, rawStatus: String, errorCode: String? = nil, info: String? = nil,
                vendorId: String? = nil, vendorErrorCode: String? = nil, chargingState: String? = nil,
                sessionEnergyWh: Double? = nil, chargingDurationSeconds: Double? = nil) {
        self.origin = origin
        self.evse = evse
        self.connector = connector
        self.timestamp = timestamp
        self.timestampFromCharger = timestampFromCharger
        self.status = status
        self.rawStatus = rawStatus
        self.errorCode = errorCode
        self.info = info
        self.vendorId = vendorId
        self.vendorErrorCode = vendorErrorCode
        self.chargingState = chargingState
        self.sessionEnergyWh = sessionEnergyWh
        self.chargingDurationSeconds = chargingDurationSeconds
    }
}

/// What happened to a transaction.
public enum TransactionEventKind: String, Sendable, Codable {
    /// OCPP 1.6 StartTransaction, 2.0.1 TransactionEvent Started, compact `"event": "started"`.
    case started
    /// OCPP 2.0.1 TransactionEvent Updated.
    case updated
    /// OCPP 1.6 StopTransaction, 2.0.1 TransactionEvent Ended, compact `"event": "ended"`.
    case ended
    /// The back-end's StartTransaction result (OCPP 1.6): the transaction id and whether the id tag was accepted.
    case idAssigned
}

/// A transaction event, normalized across OCPP 1.6 and 2.0.1.
public struct TransactionEvent: Sendable, Equatable {
    public var origin: Origin
    public var kind: TransactionEventKind
    /// 0 when the message does not say (a 1.6 StopTransaction names only the transaction).
    public var evse: Int
    public var connector: Int
    /// Event time, ms UTC.
    public var timestamp: Int64
    /// The transaction id as text (1.6 integers are written in decimal). Nil for a 1.6 start before its result.
    public var transactionId: String?
    public var idTag: String?
    /// `idTagInfo.status` (1.6) / `idTokenInfo.status` (2.0.1) from the back-end's result, when seen.
    public var idTagStatus: String?
    public var meterStartWh: Double?
    public var meterStopWh: Double?
    public var stopReason: String?
    /// OCPP 2.0.1 `seqNo`.
    public var seqNo: Int?
    /// OCPP 2.0.1 `offline`: the charger buffered this event while offline.
    public var offline: Bool
    /// OCPP 2.0.1 `transactionInfo.chargingState`.
    public var chargingState: String?
    /// OCPP 2.0.1 `triggerReason`.
    public var triggerReason: String?
    /// The OCPP-J message id of the CALL that carried the event, when framed.
    public var messageId: String?

    public init(origin: Origin, kind: TransactionEventKind, evse: Int, connector: Int, timestamp: Int64,
                transactionId: String? = nil, idTag: String? = nil, idTagStatus: String? = nil,
                meterStartWh: Double? = nil, meterStopWh: Double? = nil, stopReason: String? = nil,
                seqNo: Int? = nil, offline: Bool = false, chargingState: String? = nil,
                triggerReason: String? = nil, messageId: String? = nil) {
        self.origin = origin
        self.kind = kind
        self.evse = evse
        self.connector = connector
        self.timestamp = timestamp
        self.transactionId = transactionId
        self.idTag = idTag
        self.idTagStatus = idTagStatus
        self.meterStartWh = meterStartWh
        self.meterStopWh = meterStopWh
        self.stopReason = stopReason
        self.seqNo = seqNo
        self.offline = offline
        self.chargingState = chargingState
        self.triggerReason = triggerReason
        self.messageId = messageId
    }
}

/// A CALLERROR the back-end (or charger) answered to a tracked CALL.
public struct CallFailure: Sendable, Equatable {
    public var origin: Origin
    public var messageId: String
    /// The action of the CALL it answers.
    public var action: String
    public var errorCode: String
    public var errorDescription: String
    /// Receive time of the error, ms UTC (CALLERRORs carry no timestamp).
    public var timestamp: Int64

    public init(origin: Origin, messageId: String, action: String, errorCode: String, errorDescription: String,
                timestamp: Int64) {
        self.origin = origin
        self.messageId = messageId
        self.action = action
        self.errorCode = errorCode
        self.errorDescription = errorDescription
        self.timestamp = timestamp
    }
}

/// Any event a message can carry besides readings.
public enum TelemetryEvent: Sendable, Equatable {
    case status(StatusChange)
    case transaction(TransactionEvent)
    case callFailure(CallFailure)
}
