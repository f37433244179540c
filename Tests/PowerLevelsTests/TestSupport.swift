import PowerLevels
import Telemetry

/// 2026-11-20 (or so) at an exact 15-minute boundary: 1_795_248_000_000 = 1_994_720 × 900_000.
let t0: Int64 = 1_795_248_000_000
let quarter: Int64 = 900_000

func s(_ seconds: Int64) -> Int64 { t0 + seconds * 1_000 }

func series(_ measurand: Measurand, _ phase: Phase? = nil, site: String = "S1", charger: String = "CP-1",
            evse: Int = 1) -> Series {
    Series(site: site, charger: charger, evse: evse, connector: evse == 0 ? 0 : 1, measurand: measurand, phase: phase)
}

func power(_ phase: Phase? = nil, site: String = "S1", charger: String = "CP-1", evse: Int = 1,
           at ms: Int64, _ watts: Double) -> Reading {
    Reading(series: series(.powerActiveImport, phase, site: site, charger: charger, evse: evse), timestamp: ms,
            value: watts, decimals: 0)
}

func register(site: String = "S1", charger: String = "CP-1", evse: Int = 1, at ms: Int64, _ wh: Double) -> Reading {
    Reading(series: series(.energyActiveImportRegister, site: site, charger: charger, evse: evse), timestamp: ms,
            value: wh, decimals: 0)
}

extension PowerLevelProcessor {
    mutating func id(site: String = "S1", _ charger: String = "CP-1", evse: Int = 1) -> ConnectorID {
        connector(ConnectorIdentity(site: site, charger: charger, evse: evse, connector: evse == 0 ? 0 : 1))
    }

    mutating func feed(_ readings: [Reading]) {
        for r in readings { ingest(r) }
    }
}

func approx(_ a: Double?, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * Swift.max(1, abs(b))
}

extension [PowerInterval] {
    func connector(_ charger: String = "CP-1", evse: Int = 1, start: Int64) -> PowerInterval? {
        first { ($0.level == .connector || $0.level == .mainMeter) && $0.charger == charger && $0.evse == evse
            && $0.start == start }
    }

    func group(_ level: IntervalLevel, charger: String? = nil, start: Int64) -> PowerInterval? {
        first { $0.level == level && $0.charger == charger && $0.start == start }
    }
}
