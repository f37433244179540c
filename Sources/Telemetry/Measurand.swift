/// What a reading measures: the OCPP 1.6 / 2.0.1 measurands, by their OCPP names.
public enum Measurand: String, Sendable, CaseIterable, Codable, Hashable {
    case currentExport = "Current.Export"
    case currentImport = "Current.Import"
    case currentOffered = "Current.Offered"
    case energyActiveExportRegister = "Energy.Active.Export.Register"
    case energyActiveImportRegister = "Energy.Active.Import.Register"
    case energyReactiveExportRegister = "Energy.Reactive.Export.Register"
    case energyReactiveImportRegister = "Energy.Reactive.Import.Register"
    case energyActiveExportInterval = "Energy.Active.Export.Interval"
    case energyActiveImportInterval = "Energy.Active.Import.Interval"
    case energyActiveNet = "Energy.Active.Net"
    case energyReactiveExportInterval = "Energy.Reactive.Export.Interval"
    case energyReactiveImportInterval = "Energy.Reactive.Import.Interval"
    case energyReactiveNet = "Energy.Reactive.Net"
    case energyApparentNet = "Energy.Apparent.Net"
    case energyApparentImport = "Energy.Apparent.Import"
    case energyApparentExport = "Energy.Apparent.Export"
    case frequency = "Frequency"
    case powerActiveExport = "Power.Active.Export"
    case powerActiveImport = "Power.Active.Import"
    case powerFactor = "Power.Factor"
    case powerOffered = "Power.Offered"
    case powerReactiveExport = "Power.Reactive.Export"
    case powerReactiveImport = "Power.Reactive.Import"
    case rpm = "RPM"
    case soc = "SoC"
    case temperature = "Temperature"
    case voltage = "Voltage"

    /// The physical dimension, which fixes the canonical unit.
    public var dimension: Dimension {
        switch self {
        case .currentExport, .currentImport, .currentOffered: .current
        case .energyActiveExportRegister, .energyActiveImportRegister, .energyActiveExportInterval,
             .energyActiveImportInterval, .energyActiveNet: .activeEnergy
        case .energyReactiveExportRegister, .energyReactiveImportRegister, .energyReactiveExportInterval,
             .energyReactiveImportInterval, .energyReactiveNet: .reactiveEnergy
        case .energyApparentNet, .energyApparentImport, .energyApparentExport: .apparentEnergy
        case .frequency: .frequency
        case .powerActiveExport, .powerActiveImport, .powerOffered: .activePower
        case .powerReactiveExport, .powerReactiveImport: .reactivePower
        case .powerFactor: .ratio
        case .rpm: .rotation
        case .soc: .percent
        case .temperature: .temperature
        case .voltage: .voltage
        }
    }

    /// True for cumulative registers, which can never be negative and never go backwards within a session.
    public var isRegister: Bool {
        switch self {
        case .energyActiveExportRegister, .energyActiveImportRegister, .energyReactiveExportRegister,
             .energyReactiveImportRegister: true
        default: false
        }
    }

    /// Parses an OCPP measurand name from UTF-8 bytes, without allocating (`CaseNames`).
    @inlinable
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Measurand? {
        caseNames.match(bytes)
    }
}

/// Byte-for-byte equality of two buffers, eight bytes a step (the generic `elementsEqual` of two buffers goes a
/// byte at a time through the collection protocols): names against their raw values, topics against the route cache.
@inlinable
public func memcmpEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    let x = UnsafeRawBufferPointer(a), y = UnsafeRawBufferPointer(b)
    var k = 0
    while k &+ 8 <= x.count {
        if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
            return false
        }
        k &+= 8
    }
    while k < x.count {
        if x[k] != y[k] { return false }
        k &+= 1
    }
    return true
}

/// Physical dimensions and their canonical units.
public enum Dimension: String, Sendable, Codable {
    case activeEnergy, reactiveEnergy, apparentEnergy, activePower, reactivePower, apparentPower
    case current, voltage, frequency, percent, temperature, ratio, rotation

    /// The canonical unit every reading of this dimension is stored in.
    public var canonicalUnit: String {
        switch self {
        case .activeEnergy: "Wh"
        case .reactiveEnergy: "varh"
        case .apparentEnergy: "VAh"
        case .activePower: "W"
        case .reactivePower: "var"
        case .apparentPower: "VA"
        case .current: "A"
        case .voltage: "V"
        case .frequency: "Hz"
        case .percent: "%"
        case .temperature: "°C"
        case .ratio: ""
        case .rotation: "rpm"
        }
    }

    /// The range of plausible values in canonical units; a value outside is refused as impossible.
    public var plausibleRange: ClosedRange<Double> {
        switch self {
        case .activeEnergy, .reactiveEnergy, .apparentEnergy: -1e12...1e12  // 1 TWh
        case .activePower, .reactivePower, .apparentPower: -1e8...1e8  // 100 MW
        case .current: -1e5...1e5
        case .voltage: -1e5...1e5
        case .frequency: 0...1e4
        case .percent: 0...100
        case .temperature: -273.15...1000
        case .ratio: -1...1
        case .rotation: 0...1e6
        }
    }
}
