import JSONTape

/// Turns raw MQTT payloads into normalized readings and events.
///
/// One decoder per thread (the decode stage owns one): it reuses a `JSONTape` between messages and keeps the
/// OCPP-J correlation state (`OCPPCallTracker`). Decoding allocates only what it returns.
///
/// Identity conventions (see docs/telemetry.md): OCPP 1.6 connector *n* is EVSE *n*, connector 1 (connector 0, the
/// main meter, is EVSE 0 connector 0) — the mapping OCPP 2.0.1 itself uses for migrated chargers.
public final class TelemetryDecoder {
    /// Payloads larger than this are refused with `payload_too_large` before any parsing.
    public var maxPayloadBytes: Int
    /// The OCPP-J correlation state.
    public internal(set) var tracker: OCPPCallTracker
    /// Results (CALLRESULT / CALLERROR) not matched to a tracked CALL: the tap tracks only calls whose results carry
    /// data (StartTransaction, StopTransaction, TransactionEvent, Authorize, BootNotification, back-end commands),
    /// and a call may have been missed or have fallen out of the window.
    public internal(set) var uncorrelatedResults = 0

    let tape = JSONTape()

    /// The log position (LSN) of the message being decoded, recorded with the OCPP CALLs it leaves waiting; set by
    /// a caller that reads from a log, nil otherwise.
    public var currentSequence: UInt64?

    public init(maxPayloadBytes: Int = 1 << 20, tracker: OCPPCallTracker = OCPPCallTracker()) {
        self.maxPayloadBytes = maxPayloadBytes
        self.tracker = tracker
    }

    /// Tells the tap where a transaction runs that it learnt before a restart: the tracker is in no checkpoint, so
    /// a runtime seeds it from the open sessions its processors restored, and a StopTransaction (which names only
    /// the transaction) still finds its EVSE.
    public func placeTransaction(charger: String, transactionId: String, evse: Int, connector: Int) {
        tracker.place(charger: charger, transactionId: transactionId,
                      at: OCPPCallTracker.Placement(evse: evse, connector: connector))
    }

    /// Decodes one message, appending what it carries to `output`. Throws the reason when the message is refused;
    /// `output` is then left as it was.
    public func decode(_ message: InboundMessage, source: MessageSource, into output: inout DecodeOutput) throws(DecodeError) {
        let result: Result<Void, DecodeError> = message.payload.withUnsafeBytes { bytes in
            do throws(DecodeError) {
                try decode(payload: bytes, receivedAt: message.receivedAt, topic: message.topic,
                           retained: message.retained, source: source, into: &output)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Decodes a payload in place (e.g. a record of the write-ahead log), without copying it.
    public func decode(payload bytes: UnsafeRawBufferPointer, receivedAt: Int64, topic: String, retained: Bool,
                       source: MessageSource, into output: inout DecodeOutput) throws(DecodeError) {
        guard bytes.count <= maxPayloadBytes else {
            throw DecodeError(.payloadTooLarge, path: "",
                              "payload is \(bytes.count) bytes; the limit is \(maxPayloadBytes)")
        }
        let mark = Mark(output)
        do throws(DecodeError) {
            let buffer = bytes.assumingMemoryBound(to: UInt8.self)
            let root: JSONRef
            do throws(JSONError) {
                root = try tape.parse(buffer)
            } catch {
                throw Self.rejection(for: error, in: buffer)
            }
            try decode(document: root, receivedAt: receivedAt, topic: topic, retained: retained, source: source,
                       into: &output)
        } catch {
            mark.restore(&output)
            throw error
        }
    }

    /// Maps a JSON syntax error to a rejection. Invalid UTF-8 anywhere wins over a grammar error, so the reason
    /// does not depend on which problem a parser meets first.
    static func rejection(for error: JSONError, in bytes: UnsafeBufferPointer<UInt8>) -> DecodeError {
        if !JSONDecoding.isValidUTF8(bytes) {
            return DecodeError(.invalidUTF8, path: "", "payload is not valid UTF-8")
        }
        return DecodeError(.malformedJSON, path: "", "not valid JSON: \(error)")
    }

    /// Decodes an already parsed document. Production passes a `JSONRef`; the tests also pass a tree built by
    /// Foundation's `JSONSerialization`, and require the same result.
    public func decode<V: JSONView>(document root: V, message: InboundMessage, source: MessageSource,
                                    into output: inout DecodeOutput) throws(DecodeError) {
        let mark = Mark(output)
        do throws(DecodeError) {
            try decode(document: root, receivedAt: message.receivedAt, topic: message.topic, retained: message.retained,
                       source: source, into: &output)
        } catch {
            mark.restore(&output)
            throw error
        }
    }

    func decode<V: JSONView>(document root: V, receivedAt: Int64, topic: String, retained: Bool, source: MessageSource,
                             into output: inout DecodeOutput) throws(DecodeError) {
        let context = DecodeContext(source: source, receivedAt: receivedAt)
        output.retained = retained
        switch source.format {
        case .ocpp16: try decodeOCPP(root, version: .v16, context, &output)
        case .ocpp201: try decodeOCPP(root, version: .v201, context, &output)
        case .ocppJ: try decodeOCPP(root, version: nil, context, &output)
        case .everest: try decodeEVerest(root, topic: topic, context, &output)
        case .compact: try decodeCompact(root, context, &output)
        case .auto: try decodeAuto(root, topic: topic, context, &output)
        }
    }

    /// Recognises the format from the payload's shape.
    func decodeAuto<V: JSONView>(_ root: V, topic: String, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        if root.kind == .array {
            return try decodeOCPP(root, version: nil, context, &output)
        }
        var everest = false
        var compact = false
        root.forEachMember { (name, _) in
            if key(name, is: "msg_type") || key(name, is: "energy_Wh_import") || key(name, is: "charged_energy_wh")
                || key(name, is: "power_W") {
                everest = true
            } else if key(name, is: "ts") || key(name, is: "energy_wh") || key(name, is: "energy_kwh")
                        || key(name, is: "power_w") {
                compact = true
            }
        }
        if everest { return try decodeEVerest(root, topic: topic, context, &output) }
        if compact { return try decodeCompact(root, context, &output) }
        try decodeOCPP(root, version: nil, context, &output)
    }
}

/// What every decoding step needs to know about the message at hand.
@usableFromInline
struct DecodeContext {
    let source: MessageSource
    let receivedAt: Int64

    var origin: Origin { source.origin }

    func series(evse: Int, connector: Int, measurand: Measurand, phase: Phase?, location: Location) -> Series {
        Series(site: source.origin.site, charger: source.origin.charger, evse: evse, connector: connector,
               measurand: measurand, phase: phase, location: location)
    }
}

/// The lengths of an output's lists, so a refused message leaves nothing behind.
struct Mark {
    let readings: Int
    let signed: Int
    let events: Int
    let type: String

    init(_ output: DecodeOutput) {
        readings = output.readings.count
        signed = output.signedValues.count
        events = output.events.count
        type = output.messageType
    }

    func restore(_ output: inout DecodeOutput) {
        output.readings.removeSubrange(readings...)
        output.signedValues.removeSubrange(signed...)
        output.events.removeSubrange(events...)
        output.messageType = type
    }
}
