/// A fixed, documented model of what EV-charger meters report, for measuring the chunk codec on realistic data
/// (`docs/chunk-codec.md` § "Noise model"). Deterministic: the same seed gives the same streams everywhere.
///
/// The resolutions are those meters print, and the noise amplitudes those `ConnectorSimulation` uses:
/// - Fleet: 70 % AC chargers (two Type 2 connectors, three phases, 11 or 22 kW), 30 % DC (two connectors, 50 or
///   150 kW). Every charger reports on its own regular interval, a whole number of seconds from 1 to 10.
/// - Timestamps: milliseconds. Half the chargers (drawn per charger) stamp each reading a few milliseconds after its
///   schedule (uniform 0 ... J ms, J drawn per charger from 2 ... 20); the others on whole seconds.
/// - Voltage, 0.1 V steps: AC, per phase, the site's grid voltage (230 V ± 1.5 V, fixed per site) plus a phase offset
///   (± 1.5 V) plus noise: a bounded normal of σ 0.8 V (±2.8 V at most). An idle AC connector still reports it.
///   DC: the car's pack voltage while charging (≈ 360 ... 420 V or 720 ... 820 V by state of charge) with the same
///   noise, 0 V when idle.
/// - Current, 0.01 A steps: per phase (AC) or one value (DC), the target current plus uniform noise of ±0.03 A
///   (AC) or ±0.05 A (DC); 0 when idle.
/// - Power: voltage × current as the meter multiplies it, rounded to 1 W (AC, the sum over phases) or to 0.1 W (DC).
/// - Energy register: Wh, integer, monotonic, the integral of power over time rounded down (it never runs
///   backwards); frozen while idle.
/// - State of charge: whole percent, DC only, reported only during a session.
/// - Sessions: an idle connector gets a car after an exponential wait (mean 90 min AC, 40 min DC); an AC session
///   lasts 1 ... 4 h at 95 ... 99 % of the rated current, a DC session charges from 10 ... 45 % to 80 ... 100 %,
///   full power to a knee at 50 ... 60 %, then falling linearly to a fifth of it at 100 %.
///
/// Each series is one measurand (and phase) of one connector, as the chunk store keeps them.
public struct MeterNoiseModel: Sendable {
    public struct Series: Sendable {
        public var charger: String
        public var connector: Int
        /// OCPP measurand name: Voltage, Current.Import, Power.Active.Import, Energy.Active.Import.Register, SoC.
        public var measurand: String
        /// "L1", "L2", "L3" for AC per-phase series, nil otherwise.
        public var phase: String?
        /// Decimal places the meter prints (Voltage 1, Current 2, AC power 0, DC power 1, energy 0, SoC 0).
        public var decimals: Int
        public var timestamps: [Int64] = []
        /// The reading in integer steps of 10^-decimals (230.4 V is 2304).
        public var steps: [Int64] = []

        /// The readings as the meter prints them, as `Double`s (230.4, not 230.39999...).
        public var values: [Double] {
            let scale = Self.scales[decimals]
            return steps.map { Double($0) / scale }
        }

        static let scales: [Double] = [1, 10, 100, 1000]
    }

    public var seed: UInt64
    public var chargers: Int
    /// First reading time, ms since the epoch.
    public var start: Int64
    public var durationMs: Int64

    public init(seed: UInt64 = 2026, chargers: Int = 10, start: Int64 = 1_795_270_400_000, durationMs: Int64 = 6 * 3_600_000) {
        self.seed = seed
        self.chargers = chargers
        self.start = start
        self.durationMs = durationMs
    }

    /// Every series of the fleet over the model's time span.
    public func generate() -> [Series] {
        var all: [Series] = []
        for index in 0..<chargers { all += generateCharger(index) }
        return all
    }

    private struct Connector {
        var registerWh: Double
        var sessionEnd: Int64 = 0
        var nextArrival: Int64
        var ampsTarget: Double = 0
        var phasesUsed = 0
        var socStart = 0.0
        var socEnd = 0.0
        var sessionStart: Int64 = 0
        var knee = 0.55
        var packHigh = false
        var capacityWh = 60_000.0
        var soc = 0.0
    }

    private func generateCharger(_ index: Int) -> [Series] {
        var random = SimulationRandom(seed: seed, stream: RandomStream.meter, 0xC0DEC, UInt64(index))
        let number = String(index + 1)
        let name = "CP-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
        let isDC = random.chance(0.3)
        let ratedW = isDC ? (random.chance(0.5) ? 50_000.0 : 150_000.0) : (random.chance(0.5) ? 11_000.0 : 22_000.0)
        let ratedA = isDC ? (ratedW == 50_000 ? 125.0 : 300.0) : ratedW / 3 / 230
        let interval = Int64(random.integer(1...10)) * 1000
        let jitter = random.chance(0.5) ? random.integer(2...20) : -1
        let gridDecivolts = 2300 + Int64(random.integer(-15...15))
        var series: [Series] = []
        var connectors: [Connector] = []
        for connector in 1...2 {
            let register = isDC ? random.uniform(5_000_000...300_000_000) : random.uniform(200_000...20_000_000)
            let wait = Int64(random.exponential(mean: isDC ? 2_400 : 5_400) * 1000)
            connectors.append(Connector(registerWh: register.rounded(.down), nextArrival: start + wait))
            func add(_ measurand: String, _ phase: String?, _ decimals: Int) {
                series.append(Series(charger: name, connector: connector, measurand: measurand, phase: phase, decimals: decimals))
            }
            if isDC {
                add("Voltage", nil, 1); add("Current.Import", nil, 2); add("Power.Active.Import", nil, 1)
                add("Energy.Active.Import.Register", nil, 0); add("SoC", nil, 0)
            } else {
                for phase in ["L1", "L2", "L3"] { add("Voltage", phase, 1) }
                for phase in ["L1", "L2", "L3"] { add("Current.Import", phase, 2) }
                add("Power.Active.Import", nil, 0); add("Energy.Active.Import.Register", nil, 0)
            }
        }
        let perConnector = isDC ? 5 : 8
        let phaseOffsets = (0..<3).map { _ in Int64(random.integer(-15...15)) }
        var time = start
        var previousTime = start
        while time < start + durationMs {
            let stamp = time + (jitter >= 0 ? Int64(random.integer(0...jitter)) : 0)
            for c in 0..<2 {
                var state = connectors[c]
                // Sessions start and end on the schedule's ticks.
                if time >= state.sessionEnd && state.sessionEnd > state.sessionStart && state.sessionEnd != 0 {
                    state.sessionStart = 0
                    state.sessionEnd = 0
                    state.nextArrival = time + Int64(random.exponential(mean: isDC ? 2_400 : 5_400) * 1000)
                }
                if state.sessionEnd == 0 && time >= state.nextArrival {
                    state.sessionStart = time
                    if isDC {
                        state.socStart = random.uniform(0.10...0.45)
                        state.socEnd = random.uniform(0.8...1.0)
                        state.soc = state.socStart
                        state.knee = random.uniform(0.5...0.6)
                        state.packHigh = random.chance(0.3)
                        state.capacityWh = random.uniform(40_000...100_000)
                        state.sessionEnd = Int64.max - 1
                    } else {
                        state.phasesUsed = random.chance(0.2) ? 1 : 3
                        state.ampsTarget = min(ratedA, 16 + random.uniform(0...16)) * random.uniform(0.95...0.99)
                        state.sessionEnd = time + Int64(random.uniform(3_600...14_400) * 1000)
                    }
                }
                let charging = state.sessionEnd != 0
                let base = c * perConnector
                let dt = Double(time - previousTime) / 3_600_000
                if isDC {
                    var volts: Int64 = 0, amps: Int64 = 0, deciwatts: Int64 = 0
                    if charging {
                        let soc = state.soc
                        let pack = (state.packHigh ? 720 : 360) + soc * (state.packHigh ? 100 : 60)
                        let powerW = soc < state.knee ? ratedW : ratedW * (1 - 0.8 * (soc - state.knee) / (1 - state.knee))
                        volts = Int64((pack * 10 + random.normal() * 8).rounded())
                        amps = min(Int64(ratedA * 100), max(0, Int64((powerW / pack * 100).rounded()) + Int64(random.integer(-5...5))))
                        deciwatts = (volts * amps + 50) / 100
                        state.soc += Double(deciwatts) / 10 * Double(interval) / 3_600_000 / state.capacityWh
                        if state.soc >= state.socEnd {
                            state.sessionEnd = time
                            state.sessionStart = time - 1
                        }
                    }
                    state.registerWh += Double(deciwatts) / 10 * dt
                    let readings = [volts, amps, deciwatts, Int64(state.registerWh.rounded(.down))]
                    for (k, reading) in readings.enumerated() {
                        series[base + k].timestamps.append(stamp)
                        series[base + k].steps.append(reading)
                    }
                    if charging {
                        series[base + 4].timestamps.append(stamp)
                        series[base + 4].steps.append(Int64(min(state.soc, 1) * 100))
                    }
                } else {
                    var watts: Int64 = 0
                    for phase in 0..<3 {
                        let volts = gridDecivolts + phaseOffsets[phase] + Int64((random.normal() * 8).rounded())
                        var amps: Int64 = 0
                        if charging && phase < state.phasesUsed {
                            amps = max(0, Int64((state.ampsTarget * 100).rounded()) + Int64(random.integer(-3...3)))
                        }
                        watts += (volts * amps + 500) / 1000
                        series[base + phase].timestamps.append(stamp)
                        series[base + phase].steps.append(volts)
                        series[base + 3 + phase].timestamps.append(stamp)
                        series[base + 3 + phase].steps.append(amps)
                    }
                    state.registerWh += Double(watts) * dt
                    series[base + 6].timestamps.append(stamp)
                    series[base + 6].steps.append(watts)
                    series[base + 7].timestamps.append(stamp)
                    series[base + 7].steps.append(Int64(state.registerWh.rounded(.down)))
                }
                connectors[c] = state
            }
            previousTime = time
            time += interval
        }
        return series
    }

    // MARK: - JSON Lines

    /// Every sample of `series` as one compact JSON Lines record each, in time order across series (as a raw log
    /// would hold them), e.g.
    /// `{"charger":"CP-0001","connector":1,"measurand":"Voltage","phase":"L1","ts":"2026-11-21T14:00:00.123Z","value":230.4}`.
    public static func jsonLines(_ series: [Series]) -> [UInt8] {
        var order: [(time: Int64, series: Int32, index: Int32)] = []
        order.reserveCapacity(series.reduce(0) { $0 + $1.timestamps.count })
        for (s, one) in series.enumerated() {
            for (i, t) in one.timestamps.enumerated() { order.append((t, Int32(s), Int32(i))) }
        }
        order.sort { ($0.time, $0.series) < ($1.time, $1.series) }
        var out: [UInt8] = []
        out.reserveCapacity(order.count * 120)
        let prefixes = series.map { one -> [UInt8] in
            var text = "{\"charger\":\"\(one.charger)\",\"connector\":\(one.connector),\"measurand\":\"\(one.measurand)\""
            if let phase = one.phase { text += ",\"phase\":\"\(phase)\"" }
            text += ",\"ts\":\""
            return Array(text.utf8)
        }
        for entry in order {
            let one = series[Int(entry.series)]
            out += prefixes[Int(entry.series)]
            appendTimestamp(entry.time, to: &out)
            out += Array("\",\"value\":".utf8)
            appendFixed(one.steps[Int(entry.index)], decimals: one.decimals, to: &out)
            out += [UInt8(ascii: "}"), UInt8(ascii: "\n")]
        }
        return out
    }

    /// `2026-11-21T14:00:00.123Z`.
    static func appendTimestamp(_ ms: Int64, to out: inout [UInt8]) {
        let days = Int64((Double(ms) / 86_400_000).rounded(.down))
        let inDay = ms - days * 86_400_000
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ count: Int) {
            var buffer = [UInt8](repeating: UInt8(ascii: "0"), count: count)
            var rest = value
            for position in stride(from: count - 1, through: 0, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out += buffer
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T")); digits(inDay / 3_600_000, 2); out.append(UInt8(ascii: ":"))
        digits(inDay / 60_000 % 60, 2); out.append(UInt8(ascii: ":")); digits(inDay / 1000 % 60, 2)
        out.append(UInt8(ascii: ".")); digits(inDay % 1000, 3); out.append(UInt8(ascii: "Z"))
    }

    /// `steps × 10^-decimals` printed the way a meter does: 230.4, 16.02, 7368.
    static func appendFixed(_ steps: Int64, decimals: Int, to out: inout [UInt8]) {
        if steps < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = steps.magnitude
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        out += Array(String(magnitude / scale).utf8)
        if decimals > 0 {
            let fraction = String(magnitude % scale)
            out.append(UInt8(ascii: "."))
            out += Array(repeating: UInt8(ascii: "0"), count: decimals - fraction.count)
            out += Array(fraction.utf8)
        }
    }
}
