import JSONTape

/// OCPP 1.6J payloads: MeterValues, StatusNotification, StartTransaction, StopTransaction.
extension TelemetryDecoder {
    /// OCPP 1.6 connector *n* → (EVSE *n*, connector 1); connector 0 (the main meter) → (0, 0).
    static func placement16(_ connectorId: Int) -> OCPPCallTracker.Placement {
        OCPPCallTracker.Placement(evse: connectorId, connector: connectorId == 0 ? 0 : 1)
    }

    func decodeMeterValues16<V: JSONView>(_ payload: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var connectorField: V?
        var transactionField: V?
        var values: V?
        payload.forEachMember { (name, field) in
            if key(name, is: "connectorId") { connectorField = field }
            else if key(name, is: "transactionId") { transactionField = field }
            else if key(name, is: "meterValue") { values = field }
        }
        guard let connectorField else { throw .missing("connectorId") }
        let connectorId = try connectorField.integer("connectorId", in: 0...999)
        let transactionId = try transactionField.map { (field) throws(DecodeError) in String(try field.integer("transactionId")) }
        guard let values else { throw .missing("meterValue") }
        let place = Self.placement16(connectorId)
        if let transactionId, connectorId > 0 {
            tracker.place(charger: context.origin.charger, transactionId: transactionId, at: place)
        }
        do {
            try decodeMeterValueArray(values, evse: place.evse, connector: place.connector, transactionId: transactionId,
                                      context, &output, requireItems: true)
        } catch {
            throw error.under("meterValue")
        }
    }

    func decodeStatus16<V: JSONView>(_ payload: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var connectorId: Int?
        var status: String?
        var errorCode: String?
        var info: String?
        var timestamp: Int64?
        var vendorId: String?
        var vendorErrorCode: String?
        var caught: DecodeError?
        payload.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "connectorId") { connectorId = try field.integer("connectorId", in: 0...999) }
                else if key(name, is: "status") { status = try field.text("status") }
                else if key(name, is: "errorCode") { errorCode = try field.text("errorCode") }
                else if key(name, is: "info") { info = try field.text("info") }
                else if key(name, is: "timestamp") { timestamp = try field.timestamp("timestamp") }
                else if key(name, is: "vendorId") { vendorId = try field.text("vendorId") }
                else if key(name, is: "vendorErrorCode") { vendorErrorCode = try field.text("vendorErrorCode") }
            } catch {
                if caught == nil { caught = error }
            }
        }
        if let caught { throw caught }
        guard let connectorId else { throw .missing("connectorId") }
        guard let status else { throw .missing("status") }
        guard let errorCode else { throw .missing("errorCode") }
        guard let normalized = Self.status16[status] else {
            throw DecodeError(.unknownEnumValue, path: "status",
                              "'\(status)' is not one of \(Self.status16.keys.sorted().joined(separator: ", "))")
        }
        let place = Self.placement16(connectorId)
        output.events.append(.status(StatusChange(
            origin: context.origin, evse: place.evse, connector: place.connector,
            timestamp: timestamp ?? context.receivedAt, timestampFromCharger: timestamp != nil, status: normalized,
            rawStatus: status, errorCode: errorCode, info: info, vendorId: vendorId, vendorErrorCode: vendorErrorCode)))
    }

    static let status16: [String: ConnectorStatus] = [
        "Available": .available, "Preparing": .preparing, "Charging": .charging, "SuspendedEVSE": .suspendedEVSE,
        "SuspendedEV": .suspendedEV, "Finishing": .finishing, "Reserved": .reserved, "Unavailable": .unavailable,
        "Faulted": .faulted,
    ]

    func decodeStart16<V: JSONView>(_ payload: V, messageId: String?, _ context: DecodeContext,
                                    _ output: inout DecodeOutput) throws(DecodeError) {
        var connectorId: Int?
        var idTag: String?
        var meterStart: Int?
        var timestamp: Int64?
        var caught: DecodeError?
        payload.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "connectorId") { connectorId = try field.integer("connectorId", in: 1...999) }
                else if key(name, is: "idTag") { idTag = try field.text("idTag") }
                else if key(name, is: "meterStart") { meterStart = try field.integer("meterStart") }
                else if key(name, is: "timestamp") { timestamp = try field.timestamp("timestamp") }
            } catch {
                if caught == nil { caught = error }
            }
        }
        if let caught { throw caught }
        guard let connectorId else { throw .missing("connectorId") }
        guard let idTag else { throw .missing("idTag") }
        guard let meterStart else { throw .missing("meterStart") }
        guard let timestamp else { throw .missing("timestamp") }
        try Self.checkPlausible(Double(meterStart), measurand: .energyActiveImportRegister, path: "meterStart")
        let place = Self.placement16(connectorId)
        output.events.append(.transaction(TransactionEvent(
            origin: context.origin, kind: .started, evse: place.evse, connector: place.connector, timestamp: timestamp,
            idTag: idTag, meterStartWh: Double(meterStart), messageId: messageId)))
    }

    func decodeStop16<V: JSONView>(_ payload: V, messageId: String?, _ context: DecodeContext,
                                   _ output: inout DecodeOutput) throws(DecodeError) {
        var transactionId: Int?
        var meterStop: Int?
        var timestamp: Int64?
        var idTag: String?
        var reason: String?
        var data: V?
        var caught: DecodeError?
        payload.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "transactionId") { transactionId = try field.integer("transactionId") }
                else if key(name, is: "meterStop") { meterStop = try field.integer("meterStop") }
                else if key(name, is: "timestamp") { timestamp = try field.timestamp("timestamp") }
                else if key(name, is: "idTag") { idTag = try field.text("idTag") }
                else if key(name, is: "reason") { reason = try field.text("reason") }
                else if key(name, is: "transactionData") { data = field }
            } catch {
                if caught == nil { caught = error }
            }
        }
        if let caught { throw caught }
        guard let transactionId else { throw .missing("transactionId") }
        guard let meterStop else { throw .missing("meterStop") }
        guard let timestamp else { throw .missing("timestamp") }
        try Self.checkPlausible(Double(meterStop), measurand: .energyActiveImportRegister, path: "meterStop")
        let id = String(transactionId)
        // StopTransaction names only the transaction. Where the tap has not seen it, EVSE -1 says "unattributed":
        // never connector 0, which is the charger's main meter.
        let place = tracker.placement(charger: context.origin.charger, transactionId: id)
            ?? OCPPCallTracker.Placement(evse: -1, connector: 0)
        if let data {
            do {
                try decodeMeterValueArray(data, evse: place.evse, connector: place.connector, transactionId: id,
                                          context, &output, requireItems: false)
            } catch {
                throw error.under("transactionData")
            }
        }
        output.events.append(.transaction(TransactionEvent(
            origin: context.origin, kind: .ended, evse: place.evse, connector: place.connector, timestamp: timestamp,
            transactionId: id, idTag: idTag, meterStopWh: Double(meterStop), stopReason: reason, messageId: messageId)))
    }
}
