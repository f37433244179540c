import Testing
import Telemetry

/// Decodes `text` with a fresh (or the given) decoder and returns the output or the rejection.
func decode(_ text: String, _ format: PayloadFormat = .ocppJ, decoder: TelemetryDecoder = TelemetryDecoder(),
            source: MessageSource? = nil, topic: String = "ocpp/CP-1/in", at time: Int64 = 1_795_262_405_000) -> Result<DecodeOutput, DecodeError> {
    var output = DecodeOutput()
    do throws(DecodeError) {
        try decoder.decode(Payloads.message(text, topic: topic, at: time), source: source ?? Payloads.source(format), into: &output)
        return .success(output)
    } catch {
        #expect(output.isEmpty, "a refused message must leave nothing behind")
        return .failure(error)
    }
}

func accepted(_ result: Result<DecodeOutput, DecodeError>, sourceLocation: SourceLocation = #_sourceLocation) throws -> DecodeOutput {
    switch result {
    case .success(let output): return output
    case .failure(let error):
        Issue.record("refused: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

func refused(_ result: Result<DecodeOutput, DecodeError>, sourceLocation: SourceLocation = #_sourceLocation) -> DecodeError? {
    switch result {
    case .success(let output):
        Issue.record("accepted: \(output)", sourceLocation: sourceLocation)
        return nil
    case .failure(let error): return error
    }
}

extension DecodeOutput {
    func reading(_ measurand: Measurand, phase: Phase? = nil) -> Reading? {
        readings.first { $0.series.measurand == measurand && $0.series.phase == phase }
    }

    var transactionEvents: [TransactionEvent] {
        events.compactMap { if case .transaction(let event) = $0 { event } else { nil } }
    }

    var statusChanges: [StatusChange] {
        events.compactMap { if case .status(let change) = $0 { change } else { nil } }
    }
}
