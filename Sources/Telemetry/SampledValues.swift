import JSONTape

/// The fields of one sampled value, shared by OCPP 1.6 (`value` as text, `unit`) and 2.0.1 (`value` as a number,
/// `unitOfMeasure {unit, multiplier}`, `signedMeterValue`).
struct SampledValueFields<V: JSONView> {
    var value: V?
    var context: V?
    var format: V?
    var measurand: V?
    var phase: V?
    var location: V?
    var unit: V?
    var multiplier: V?
    var signed: V?

    init(_ object: V) {
        object.forEachMember { (name, field) in
            switch name.count {
            case 4 where key(name, is: "unit"): unit = field
            case 5 where key(name, is: "value"): value = field
            case 5 where key(name, is: "phase"): phase = field
            case 6 where key(name, is: "format"): format = field
            case 7 where key(name, is: "context"): context = field
            case 8 where key(name, is: "location"): location = field
            case 9 where key(name, is: "measurand"): measurand = field
            case 13 where key(name, is: "unitOfMeasure"):
                field.forEachMember { (inner, part) in
                    if key(inner, is: "unit") { unit = part } else if key(inner, is: "multiplier") { multiplier = part }
                }
            case 16 where key(name, is: "signedMeterValue"): signed = field
            default: break
            }
        }
    }
}

/// Where the sampled values of one meterValue entry belong.
struct SampleTarget {
    var evse: Int
    var connector: Int
    var timestamp: Int64
    var transactionId: String?
}

extension TelemetryDecoder {
    /// Decodes `meterValue[]` (both versions), appending readings and signed values.
    func decodeMeterValueArray<V: JSONView>(_ array: V, evse: Int, connector: Int, transactionId: String?,
                                            _ context: DecodeContext, _ output: inout DecodeOutput,
                                            requireItems: Bool) throws(DecodeError) {
        try array.expect(.array, "")
        if requireItems && array.elementCount == 0 {
            throw DecodeError(.missingField, path: "", "must hold at least one meter value")
        }
        var caught: DecodeError?
        array.forEachElement { (i, entry) in
            guard caught == nil else { return }
            do throws(DecodeError) {
                try entry.expect(.object, "")
                var timestampField: V?
                var samples: V?
                entry.forEachMember { (name, field) in
                    if key(name, is: "timestamp") { timestampField = field } else if key(name, is: "sampledValue") { samples = field }
                }
                guard let timestampField else { throw .missing("timestamp") }
                let timestamp = try timestampField.timestamp("timestamp")
                guard let samples else { throw .missing("sampledValue") }
                try samples.expect(.array, "sampledValue")
                if samples.elementCount == 0 {
                    throw DecodeError(.missingField, path: "sampledValue", "must hold at least one sampled value")
                }
                let target = SampleTarget(evse: evse, connector: connector, timestamp: timestamp, transactionId: transactionId)
                var inner: DecodeError?
                samples.forEachElement { (j, sample) in
                    guard inner == nil else { return }
                    do throws(DecodeError) {
                        try decodeSampledValue(sample, target, context, &output)
                    } catch {
                        inner = error.under("sampledValue[\(j)]")
                    }
                }
                if let inner { throw inner }
            } catch {
                caught = error.under("[\(i)]")
            }
        }
        if let caught { throw caught }
    }

    func decodeSampledValue<V: JSONView>(_ sample: V, _ target: SampleTarget, _ context: DecodeContext,
                                         _ output: inout DecodeOutput) throws(DecodeError) {
        try sample.expect(.object, "")
        let fields = SampledValueFields(sample)
        var measurand = Measurand.energyActiveImportRegister
        if let field = fields.measurand {
            let parsed: Measurand?? = field.withStringBytes { Measurand.parse($0) }
            guard let parsed else { throw DecodeError(.wrongType, path: "measurand", "expected a string, found \(field.kind.name)") }
            guard let known = parsed else {
                throw DecodeError(.unknownMeasurand, path: "measurand", "'\(field.string ?? "")' is not an OCPP measurand")
            }
            measurand = known
        }
        let phase = try fields.phase.map { (field) throws(DecodeError) in try field.enumeration(Phase.self, "phase") }
        let location = try fields.location.map { (field) throws(DecodeError) in try field.enumeration(Location.self, "location") } ?? .outlet
        let readingContext = try fields.context.map { (field) throws(DecodeError) in
            try field.enumeration(ReadingContext.self, "context")
        } ?? .samplePeriodic
        let series = context.series(evse: target.evse, connector: target.connector, measurand: measurand, phase: phase,
                                    location: location)
        guard let valueField = fields.value else { throw .missing("value") }

        if let format = fields.format {
            guard format.isString("Raw") else {
                guard format.isString("SignedData") else {
                    throw DecodeError(.unknownEnumValue, path: "format", "'\(format.string ?? "")' is not one of Raw, SignedData")
                }
                // OCPP 1.6 signed meter data: the value is the signed blob, kept verbatim.
                output.signedValues.append(SignedMeterValue(
                    series: series, timestamp: target.timestamp, context: readingContext,
                    transactionId: target.transactionId, data: try valueField.text("value")))
                return
            }
        }

        var unit = MeterUnit.canonical(measurand.dimension)
        if let unitField = fields.unit {
            let parsed: MeterUnit?? = unitField.withStringBytes { MeterUnit.parse($0) }
            guard let parsed else { throw DecodeError(.wrongType, path: "unit", "expected a string, found \(unitField.kind.name)") }
            guard let known = parsed else {
                throw DecodeError(.unknownUnit, path: "unit", "'\(unitField.string ?? "")' is not a known unit")
            }
            guard known.dimension == measurand.dimension else {
                throw DecodeError(.unitMismatch, path: "unit",
                                  "'\(unitField.string ?? "")' does not measure \(measurand.rawValue) (expected \(measurand.dimension.canonicalUnit) or a multiple)")
            }
            unit = known
        }
        if measurand.dimension == .activeEnergy, let override = context.source.quirks.energyUnitOverride {
            unit = MeterUnit(.activeEnergy, shift: override == .kwh ? 3 : 0)
        }
        var multiplier: Int32 = 0
        if let field = fields.multiplier {
            multiplier = Int32(try field.integer("unitOfMeasure.multiplier", in: -9...9))
        }
        let text = try valueField.decimal("value")
        let (value, decimals) = unit.normalize(text, multiplier: multiplier)
        try Self.checkPlausible(value, measurand: measurand, path: "value")
        output.readings.append(Reading(series: series, timestamp: target.timestamp, value: value, decimals: decimals,
                                       context: readingContext, transactionId: target.transactionId))

        if let signed = fields.signed {
            try decodeSignedMeterValue(signed, series: series, target: target, readingContext, &output)
        }
    }

    /// OCPP 2.0.1 `signedMeterValue {signedMeterData, signingMethod, encodingMethod, publicKey}`.
    func decodeSignedMeterValue<V: JSONView>(_ object: V, series: Series, target: SampleTarget,
                                             _ readingContext: ReadingContext, _ output: inout DecodeOutput) throws(DecodeError) {
        try object.expect(.object, "signedMeterValue")
        var data: String?
        var signing: String?
        var encoding: String?
        var publicKey: String?
        var caught: DecodeError?
        object.forEachMember { (name, field) in
            do throws(DecodeError) {
                if key(name, is: "signedMeterData") { data = try field.text("signedMeterValue.signedMeterData") }
                else if key(name, is: "signingMethod") { signing = try field.text("signedMeterValue.signingMethod") }
                else if key(name, is: "encodingMethod") { encoding = try field.text("signedMeterValue.encodingMethod") }
                else if key(name, is: "publicKey") { publicKey = try field.text("signedMeterValue.publicKey") }
            } catch {
                caught = error
            }
        }
        if let caught { throw caught }
        guard let data else { throw .missing("signedMeterValue.signedMeterData") }
        output.signedValues.append(SignedMeterValue(
            series: series, timestamp: target.timestamp, context: readingContext, transactionId: target.transactionId,
            data: data, signingMethod: signing, encodingMethod: encoding, publicKey: publicKey))
    }

    /// Refuses values no meter can report: infinities, magnitudes beyond the dimension's range, negative registers.
    static func checkPlausible(_ value: Double, measurand: Measurand, path: @autoclosure () -> String) throws(DecodeError) {
        guard value.isFinite else {
            throw DecodeError(.nonFinite, path: path(), "\(value) is not a finite number")
        }
        let range = measurand.dimension.plausibleRange
        guard range.contains(value) else {
            throw DecodeError(.impossibleValue, path: path(),
                              "\(value) \(measurand.dimension.canonicalUnit) is impossible for \(measurand.rawValue) (plausible: \(range.lowerBound)…\(range.upperBound))")
        }
        if measurand.isRegister && value < 0 {
            throw DecodeError(.impossibleValue, path: path(), "a register cannot be negative (\(value))")
        }
    }
}
