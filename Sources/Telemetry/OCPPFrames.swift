import JSONTape

/// OCPP protocol versions the decoders know.
enum OCPPVersion {
    case v16, v201
}

extension TelemetryDecoder {
    /// An OCPP message: an OCPP-J frame (`[2,id,action,{…}]`, `[3,id,{…}]`, `[4,id,code,desc,{…}]`) or a bare
    /// payload whose action comes from the topic or, failing that, from its shape.
    func decodeOCPP<V: JSONView>(_ root: V, version: OCPPVersion?, _ context: DecodeContext,
                                 _ output: inout DecodeOutput) throws(DecodeError) {
        switch root.kind {
        case .array:
            try decodeFrame(root, version: version, context, &output)
        case .object:
            let action = context.source.action ?? Self.guessAction(root)
            guard let action else {
                throw DecodeError(.unknownMessage, path: "",
                                  "an object that is no known OCPP payload (and the topic names no action)")
            }
            try decodeAction(action, root, version: version, messageId: nil, context, &output)
        default:
            throw DecodeError(.wrongType, path: "", "expected an OCPP-J frame or an object, found \(root.kind.name)")
        }
    }

    func decodeFrame<V: JSONView>(_ frame: V, version: OCPPVersion?, _ context: DecodeContext,
                                  _ output: inout DecodeOutput) throws(DecodeError) {
        var parts: [V] = []
        parts.reserveCapacity(5)
        frame.forEachElement { (_, element) in
            if parts.count < 6 { parts.append(element) }
        }
        guard parts.count >= 3 else {
            throw DecodeError(.malformedFrame, path: "", "an OCPP-J frame has at least 3 elements, found \(parts.count)")
        }
        let type = try parts[0].integer("[0]")
        let messageId = try parts[1].text("[1]")
        guard !messageId.isEmpty && messageId.utf8.count <= 36 else {
            throw DecodeError(.malformedFrame, path: "[1]", "message id must be 1 to 36 characters")
        }
        let charger = context.origin.charger
        switch type {
        case 2:
            guard parts.count == 4 else {
                throw DecodeError(.malformedFrame, path: "", "a CALL has 4 elements, found \(parts.count)")
            }
            let action = try parts[2].text("[2]")
            let payload = parts[3]
            try payload.expect(.object, "[3]")
            var call = OCPPCallTracker.PendingCall(messageId: messageId, action: action, receivedAt: context.receivedAt,
                                                   start: nil, sequence: currentSequence)
            if context.source.fromBackend {
                // A command from the back-end: remembered so its result is recognised, otherwise ignored.
                tracker.record(charger: charger, call: call)
                output.messageType = action
                return
            }
            do {
                try decodeAction(action, payload, version: version, messageId: messageId, context, &output)
            } catch {
                throw error  // payload paths are relative to the payload, as integrators read them
            }
            if action == "StartTransaction", case .transaction(let event)? = output.events.last {
                call.start = OCPPCallTracker.StartDetails(
                    connector: event.evse, idTag: event.idTag ?? "", meterStartWh: event.meterStartWh ?? 0,
                    timestamp: event.timestamp)
            }
            // Only calls whose result carries something are tracked: results of MeterValues, StatusNotification
            // and Heartbeat are empty or a clock, and tracking them would cost the hot path for nothing.
            if Self.trackedActions.contains(action) {
                tracker.record(charger: charger, call: call)
            }
        case 3:
            guard parts.count == 3 else {
                throw DecodeError(.malformedFrame, path: "", "a CALLRESULT has 3 elements, found \(parts.count)")
            }
            try parts[2].expect(.object, "[2]")
            output.messageType = "CALLRESULT"
            guard let call = tracker.take(charger: charger, messageId: messageId, receivedAt: context.receivedAt) else {
                uncorrelatedResults += 1
                return
            }
            output.messageType = call.action + ".result"
            if let start = call.start {
                try decodeStartResult(parts[2], start: start, messageId: messageId, context, &output)
            }
        case 4:
            guard parts.count == 5 else {
                throw DecodeError(.malformedFrame, path: "", "a CALLERROR has 5 elements, found \(parts.count)")
            }
            let code = try parts[2].text("[2]")
            let description = try parts[3].text("[3]")
            try parts[4].expect(.object, "[4]")
            output.messageType = "CALLERROR"
            guard let call = tracker.take(charger: charger, messageId: messageId, receivedAt: context.receivedAt) else {
                uncorrelatedResults += 1
                return
            }
            output.messageType = call.action + ".error"
            output.events.append(.callFailure(CallFailure(
                origin: context.origin, messageId: messageId, action: call.action, errorCode: code,
                errorDescription: description, timestamp: context.receivedAt)))
        default:
            throw DecodeError(.malformedFrame, path: "[0]", "message type \(type) is not 2 (CALL), 3 (CALLRESULT) or 4 (CALLERROR)")
        }
    }

    /// Charger CALLs whose results the tap reads (back-end commands are always tracked).
    static let trackedActions: Set<String> = ["StartTransaction", "StopTransaction", "TransactionEvent", "Authorize",
                                              "BootNotification"]

    /// The back-end's StartTransaction result: `{transactionId, idTagInfo: {status, …}}`.
    func decodeStartResult<V: JSONView>(_ payload: V, start: OCPPCallTracker.StartDetails, messageId: String,
                                        _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var transactionId: Int?
        var status: String?
        var caught: DecodeError?
        payload.forEachMember { (name, value) in
            do throws(DecodeError) {
                if key(name, is: "transactionId") {
                    transactionId = try value.integer("[2].transactionId")
                } else if key(name, is: "idTagInfo") {
                    value.forEachMember { (inner, field) in
                        if key(inner, is: "status") { status = field.string }
                    }
                }
            } catch {
                caught = error
            }
        }
        if let caught { throw caught }
        guard let transactionId else { throw .missing("[2].transactionId") }
        let id = String(transactionId)
        let placement = OCPPCallTracker.Placement(evse: start.connector, connector: start.connector == 0 ? 0 : 1)
        tracker.place(charger: context.origin.charger, transactionId: id, at: placement)
        output.events.append(.transaction(TransactionEvent(
            origin: context.origin, kind: .idAssigned, evse: placement.evse, connector: placement.connector,
            timestamp: start.timestamp, transactionId: id, idTag: start.idTag, idTagStatus: status,
            meterStartWh: start.meterStartWh, messageId: messageId)))
    }

    /// Dispatches on the action.
    func decodeAction<V: JSONView>(_ action: String, _ payload: V, version: OCPPVersion?, messageId: String?,
                                   _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        output.messageType = action
        switch action {
        case "MeterValues":
            if (version ?? Self.versionByShape(payload, v201Key: "evseId")) == .v201 {
                try decodeMeterValues201(payload, context, &output)
            } else {
                try decodeMeterValues16(payload, context, &output)
            }
        case "StatusNotification":
            if (version ?? Self.versionByShape(payload, v201Key: "connectorStatus")) == .v201 {
                try decodeStatus201(payload, context, &output)
            } else {
                try decodeStatus16(payload, context, &output)
            }
        case "StartTransaction":
            try decodeStart16(payload, messageId: messageId, context, &output)
        case "StopTransaction":
            try decodeStop16(payload, messageId: messageId, context, &output)
        case "TransactionEvent":
            try decodeTransactionEvent201(payload, messageId: messageId, context, &output)
        default:
            // Heartbeat, BootNotification, Authorize, DataTransfer, …: valid traffic that carries no telemetry.
            // The message still counts as contact from the charger.
            break
        }
    }

    static func versionByShape<V: JSONView>(_ payload: V, v201Key: StaticString) -> OCPPVersion {
        var found = false
        payload.forEachMember { (name, _) in
            if key(name, is: v201Key) { found = true }
        }
        return found ? .v201 : .v16
    }

    /// The action of a bare payload, from the fields only that action has.
    static func guessAction<V: JSONView>(_ payload: V) -> String? {
        var keys = Set<String>()
        payload.forEachMember { (name, _) in keys.insert(String(decoding: name, as: UTF8.self)) }
        if keys.contains("eventType") && keys.contains("transactionInfo") { return "TransactionEvent" }
        if keys.contains("meterValue") && (keys.contains("connectorId") || keys.contains("evseId")) { return "MeterValues" }
        if keys.contains("connectorStatus") || (keys.contains("status") && keys.contains("errorCode")) {
            return "StatusNotification"
        }
        if keys.contains("meterStart") && keys.contains("idTag") { return "StartTransaction" }
        if keys.contains("meterStop") && keys.contains("transactionId") { return "StopTransaction" }
        return nil
    }
}
