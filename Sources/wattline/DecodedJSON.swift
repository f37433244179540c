import JSONTape
import Recording
import Telemetry

/// The JSON Lines shapes `wattline decode` prints (documented in docs/telemetry.md).
enum DecodedJSON {
    static func lines(_ output: DecodeOutput, record: FixtureRecord) -> [String] {
        var lines: [String] = []
        for reading in output.readings {
            var w = start("reading", record)
            series(reading.series, into: &w)
            w.field("timestamp", Timestamp.format(reading.timestamp))
            w.field("value", reading.value)
            w.field("unit", reading.series.measurand.dimension.canonicalUnit)
            w.field("decimals", Int(reading.decimals))
            w.field("context", reading.context.rawValue)
            w.field("transaction_id", reading.transactionId)
            lines.append(w.finish())
        }
        for signed in output.signedValues {
            var w = start("signed_meter_value", record)
            series(signed.series, into: &w)
            w.field("timestamp", Timestamp.format(signed.timestamp))
            w.field("context", signed.context.rawValue)
            w.field("transaction_id", signed.transactionId)
            w.field("data", signed.data)
            w.field("signing_method", signed.signingMethod)
            w.field("encoding_method", signed.encodingMethod)
            w.field("public_key", signed.publicKey)
            lines.append(w.finish())
        }
        for event in output.events {
            lines.append(self.event(event, record: record))
        }
        if output.isEmpty {
            var w = start("message", record)
            w.field("message_type", output.messageType)
            lines.append(w.finish())
        }
        return lines
    }

    static func rejection(_ error: DecodeError, record: FixtureRecord) -> String {
        var w = start("rejected", record)
        w.field("topic", record.message.topic)
        w.field("reason", error.reason.rawValue)
        w.field("path", error.path.isEmpty ? nil : error.path)
        w.field("error", error.description)
        return w.finish()
    }

    static func start(_ type: String, _ record: FixtureRecord) -> JSONObjectWriter {
        var w = JSONObjectWriter()
        w.field("type", type)
        w.field("line", record.line)
        w.field("received_at", Timestamp.format(record.message.receivedAt))
        if record.message.retained { w.field("retained", true) }
        return w
    }

    static func series(_ series: Series, into w: inout JSONObjectWriter) {
        w.field("site", series.site)
        w.field("charger", series.charger)
        w.field("evse", series.evse)
        w.field("connector", series.connector)
        w.field("measurand", series.measurand.rawValue)
        w.field("phase", series.phase?.rawValue)
        w.field("location", series.location.rawValue)
    }

    static func event(_ event: TelemetryEvent, record: FixtureRecord) -> String {
        switch event {
        case .status(let s):
            var w = start("status", record)
            w.field("site", s.origin.site)
            w.field("charger", s.origin.charger)
            w.field("evse", s.evse)
            w.field("connector", s.connector)
            w.field("timestamp", Timestamp.format(s.timestamp))
            w.field("timestamp_from_charger", s.timestampFromCharger)
            w.field("status", s.status.rawValue)
            w.field("raw_status", s.rawStatus)
            w.field("error_code", s.errorCode)
            w.field("info", s.info)
            w.field("vendor_id", s.vendorId)
            w.field("vendor_error_code", s.vendorErrorCode)
            w.field("charging_state", s.chargingState)
            w.field("session_energy_wh", s.sessionEnergyWh)
            w.field("charging_duration_s", s.chargingDurationSeconds)
            return w.finish()
        case .transaction(let t):
            var w = start("transaction", record)
            w.field("site", t.origin.site)
            w.field("charger", t.origin.charger)
            w.field("event", t.kind.rawValue)
            w.field("evse", t.evse)
            w.field("connector", t.connector)
            w.field("timestamp", Timestamp.format(t.timestamp))
            w.field("transaction_id", t.transactionId)
            w.field("id_tag", t.idTag)
            w.field("id_tag_status", t.idTagStatus)
            w.field("meter_start_wh", t.meterStartWh)
            w.field("meter_stop_wh", t.meterStopWh)
            w.field("stop_reason", t.stopReason)
            w.field("seq_no", t.seqNo)
            if t.offline { w.field("offline", true) }
            w.field("charging_state", t.chargingState)
            w.field("trigger_reason", t.triggerReason)
            w.field("message_id", t.messageId)
            return w.finish()
        case .callFailure(let f):
            var w = start("call_error", record)
            w.field("site", f.origin.site)
            w.field("charger", f.origin.charger)
            w.field("message_id", f.messageId)
            w.field("action", f.action)
            w.field("error_code", f.errorCode)
            w.field("error_description", f.errorDescription)
            return w.finish()
        }
    }
}
