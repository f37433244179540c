import JSONTape

/// OCPP 2.0.1 payloads: TransactionEvent, MeterValues, StatusNotification.
extension TelemetryDecoder {
    func decodeMeterValues201<V: JSONView>(_ payload: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var evseField: V?
        var values: V?
        payload.forEachMember { (name, field) in
            if key(name, is: "evseId") { evseField = field } else if key(name, is: "meterValue") { values = field }
        }
        guard let evseField else { throw .missing("evseId") }
        let evse = try evseField.integer("evseId", in: 0...999)
        guard let values else { throw .missing("meterValue") }
        // 2.0.1 meters per EVSE; its connector is 1 unless the topic says otherwise (0 for the main meter).
        let connector = evse == 0 ? 0 : (context.source.connector ?? 1)
        do {
            try decodeMeterValueArray(values, evse: evse, connector: connector, transactionId: nil, context, &output,
                                      requireItems: true)
        } catch {
            throw error.under("meterValue")
        }
    }

    func decodeStatus201<V: JSONView>(_ payload: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var timestamp: Int64?
        var status: String?
        var evse: Int?
        var connector: Int?
        var caught: DecodeError?
        payload.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "timestamp") { timestamp = try field.timestamp("timestamp") }
                else if key(name, is: "connectorStatus") { status = try field.text("connectorStatus") }
                else if key(name, is: "evseId") { evse = try field.integer("evseId", in: 0...999) }
                else if key(name, is: "connectorId") { connector = try field.integer("connectorId", in: 0...999) }
            } catch {
                if caught == nil { caught = error }
            }
        }
        if let caught { throw caught }
        guard let timestamp else { throw .missing("timestamp") }
        guard let status else { throw .missing("connectorStatus") }
        guard let evse else { throw .missing("evseId") }
        guard let connector else { throw .missing("connectorId") }
        guard let normalized = Self.status201[status] else {
            throw DecodeError(.unknownEnumValue, path: "connectorStatus",
                              "'\(status)' is not one of Available, Occupied, Reserved, Unavailable, Faulted")
        }
        output.events.append(.status(StatusChange(
            origin: context.origin, evse: evse, connector: connector, timestamp: timestamp, timestampFromCharger: true,
            status: normalized, rawStatus: status)))
    }

    static let status201: [String: ConnectorStatus] = [
        "Available": .available, "Occupied": .occupied, "Reserved": .reserved, "Unavailable": .unavailable,
        "Faulted": .faulted,
    ]

    static let chargingStates201: Set<String> = ["Charging", "EVConnected", "SuspendedEV", "SuspendedEVSE", "Idle"]

    func decodeTransactionEvent201<V: JSONView>(_ payload: V, messageId: String?, _ context: DecodeContext,
                                                _ output: inout DecodeOutput) throws(DecodeError) {
        var eventType: String?
        var timestamp: Int64?
        var trigger: String?
        var seqNo: Int?
        var offline = false
        var evse: Int?
        var connector: Int?
        var transactionId: String?
        var chargingState: String?
        var stoppedReason: String?
        var idToken: String?
        var values: V?
        var caught: DecodeError?
        payload.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "eventType") { eventType = try field.text("eventType") }
                else if key(name, is: "timestamp") { timestamp = try field.timestamp("timestamp") }
                else if key(name, is: "triggerReason") { trigger = try field.text("triggerReason") }
                else if key(name, is: "seqNo") { seqNo = try field.integer("seqNo", in: 0...Int(Int32.max)) }
                else if key(name, is: "offline") { offline = try field.boolean("offline") }
                else if key(name, is: "meterValue") { values = field }
                else if key(name, is: "evse") {
                    try field.expect(.object, "evse")
                    var inner: DecodeError?
                    field.forEachMember { (part, value) in
                        do throws(DecodeError) {
                            if key(part, is: "id") { evse = try value.integer("evse.id", in: 0...999) }
                            else if key(part, is: "connectorId") { connector = try value.integer("evse.connectorId", in: 0...999) }
                        } catch {
                            inner = error
                        }
                    }
                    if let inner { throw inner }
                } else if key(name, is: "transactionInfo") {
                    try field.expect(.object, "transactionInfo")
                    var inner: DecodeError?
                    field.forEachMember { (part, value) in
                        do throws(DecodeError) {
                            if key(part, is: "transactionId") { transactionId = try value.text("transactionInfo.transactionId") }
                            else if key(part, is: "chargingState") { chargingState = try value.text("transactionInfo.chargingState") }
                            else if key(part, is: "stoppedReason") { stoppedReason = try value.text("transactionInfo.stoppedReason") }
                        } catch {
                            inner = error
                        }
                    }
                    if let inner { throw inner }
                } else if key(name, is: "idToken") {
                    try field.expect(.object, "idToken")
                    field.forEachMember { (part, value) in
                        if key(part, is: "idToken") { idToken = value.string }
                    }
                }
            } catch {
                if caught == nil { caught = error }
            }
        }
        if let caught { throw caught }
        guard let eventType else { throw .missing("eventType") }
        let kind: TransactionEventKind
        switch eventType {
        case "Started": kind = .started
        case "Updated": kind = .updated
        case "Ended": kind = .ended
        default:
            throw DecodeError(.unknownEnumValue, path: "eventType", "'\(eventType)' is not one of Started, Updated, Ended")
        }
        guard let timestamp else { throw .missing("timestamp") }
        guard let trigger else { throw .missing("triggerReason") }
        guard let seqNo else { throw .missing("seqNo") }
        guard let transactionId else { throw .missing("transactionInfo.transactionId") }
        guard !transactionId.isEmpty && transactionId.utf8.count <= 36 else {
            throw DecodeError(.impossibleValue, path: "transactionInfo.transactionId", "must be 1 to 36 characters")
        }
        if let chargingState, !Self.chargingStates201.contains(chargingState) {
            throw DecodeError(.unknownEnumValue, path: "transactionInfo.chargingState",
                              "'\(chargingState)' is not one of Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle")
        }
        // The evse object is required only in the first event of a transaction; later ones are placed by the tap.
        let charger = context.origin.charger
        let place: OCPPCallTracker.Placement
        if let evse {
            place = OCPPCallTracker.Placement(evse: evse, connector: connector ?? (evse == 0 ? 0 : 1))
            tracker.place(charger: charger, transactionId: transactionId, at: place)
        } else {
            place = tracker.placement(charger: charger, transactionId: transactionId)
                ?? OCPPCallTracker.Placement(evse: -1, connector: 0)
        }
        if let values {
            do {
                try decodeMeterValueArray(values, evse: place.evse, connector: place.connector,
                                          transactionId: transactionId, context, &output, requireItems: true)
            } catch {
                throw error.under("meterValue")
            }
        }
        output.events.append(.transaction(TransactionEvent(
            origin: context.origin, kind: kind, evse: place.evse, connector: place.connector, timestamp: timestamp,
            transactionId: transactionId, idTag: idToken, stopReason: stoppedReason, seqNo: seqNo, offline: offline,
            chargingState: chargingState, triggerReason: trigger, messageId: messageId)))
    }
}
