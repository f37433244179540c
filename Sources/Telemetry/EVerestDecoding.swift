import JSONTape

/// EVerest's native MQTT variables: `powermeter` (`{"data": {...}, "msg_type": "Var"}`) and the API module's
/// `session_info`. The charger comes from the topic (EVerest's per-charger prefix); EVSE and connector from the
/// topic's `{evse}`/`{connector}` when present, else 1.
extension TelemetryDecoder {
    func decodeEVerest<V: JSONView>(_ root: V, topic: String, _ context: DecodeContext,
                                    _ output: inout DecodeOutput) throws(DecodeError) {
        try root.expect(.object, "")
        var data: V?
        var hasMessageType = false
        root.forEachMember { (name, field) in
            if key(name, is: "data") { data = field } else if key(name, is: "msg_type") { hasMessageType = true }
        }
        let body = hasMessageType ? data : root
        guard let body else { throw .missing("data") }
        let prefix = hasMessageType ? "data" : ""
        try body.expect(.object, prefix)
        let isSessionInfo = topic.hasSuffix("session_info") || Self.has(body, "state")
        do {
            if isSessionInfo {
                output.messageType = "everest.session_info"
                try decodeSessionInfo(body, context, &output)
            } else {
                output.messageType = "everest.powermeter"
                try decodePowermeter(body, context, &output)
            }
        } catch {
            throw prefix.isEmpty ? error : error.under(prefix)
        }
    }

    static func has<V: JSONView>(_ object: V, _ name: StaticString) -> Bool {
        var found = false
        object.forEachMember { (k, _) in if key(k, is: name) { found = true } }
        return found
    }

    /// EVerest timestamps: RFC 3339 text, or a number of seconds since the epoch (seen in the wild).
    func everestTimestamp<V: JSONView>(_ field: V, _ path: String) throws(DecodeError) -> Int64 {
        if field.kind == .number {
            let seconds = try field.decimal(path)
            let ms = seconds.scaled(by: 3)
            guard ms.isFinite, ms >= 0, ms < 1e14 else {
                throw DecodeError(.badTimestamp, path: path, "\(ms / 1000) is not a plausible epoch time in seconds")
            }
            return Int64(ms.rounded(.down))
        }
        return try field.timestamp(path)
    }

    func decodePowermeter<V: JSONView>(_ body: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var timestampField: V?
        body.forEachMember { (name, field) in if key(name, is: "timestamp") { timestampField = field } }
        guard let timestampField else { throw .missing("timestamp") }
        let timestamp = try everestTimestamp(timestampField, "timestamp")
        let evse = context.source.evse ?? 1
        let connector = context.source.connector ?? 1
        // Groups and phases are read in a fixed order, so the readings come out the same whatever the member order.
        var groups = PowermeterGroups<V>()
        body.forEachMember { (name, field) in groups.take(name, field) }
        for (name, field, measurand, style) in groups.ordered {
            guard let field else { continue }
            try field.expect(.object, name)
            let phases = PowermeterGroups<V>.phases(of: field)
            // One call per phase, not a loop over an array literal of them (an allocation per group), and the
            // paths are made only for an error message.
            func emit(_ label: StaticString, _ value: V?, _ phase: Phase?) throws(DecodeError) {
                guard let value else { return }
                let text = try value.decimal("\(name).\(label)")
                let (number, decimals) = MeterUnit.canonical(measurand.dimension).normalize(text)
                try Self.checkPlausible(number, measurand: measurand, path: "\(name).\(label)")
                output.readings.append(Reading(
                    series: context.series(evse: evse, connector: connector, measurand: measurand, phase: phase,
                                           location: .outlet),
                    timestamp: timestamp, value: number, decimals: decimals))
            }
            try emit("total", phases.total, nil)
            try emit("DC", phases.dc, nil)
            try emit("L1", phases.l1, style == .line ? .l1 : .l1n)
            try emit("L2", phases.l2, style == .line ? .l2 : .l2n)
            try emit("L3", phases.l3, style == .line ? .l3 : .l3n)
            try emit("N", phases.n, .n)
        }
    }

    enum PhaseStyle { case line, lineToNeutral }

    static let everestStates: [String: ConnectorStatus] = [
        "Unplugged": .available, "Disabled": .unavailable, "Preparing": .preparing, "AuthRequired": .preparing,
        "WaitingForEnergy": .preparing, "Charging": .charging, "ChargingPausedEV": .suspendedEV,
        "ChargingPausedEVSE": .suspendedEVSE, "Finished": .finishing, "Error": .faulted, "PermanentFault": .faulted,
    ]

    func decodeSessionInfo<V: JSONView>(_ body: V, _ context: DecodeContext, _ output: inout DecodeOutput) throws(DecodeError) {
        var state: String?
        var energy: Double?
        var duration: Double?
        var power: (Double, Int16)?
        var timestamp: Int64?
        var caught: DecodeError?
        body.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "state") { state = try field.text("state") }
                else if key(name, is: "charged_energy_wh") { energy = try field.decimal("charged_energy_wh").scaled(by: 0) }
                else if key(name, is: "charging_duration_s") { duration = try field.decimal("charging_duration_s").scaled(by: 0) }
                else if key(name, is: "latest_total_w") {
                    let text = try field.decimal("latest_total_w")
                    power = (text.scaled(by: 0), text.decimals(scaledBy: 0))
                } else if key(name, is: "timestamp") || key(name, is: "datetime") {
                    timestamp = try everestTimestamp(field, String(decoding: name, as: UTF8.self))
                }
            } catch {
                if caught == nil { caught = error }
            }
        }
        if let caught { throw caught }
        guard let state else { throw .missing("state") }
        guard let status = Self.everestStates[state] else {
            throw DecodeError(.unknownEnumValue, path: "state",
                              "'\(state)' is not one of \(Self.everestStates.keys.sorted().joined(separator: ", "))")
        }
        if let energy { try Self.checkPlausible(energy, measurand: .energyActiveImportInterval, path: "charged_energy_wh") }
        let evse = context.source.evse ?? 1
        let connector = context.source.connector ?? 1
        let time = timestamp ?? context.receivedAt
        // `latest_total_w` repeats the powermeter's reading (same series, often the same instant, rounded
        // differently): storing it too would make conflicts. It is checked, not stored; the powermeter is the meter.
        if let (watts, _) = power {
            try Self.checkPlausible(watts, measurand: .powerActiveImport, path: "latest_total_w")
        }
        output.events.append(.status(StatusChange(
            origin: context.origin, evse: evse, connector: connector, timestamp: time,
            timestampFromCharger: timestamp != nil, status: status, rawStatus: state, chargingState: state,
            sessionEnergyWh: energy, chargingDurationSeconds: duration)))
    }
}

/// The measurement groups of an EVerest `powermeter` value, gathered in one pass.
struct PowermeterGroups<V: JSONView> {
    var energyImport, energyExport, power, voltage, current, frequency: V?

    mutating func take(_ name: UnsafeBufferPointer<UInt8>, _ field: V) {
        if key(name, is: "energy_Wh_import") { energyImport = field }
        else if key(name, is: "energy_Wh_export") { energyExport = field }
        else if key(name, is: "power_W") { power = field }
        else if key(name, is: "voltage_V") { voltage = field }
        else if key(name, is: "current_A") { current = field }
        else if key(name, is: "frequency_Hz") { frequency = field }
    }

    typealias Group = (String, V?, Measurand, TelemetryDecoder.PhaseStyle)

    var ordered: [Group] {
        [("energy_Wh_import", energyImport, .energyActiveImportRegister, .line),
         ("energy_Wh_export", energyExport, .energyActiveExportRegister, .line),
         ("power_W", power, .powerActiveImport, .line),
         ("voltage_V", voltage, .voltage, .lineToNeutral),
         ("current_A", current, .currentImport, .line),
         ("frequency_Hz", frequency, .frequency, .line)]
    }

    struct Phases {
        var total, dc, l1, l2, l3, n: V?
    }

    static func phases(of group: V) -> Phases {
        var phases = Phases()
        group.forEachMember { (name, value) in
            if key(name, is: "total") { phases.total = value }
            else if key(name, is: "DC") { phases.dc = value }
            else if key(name, is: "L1") { phases.l1 = value }
            else if key(name, is: "L2") { phases.l2 = value }
            else if key(name, is: "L3") { phases.l3 = value }
            else if key(name, is: "N") { phases.n = value }
        }
        return phases
    }
}
