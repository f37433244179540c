import Anomalies
import Foundation
import Pipeline
import Sessions
import Telemetry
import Testing

/// 2026-11-21T08:00:00Z.
let t0: Int64 = 1_795_248_000_000

/// Event time `seconds` after t0.
func s(_ seconds: Int64) -> Int64 { t0 + seconds * 1_000 }

let site = "S1"

/// S1 (22 kW grid limit, 4.6 kVA imbalance limit): CP-1 AC 3-phase 11 kW (offline after 2 min), CP-2 AC 1-phase
/// 7.4 kW, DC-1 DC 50 kW. S2 has no limits.
func testFleet() -> Fleet {
    let utc = TimeZone(identifier: "UTC")!
    return Fleet(
        sites: [Site(id: "S1", timeZone: utc, gridLimitKW: 22, phaseImbalanceLimitKVA: 4.6),
                Site(id: "S2", timeZone: utc)],
        chargers: [
            Charger(id: "CP-1", site: "S1", offlineAfter: .seconds(120), evses: [
                EVSE(id: 1, connectors: [Connector(id: 1, standard: .type2, powerType: .ac3Phase, ratedPowerKW: 11)]),
            ]),
            Charger(id: "CP-2", site: "S1", evses: [
                EVSE(id: 1, connectors: [Connector(id: 1, standard: .type2, powerType: .ac1Phase, ratedPowerKW: 7.4)]),
            ]),
            Charger(id: "DC-1", site: "S1", evses: [
                EVSE(id: 1, connectors: [Connector(id: 1, standard: .type2, powerType: .dc, ratedPowerKW: 50)]),
            ]),
        ])
}

func series(_ m: Measurand, charger: String = "CP-1", evse: Int = 1, phase: Phase? = nil,
            location: Location = .outlet, site: String = site) -> Series {
    Series(site: site, charger: charger, evse: evse, connector: evse == 0 ? 0 : 1, measurand: m, phase: phase,
           location: location)
}

func reading(_ m: Measurand, _ t: Int64, _ v: Double, charger: String = "CP-1", evse: Int = 1, phase: Phase? = nil,
             location: Location = .outlet, decimals: Int16 = 0, context: ReadingContext = .samplePeriodic,
             site: String = site) -> Reading {
    Reading(series: series(m, charger: charger, evse: evse, phase: phase, location: location, site: site),
            timestamp: t, value: v, decimals: decimals, context: context)
}

func reg(_ t: Int64, _ wh: Double, charger: String = "CP-1", decimals: Int16 = 0,
         context: ReadingContext = .samplePeriodic) -> Reading {
    reading(.energyActiveImportRegister, t, wh, charger: charger, decimals: decimals, context: context)
}

func pwr(_ t: Int64, _ w: Double, charger: String = "CP-1", phase: Phase? = nil) -> Reading {
    reading(.powerActiveImport, t, w, charger: charger, phase: phase)
}

func status(_ t: Int64, _ st: ConnectorStatus, charger: String = "CP-1", evse: Int = 1,
            errorCode: String? = nil) -> StatusChange {
    StatusChange(origin: Origin(site: site, charger: charger), evse: evse, connector: 1, timestamp: t,
                 timestampFromCharger: true, status: st, rawStatus: st.rawValue, errorCode: errorCode)
}

/// Drives a detector; receive time is event time + 100 ms unless given.
struct Harness {
    var detector: AnomalyDetector
    var out: [AnomalyTransition] = []

    init(_ configure: (inout AnomalyConfiguration) -> Void = { _ in }) {
        var configuration = AnomalyConfiguration()
        configuration.updateIntervalMs = 0
        configure(&configuration)
        detector = AnomalyDetector(configuration: configuration, fleet: testFleet())
    }

    mutating func feed(_ r: Reading, receivedAt: Int64? = nil) {
        detector.process(r, receivedAt: receivedAt ?? r.timestamp + 100)
        out += detector.drainTransitions()
    }

    mutating func feed(_ readings: [Reading]) {
        for r in readings { feed(r) }
    }

    mutating func feed(_ change: StatusChange, receivedAt: Int64? = nil) {
        detector.process(change, receivedAt: receivedAt ?? change.timestamp + 100)
        out += detector.drainTransitions()
    }

    mutating func feed(_ event: SessionEvent) {
        detector.process(event)
        out += detector.drainTransitions()
    }

    mutating func advance(to r: Int64) {
        detector.advance(to: r)
        out += detector.drainTransitions()
        // The count the worker's gauge reads agrees with the open anomalies themselves, whatever the rule did.
        #expect(detector.openAnomalyCount == detector.openAnomalies.count)
    }

    func of(_ kind: AnomalyKind) -> [AnomalyTransition] { out.filter { $0.anomaly.kind == kind } }
    func kinds(_ transition: AnomalyTransitionKind, _ kind: AnomalyKind) -> [Anomaly] {
        out.filter { $0.kind == transition && $0.anomaly.kind == kind }.map(\.anomaly)
    }
}

/// Checks that exactly one anomaly of `kind` opened and, if `resolvedAt` is given, resolved; returns it.
@discardableResult
func expectOne(_ h: Harness, _ kind: AnomalyKind, startedAt: Int64, resolvedAt: Int64?, value: Double? = nil,
               sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Anomaly? {
    let opened = h.kinds(.opened, kind)
    #expect(opened.count == 1, "opened \(kind): \(opened.count)", sourceLocation: sourceLocation)
    guard let a = opened.first else { return nil }
    #expect(a.startedAt == startedAt, sourceLocation: sourceLocation)
    let resolved = h.kinds(.resolved, kind)
    if let resolvedAt {
        #expect(resolved.count == 1, sourceLocation: sourceLocation)
        #expect(resolved.first?.resolvedAt == resolvedAt, sourceLocation: sourceLocation)
        #expect(resolved.first?.id == a.id, sourceLocation: sourceLocation)
    } else {
        #expect(resolved.isEmpty, sourceLocation: sourceLocation)
    }
    if let value {
        let final = resolved.first ?? h.of(kind).last!.anomaly
        #expect(abs(final.value - value) < 1e-6, "value \(final.value) != \(value)", sourceLocation: sourceLocation)
    }
    return resolved.first ?? a
}

/// A steady charging stream on CP-1: register (1 Wh resolution) and total power every 10 s, consistent.
func steadyCharging(from start: Int64 = 0, seconds: Int64, watts: Double = 7_000, startWh: Double = 10_000,
                    charger: String = "CP-1") -> [Reading] {
    var out: [Reading] = []
    var k: Int64 = start
    while k <= start + seconds {
        let wh = (startWh + watts * Double(k - start) / 3_600).rounded(.down)
        out.append(reg(s(k), wh, charger: charger))
        out.append(pwr(s(k), watts, charger: charger))
        k += 10
    }
    return out
}
