/// What a connector's meter reads at one instant, in the integer steps meters print: tenths of a volt, hundredths
/// of an ampere, whole watts. Energy registers stay exact here; each protocol rounds them down to its own step, so
/// they never run backwards.
struct MeterSample: Sendable {
    var timestamp: Int64
    /// The connector's lifetime import register, Wh.
    var registerWh: Double
    /// The register per wired phase (AC only; EVerest reports them).
    var phaseRegistersWh: [Double]
    /// Active power, W: the sum of the phases' voltage × current (AC), or voltage × current (DC).
    var powerW: Int64
    /// Per wired phase (AC only).
    var phasePowerW: [Int64]
    /// Per wired phase for AC (L1, L2, L3), one value for DC.
    var currentCentiamps: [Int64]
    /// Phase to neutral per wired phase for AC, the output voltage for DC.
    var voltageDecivolts: [Int64]
    /// The car's state of charge, whole percent (DC during a session only).
    var socPercent: Int?
    /// Grid frequency, hundredths of a hertz (AC only; 0 for DC).
    var frequencyCentihertz: Int64
    var isDC: Bool

    /// The register in whole Wh, as OCPP's `meterStart`/`meterStop` carry it.
    var registerWholeWh: Int64 { Int64(registerWh.rounded(.down)) }
}
