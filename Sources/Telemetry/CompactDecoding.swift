import JSONTape

/// Wattline's compact JSON form for simple meters (docs/compact-format.md):
///
///     {"ts":"2026-11-21T12:00:00Z","connector":1,"energy_wh":"12345.6","power_w":7200,
///      "current_a":[10.1,10.2,10.0],"voltage_v":[230.1,231.0,229.8],"soc":54,"status":"Charging","tx":"T-1"}
///
/// `ts` is RFC 3339 text or epoch milliseconds; numbers may be JSON numbers or decimal text; unknown keys are refused
/// (they are usually typos such as `energy_Wh`).
extension TelemetryDecoder {
    func decodeCompact<V: JSONView>(_ root: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        try root.expect(.object, "")
        output.messageType = "compact"
        var fields = CompactFields<V>()
        var caught: DecodeError?
        root.forEachMember { (name, field) in
            guard caught == nil else { return }
            do throws(DecodeError) {
                try fields.take(name, field)
            } catch {
                caught = error
            }
        }
        if let caught { throw caught }
        guard let tsField = fields.ts else { throw .missing("ts") }
        let timestamp: Int64
        if tsField.kind == .number {
            let ms = try tsField.integer("ts", in: 0...4_102_444_800_000)
            timestamp = Int64(ms)
        } else {
            timestamp = try tsField.timestamp("ts")
        }
        let connectorNumber = try fields.connector.map { (f) throws(DecodeError) in try f.integer("connector", in: 0...999) }
            ?? context.source.connector ?? 1
        let evse: Int
        let connector: Int
        if let field = fields.evse {
            evse = try field.integer("evse", in: 0...999)
            connector = connectorNumber
        } else {
            evse = context.source.evse ?? connectorNumber
            connector = connectorNumber == 0 ? 0 : (context.source.evse == nil ? 1 : connectorNumber)
        }
        let transactionId = try fields.tx.map { (f) throws(DecodeError) in try f.text("tx") }

        func add(_ field: V?, _ name: String, _ measurand: Measurand, shift: Int32 = 0, phase: Phase? = nil) throws(DecodeError) {
            guard let field else { return }
            let text = try field.decimal(name)
            let (value, decimals) = MeterUnit(measurand.dimension, shift: shift).normalize(text)
            try Self.checkPlausible(value, measurand: measurand, path: name)
            output.readings.append(Reading(
                series: context.series(evse: evse, connector: connector, measurand: measurand, phase: phase, location: .outlet),
                timestamp: timestamp, value: value, decimals: decimals, transactionId: transactionId))
        }
        func addPhases(_ field: V?, _ name: String, _ measurand: Measurand, _ phases: [Phase]) throws(DecodeError) {
            guard let field else { return }
            if field.kind != .array { return try add(field, name, measurand) }
            guard field.elementCount <= 3 else {
                throw DecodeError(.impossibleValue, path: name, "at most 3 phases, found \(field.elementCount)")
            }
            var caught: DecodeError?
            field.forEachElement { (i, element) in
                do throws(DecodeError) {
                    try add(element, "\(name)[\(i)]", measurand, phase: phases[i])
                } catch {
                    if caught == nil { caught = error }
                }
            }
            if let caught { throw caught }
        }

        if fields.energyWh != nil && fields.energyKWh != nil {
            throw DecodeError(.impossibleValue, path: "energy_kwh", "give energy_wh or energy_kwh, not both")
        }
        try add(fields.energyWh, "energy_wh", .energyActiveImportRegister)
        try add(fields.energyKWh, "energy_kwh", .energyActiveImportRegister, shift: 3)
        try add(fields.powerW, "power_w", .powerActiveImport)
        try add(fields.powerKW, "power_kw", .powerActiveImport, shift: 3)
        try addPhases(fields.current, "current_a", .currentImport, [.l1, .l2, .l3])
        try addPhases(fields.voltage, "voltage_v", .voltage, [.l1n, .l2n, .l3n])
        try add(fields.soc, "soc", .soc)
        try add(fields.temperature, "temperature_c", .temperature)
        try add(fields.frequency, "frequency_hz", .frequency)
        try add(fields.offeredW, "offered_w", .powerOffered)

        if let statusField = fields.status {
            let raw = try statusField.text("status")
            guard let status = Self.status16[raw] else {
                throw DecodeError(.unknownEnumValue, path: "status",
                                  "'\(raw)' is not one of \(Self.status16.keys.sorted().joined(separator: ", "))")
            }
            let errorCode = try fields.errorCode.map { (f) throws(DecodeError) in try f.text("error_code") }
            output.events.append(.status(StatusChange(
                origin: context.origin, evse: evse, connector: connector, timestamp: timestamp, timestampFromCharger: true,
                status: status, rawStatus: raw, errorCode: errorCode)))
        }
        if let eventField = fields.event {
            let raw = try eventField.text("event")
            let kind: TransactionEventKind
            switch raw {
            case "started": kind = .started
            case "ended": kind = .ended
            default: throw DecodeError(.unknownEnumValue, path: "event", "'\(raw)' is not one of started, ended")
            }
            guard let transactionId else { throw .missing("tx") }
            let register = output.readings.last { $0.series.measurand == .energyActiveImportRegister && $0.timestamp == timestamp }
            let idTag = try fields.idTag.map { (f) throws(DecodeError) in try f.text("id_tag") }
            let reason = try fields.reason.map { (f) throws(DecodeError) in try f.text("reason") }
            output.events.append(.transaction(TransactionEvent(
                origin: context.origin, kind: kind, evse: evse, connector: connector, timestamp: timestamp,
                transactionId: transactionId, idTag: idTag,
                meterStartWh: kind == .started ? register?.value : nil,
                meterStopWh: kind == .ended ? register?.value : nil,
                stopReason: reason)))
        }
    }
}

/// The members of a compact message, gathered in one pass.
struct CompactFields<V: JSONView> {
    var ts, evse, connector, energyWh, energyKWh, powerW, powerKW, current, voltage, soc, temperature: V?
    var frequency, offeredW, status, errorCode, tx, event, idTag, reason: V?

    mutating func take(_ name: UnsafeBufferPointer<UInt8>, _ field: V) throws(DecodeError) {
        if key(name, is: "ts") { ts = field }
        else if key(name, is: "evse") { evse = field }
        else if key(name, is: "connector") { connector = field }
        else if key(name, is: "energy_wh") { energyWh = field }
        else if key(name, is: "energy_kwh") { energyKWh = field }
        else if key(name, is: "power_w") { powerW = field }
        else if key(name, is: "power_kw") { powerKW = field }
        else if key(name, is: "current_a") { current = field }
        else if key(name, is: "voltage_v") { voltage = field }
        else if key(name, is: "soc") { soc = field }
        else if key(name, is: "temperature_c") { temperature = field }
        else if key(name, is: "frequency_hz") { frequency = field }
        else if key(name, is: "offered_w") { offeredW = field }
        else if key(name, is: "status") { status = field }
        else if key(name, is: "error_code") { errorCode = field }
        else if key(name, is: "tx") { tx = field }
        else if key(name, is: "event") { event = field }
        else if key(name, is: "id_tag") { idTag = field }
        else if key(name, is: "reason") { reason = field }
        else {
            throw DecodeError(.unknownField, path: String(decoding: name, as: UTF8.self),
                              "unknown field (the compact form has ts, evse, connector, energy_wh, energy_kwh, power_w, power_kw, current_a, voltage_v, soc, temperature_c, frequency_hz, offered_w, status, error_code, tx, event, id_tag, reason)")
        }
    }
}
