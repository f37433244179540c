import Foundation
import Pipeline
import Recording
import Sessions
import Telemetry

/// 2026-11-21T08:00:00Z.
let t0: Int64 = 1_795_248_000_000

/// Event time `seconds` after t0.
func s(_ seconds: Int64) -> Int64 { t0 + seconds * 1_000 }

let site = "S1"

func series(_ m: Measurand, charger: String = "CP-1", evse: Int = 1, location: Location = .outlet,
            phase: Phase? = nil) -> Series {
    Series(site: site, charger: charger, evse: evse, connector: evse == 0 ? 0 : 1, measurand: m, phase: phase,
           location: location)
}

func reg(_ t: Int64, _ wh: Double, evse: Int = 1, tx: String? = nil, charger: String = "CP-1",
         context: ReadingContext = .samplePeriodic) -> Reading {
    Reading(series: series(.energyActiveImportRegister, charger: charger, evse: evse), timestamp: t, value: wh,
            decimals: 0, context: context, transactionId: tx)
}

func pwr(_ t: Int64, _ w: Double, evse: Int = 1, tx: String? = nil, charger: String = "CP-1") -> Reading {
    Reading(series: series(.powerActiveImport, charger: charger, evse: evse), timestamp: t, value: w, decimals: 0,
            transactionId: tx)
}

func soc(_ t: Int64, _ percent: Double, evse: Int = 1, tx: String? = nil) -> Reading {
    Reading(series: series(.soc, evse: evse, location: .ev), timestamp: t, value: percent, decimals: 0,
            transactionId: tx)
}

func status(_ t: Int64, _ st: ConnectorStatus, evse: Int = 1, charger: String = "CP-1") -> StatusChange {
    StatusChange(origin: Origin(site: site, charger: charger), evse: evse, connector: 1, timestamp: t,
                 timestampFromCharger: true, status: st, rawStatus: st.rawValue)
}

func txEvent(_ kind: TransactionEventKind, _ t: Int64, evse: Int = 1, tx: String? = nil, idTag: String? = "TAG-1",
             idTagStatus: String? = nil, meterStart: Double? = nil, meterStop: Double? = nil,
             reason: String? = nil, chargingState: String? = nil, offline: Bool = false,
             charger: String = "CP-1") -> TransactionEvent {
    TransactionEvent(origin: Origin(site: site, charger: charger), kind: kind, evse: evse, connector: 1, timestamp: t,
                     transactionId: tx, idTag: idTag, idTagStatus: idTagStatus, meterStartWh: meterStart,
                     meterStopWh: meterStop, stopReason: reason, offline: offline, chargingState: chargingState)
}

/// Drives a tracker; receive time is event time + 100 ms unless given.
struct Driver {
    var tracker: SessionTracker
    var events: [SessionEvent] = []
    var records: [SessionRecord] = []

    init(_ configuration: SessionConfiguration = SessionConfiguration()) {
        tracker = SessionTracker(configuration: configuration)
    }

    mutating func read(_ readings: Reading..., at receive: Int64? = nil) {
        for r in readings { tracker.process(r, receivedAt: receive ?? r.timestamp + 100) }
    }

    mutating func status(_ change: StatusChange, at receive: Int64? = nil) {
        tracker.process(change, receivedAt: receive ?? change.timestamp + 100)
    }

    mutating func tx(_ event: TransactionEvent, at receive: Int64? = nil) {
        tracker.process(event, receivedAt: receive ?? event.timestamp + 100)
    }

    mutating func advance(_ receive: Int64) {
        tracker.advance(to: receive)
    }

    /// Collects what the tracker produced so far.
    mutating func drain() {
        events += tracker.drainEvents()
        records += tracker.drainClosed()
    }

    /// The latest record drained for each session, in first-seen order.
    var latest: [SessionRecord] {
        var order: [String] = []
        var byId: [String: SessionRecord] = [:]
        for r in records {
            if byId[r.id] == nil { order.append(r.id) }
            byId[r.id] = r
        }
        return order.compactMap { byId[$0] }
    }

    func kinds(_ id: String? = nil) -> [SessionEventKind] {
        events.filter { id == nil || $0.sessionId == id }.map(\.kind)
    }
}

func approx(_ a: Double?, _ b: Double, tolerance: Double = 1e-6) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * Swift.max(1, abs(b))
}

// MARK: - Fixtures

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

struct DecodedMessage {
    var output: DecodeOutput
    var origin: Origin
    var receivedAt: Int64
}

/// Decodes a fixture through the shipped pipeline, as the runtime would.
func decodeFixture(_ name: String) throws -> [DecodedMessage] {
    let definition = try PipelineDefinition.load(path: repository.appendingPathComponent("Pipelines/default.yaml").path,
                                                 environment: [:])
    let reader = try FixtureReader(path: repository.appendingPathComponent("Fixtures/" + name).path)
    let decoder = TelemetryDecoder()
    var messages: [DecodedMessage] = []
    while let record = try reader.next() {
        var output = DecodeOutput()
        do throws(DecodeError) {
            let source = try definition.source(forTopic: record.message.topic)
            try decoder.decode(record.message, source: source, into: &output)
            messages.append(DecodedMessage(output: output, origin: source.origin, receivedAt: record.message.receivedAt))
        } catch {
            continue
        }
    }
    return messages
}

extension SessionTracker {
    mutating func feed(_ message: DecodedMessage) {
        noteContact(site: message.origin.site, charger: message.origin.charger, receivedAt: message.receivedAt)
        process(message.output, receivedAt: message.receivedAt)
    }
}
