import JSONTape

/// The session's JSON as the `sessions.record` column stores it, written by hand: the same document
/// `JSONEncoder` (sorted keys) makes of the `Codable` record — same keys, absent optionals left out, the curve by
/// column — and read back with `JSONDecoder`. Every open session's record is written at each commit, and
/// `JSONEncoder`'s generic path for the curve's arrays was the largest part of a replay's commit time; a test checks
/// that both encodings parse to the same document.
extension SessionRecord {
    /// The record as compact JSON text, keys in byte order.
    public func jsonText() -> String {
        var fields = JSONObjectWriter()
        fields.field("amended", amended)
        fields.field("anomalies", raw: Self.jsonArray(anomalies))
        fields.field("averagePowerW", averagePowerW)
        fields.field("charger", charger)
        fields.field("chargerReportedEnergyWh", chargerReportedEnergyWh)
        fields.field("chargingEndedAt", chargingEndedAt)
        fields.field("chargingMs", chargingMs)
        fields.field("complete", complete)
        fields.field("connector", connector)
        fields.field("curve", raw: curve.jsonText())
        fields.field("duplicates", duplicates)
        fields.field("endReason", endReason?.rawValue)
        fields.field("endedAt", endedAt)
        fields.field("energyAfterStopWh", energyAfterStopWh)
        fields.field("energySource", energySource.rawValue)
        fields.field("energyWh", energyWh)
        fields.field("evse", evse)
        fields.field("id", id)
        fields.field("idTag", idTag)
        fields.field("idTagStatus", idTagStatus)
        fields.field("idleMs", idleMs)
        fields.field("integratedEnergyWh", integratedEnergyWh)
        fields.field("interruptedMs", interruptedMs)
        fields.field("interruptions", raw: "[" + interruptions.map { period in
            var w = JSONObjectWriter()
            w.field("end", period.end)
            w.field("start", period.start)
            return w.finish()
        }.joined(separator: ",") + "]")
        fields.field("lateReadings", lateReadings)
        fields.field("limitedBy", limitedBy.rawValue)
        fields.field("meterStartWh", meterStartWh)
        fields.field("meterStopWh", meterStopWh)
        fields.field("offeredPowerW", offeredPowerW)
        fields.field("peakPowerW", peakPowerW)
        fields.field("phase", phase.rawValue)
        fields.field("pluggedAt", pluggedAt)
        fields.field("quality", Int64(quality.rawValue))
        if let signedBegin { fields.field("signedBegin", raw: signedBegin.jsonText()) }
        if let signedEnd { fields.field("signedEnd", raw: signedEnd.jsonText()) }
        fields.field("site", site)
        fields.field("socEnd", socEnd)
        fields.field("socStart", socStart)
        fields.field("start", start.rawValue)
        fields.field("startedAt", startedAt)
        fields.field("state", state.rawValue)
        fields.field("stopReason", stopReason)
        fields.field("suspendedEVMs", suspendedEVMs)
        fields.field("suspendedEVSEMs", suspendedEVSEMs)
        fields.field("taperSoC", taperSoC)
        fields.field("timeToFullS", timeToFullS)
        fields.field("transactionId", transactionId)
        fields.field("unpluggedAt", unpluggedAt)
        return fields.finish()
    }

    /// A JSON array of strings.
    private static func jsonArray(_ strings: [String]) -> String {
        var text = "["
        for (n, string) in strings.enumerated() {
            if n > 0 { text += "," }
            JSONObjectWriter.appendString(string, to: &text)
        }
        return text + "]"
    }
}

extension SignedReading {
    func jsonText() -> String {
        var w = JSONObjectWriter()
        w.field("data", data)
        w.field("encodingMethod", encodingMethod)
        w.field("publicKey", publicKey)
        w.field("signingMethod", signingMethod)
        w.field("timestamp", timestamp)
        return w.finish()
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
