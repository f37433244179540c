import JSONTape

/// The session's JSON as the `sessions.record` column stores it, written by hand: the same document
/// `JSONEncoder` (sorted keys) makes of the `Codable` record — same keys, absent optionals left out, the curve by
/// column — and read back with `JSONDecoder`. Every open session's record is written at each commit, and
/// `JSONEncoder`'s generic path for the curve's arrays was the largest part of a replay's commit time; a test checks
/// that both encodings parse to the same document.
extension SessionRecord {
    /// The record as compact JSON text, keys in byte order.
    public func jsonText() -> String {
        var fields = RecordFields()
        fields.add("amended", amended)
        fields.add("anomalies", strings: anomalies)
        fields.add("averagePowerW", averagePowerW)
        fields.add("charger", charger)
        fields.add("chargerReportedEnergyWh", chargerReportedEnergyWh)
        fields.add("chargingEndedAt", chargingEndedAt)
        fields.add("chargingMs", chargingMs)
        fields.add("complete", complete)
        fields.add("connector", connector)
        fields.add("curve", raw: curve.jsonText())
        fields.add("duplicates", duplicates)
        fields.add("endReason", endReason?.rawValue)
        fields.add("endedAt", endedAt)
        fields.add("energyAfterStopWh", energyAfterStopWh)
        fields.add("energySource", energySource.rawValue)
        fields.add("energyWh", energyWh)
        fields.add("evse", evse)
        fields.add("id", id)
        fields.add("idTag", idTag)
        fields.add("idTagStatus", idTagStatus)
        fields.add("idleMs", idleMs)
        fields.add("integratedEnergyWh", integratedEnergyWh)
        fields.add("interruptedMs", interruptedMs)
        fields.add("interruptions", raw: "[" + interruptions.map { period in
            var w = RecordFields()
            w.add("end", period.end)
            w.add("start", period.start)
            return w.text()
        }.joined(separator: ",") + "]")
        fields.add("lateReadings", lateReadings)
        fields.add("limitedBy", limitedBy.rawValue)
        fields.add("meterStartWh", meterStartWh)
        fields.add("meterStopWh", meterStopWh)
        fields.add("offeredPowerW", offeredPowerW)
        fields.add("peakPowerW", peakPowerW)
        fields.add("phase", phase.rawValue)
        fields.add("pluggedAt", pluggedAt)
        fields.add("quality", Int64(quality.rawValue))
        fields.add("signedBegin", raw: signedBegin?.jsonText())
        fields.add("signedEnd", raw: signedEnd?.jsonText())
        fields.add("site", site)
        fields.add("socEnd", socEnd)
        fields.add("socStart", socStart)
        fields.add("start", start.rawValue)
        fields.add("startedAt", startedAt)
        fields.add("state", state.rawValue)
        fields.add("stopReason", stopReason)
        fields.add("suspendedEVMs", suspendedEVMs)
        fields.add("suspendedEVSEMs", suspendedEVSEMs)
        fields.add("taperSoC", taperSoC)
        fields.add("timeToFullS", timeToFullS)
        fields.add("transactionId", transactionId)
        fields.add("unpluggedAt", unpluggedAt)
        return fields.text()
    }
}

extension SignedReading {
    func jsonText() -> String {
        var w = RecordFields()
        w.add("data", data)
        w.add("encodingMethod", encodingMethod)
        w.add("publicKey", publicKey)
        w.add("signingMethod", signingMethod)
        w.add("timestamp", timestamp)
        return w.text()
    }
}

extension PowerCurve {
    /// `{"averageW":[...],"maxW":[...],"samples":[...],"soc":[...],"stepMs":...,"t":[...]}`.
    func jsonText() -> String {
        var text = "{"
        text.reserveCapacity(16 + points.count * 40)
        column("averageW", into: &text) { JSONObjectWriter.number($0.averageW) }
        column("maxW", into: &text) { JSONObjectWriter.number($0.maxW) }
        column("samples", into: &text) { String($0.samples) }
        column("soc", into: &text) { $0.soc.map(JSONObjectWriter.number) ?? "null" }
        text += "\"stepMs\":" + String(stepMs) + ","
        column("t", into: &text) { String($0.t) }
        text.removeLast()
        return text + "}"
    }

    /// `"name":[...],` with one element per point.
    private func column(_ name: String, into text: inout String, _ element: (CurvePoint) -> String) {
        text += "\"" + name + "\":["
        for (n, p) in points.enumerated() {
            if n > 0 { text += "," }
            text += element(p)
        }
        text += "],"
    }
}

/// Fields written in the order added (callers add them in byte order of their keys); nil values are left out.
private struct RecordFields {
    private var body = "{"

    private mutating func key(_ name: String) {
        if body.utf8.count > 1 { body += "," }
        body += "\"" + name + "\":"
    }

    mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONObjectWriter.appendString(value, to: &body)
    }

    mutating func add(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        body += String(value)
    }

    mutating func add(_ name: String, _ value: Int) { add(name, Int64(value)) }

    mutating func add(_ name: String, _ value: Double?) {
        guard let value else { return }
        key(name)
        body += JSONObjectWriter.number(value)
    }

    mutating func add(_ name: String, _ value: Bool) {
        key(name)
        body += value ? "true" : "false"
    }

    mutating func add(_ name: String, strings: [String]) {
        key(name)
        body += "["
        for (n, s) in strings.enumerated() {
            if n > 0 { body += "," }
            JSONObjectWriter.appendString(s, to: &body)
        }
        body += "]"
    }

    mutating func add(_ name: String, raw json: String?) {
        guard let json else { return }
        key(name)
        body += json
    }

    func text() -> String { body + "}" }
}
