/// One car's visit to a connector, decided when it plugs in: every moment of the session and how the car charges.
///
/// Times are absolute (ms since the epoch) and whole seconds after the plug-in. The car's state of charge, the power
/// it draws and the energy the meter counts at any instant follow from the `ChargeCurve` in closed form.
struct SessionPlan: Sendable {
    /// How the transaction ends.
    enum Ending: Sendable, Equatable {
        /// The driver unplugs the car; the charger stops the transaction itself (OCPP 1.6 reason EVDisconnected).
        case evDisconnected
        /// The driver stops it with the card (Local), then unplugs a while later.
        case local
        /// The driver stops it from the app (Remote), then unplugs a while later.
        case remote
    }

    /// Where the session is at one instant.
    enum Phase: Sendable, Equatable {
        /// Plugged in, not yet charging.
        case connected
        case charging
        /// Plugged in, transaction open, no energy: paused by the car or full.
        case suspendedEV
        /// Transaction over, cable still in.
        case finishing
        /// Unplugged.
        case ended
    }

    let plugAt: Int64
    let authorizeAt: Int64
    let chargeAt: Int64
    /// A pause the car takes while charging, if any.
    let pause: Range<Int64>?
    /// When the car reached its target state of charge; nil when the transaction ended first.
    let fullAt: Int64?
    let stopAt: Int64
    let unplugAt: Int64
    let ending: Ending
    let idTag: String
    /// The OCPP 2.0.1 transaction id (a UUID the charger makes up).
    let transactionUUID: String
    let vehicle: Vehicle
    let curve: ChargeCurve
    let socStart: Double
    let socTarget: Double
    /// AC phases the car draws on (≤ the connector's), 0 for DC.
    let phasesUsed: Int
    /// DC: the charging voltage over the pack voltage (below 1 when the car boosts a lower charger voltage).
    let voltageScale: Double

    /// Draws a session for a car plugging in at `plugAt`.
    init(plugAt: Int64, rating: ConnectorRating, idTag: String, using random: inout SimulationRandom) {
        let vehicle = Vehicle.random(using: &random)
        let dc = rating.isDC
        let whPerSoc = vehicle.capacityWh / (dc ? 0.94 : 0.9)
        let socStart = dc ? random.uniform(0.08...0.45) : random.uniform(0.15...0.7)
        let socTarget = dc ? 1.0 : [0.8, 0.9, 1.0][random.weighted([0.3, 0.3, 0.4])]
        let phasesUsed = dc ? 0 : min(vehicle.acPhases, rating.phases)
        // An 800 V car on a 500 V charger charges through its on-board booster, at about 400 V.
        let voltageScale = dc && vehicle.packVoltageV * 1.04 > Double(rating.nominalVoltageV)
            ? 0.8 * Double(rating.nominalVoltageV) / vehicle.packVoltageV : 1
        let curve: ChargeCurve
        if dc {
            curve = .dc(vehicle: vehicle, knee: random.uniform(0.45...0.6), chargerW: Double(rating.ratedPowerW),
                        chargerA: Double(rating.ratedCurrentA), whPerSoc: whPerSoc,
                        voltage: { vehicle.packVoltage(at: $0) * voltageScale })
        } else {
            let amps = min(Double(rating.ratedCurrentA), vehicle.acCurrentA) * random.uniform(0.95...0.99)
            curve = .ac(power: min(Double(phasesUsed) * 230 * amps, Double(rating.ratedPowerW)), whPerSoc: whPerSoc)
        }

        let authorizeAt = plugAt + Self.seconds(random.integer(5...40))
        let chargeAt = authorizeAt + Self.seconds(random.integer(1...4))
        let fullSeconds = Int64(curve.seconds(from: socStart, to: socTarget).rounded(.up))

        var pauseOffset: Int64 = 0
        var pauseLength: Int64 = 0
        if random.chance(dc ? 0.05 : 0.15) {
            let offset = Int64(Double(fullSeconds) * random.uniform(0.1...0.7))
            if offset >= 60 && offset < fullSeconds {
                pauseOffset = offset
                pauseLength = Int64(random.integer(120...900))
            }
        }

        var stopAt: Int64
        if dc {
            // The driver means to leave at 70-90 %, and comes back after a coffee (or, now and then, a meal).
            let departSoc = random.uniform(0.7...0.9)
            var seconds = Int64(curve.seconds(from: socStart, to: departSoc).rounded(.up))
            if pauseLength > 0 && pauseOffset < seconds { seconds += pauseLength }
            seconds += Int64(random.chance(0.2) ? random.integer(600...2400) : random.integer(20...240))
            stopAt = chargeAt + Self.seconds(Int(seconds))
        } else {
            let minutes: Double = switch random.weighted([0.35, 0.4, 0.25]) {
            case 0: random.uniform(20...90)
            case 1: random.uniform(90...240)
            default: random.uniform(300...600)
            }
            stopAt = max(plugAt + Self.seconds(Int(minutes * 60)), chargeAt + 600_000)
        }

        var pause: Range<Int64>?
        if pauseLength > 0 {
            let begin = chargeAt + pauseOffset * 1000
            if begin < stopAt { pause = begin..<min(begin + pauseLength * 1000, stopAt) }
        }
        let full = chargeAt + (fullSeconds + pauseLength) * 1000
        let ending = [Ending.evDisconnected, .local, .remote][random.weighted(dc ? [0.2, 0.7, 0.1] : [0.5, 0.4, 0.1])]
        var unplugAt = stopAt
        if ending != .evDisconnected {
            unplugAt += Self.seconds(random.chance(0.85) ? random.integer(10...120) : random.integer(300...2700))
        }

        self.plugAt = plugAt
        self.authorizeAt = authorizeAt
        self.chargeAt = chargeAt
        self.pause = pause
        self.fullAt = full < stopAt ? full : nil
        self.stopAt = stopAt
        self.unplugAt = unplugAt
        self.ending = ending
        self.idTag = idTag
        self.transactionUUID = random.uuid()
        self.vehicle = vehicle
        self.curve = curve
        self.socStart = socStart
        self.socTarget = socTarget
        self.phasesUsed = phasesUsed
        self.voltageScale = voltageScale
    }

    private static func seconds(_ count: Int) -> Int64 {
        Int64(count) * 1000
    }

    /// The session's moments in time order (a pause cut short by the stop has no resume).
    var milestones: [(time: Int64, event: ConnectorEvent)] {
        var list: [(time: Int64, event: ConnectorEvent)] = [(plugAt, .plugIn), (authorizeAt, .authorize), (chargeAt, .startCharging)]
        if let pause {
            list.append((pause.lowerBound, .suspend))
            if pause.upperBound < stopAt { list.append((pause.upperBound, .resume)) }
        }
        if let fullAt { list.append((fullAt, .full)) }
        list.append((stopAt, .stop))
        list.append((unplugAt, .unplug))
        return list
    }

    /// DC: the voltage at the connector at state of charge `soc`, V.
    func outputVoltage(at soc: Double) -> Double {
        vehicle.packVoltage(at: soc) * voltageScale
    }

    /// When energy stops flowing for good.
    var flowEnd: Int64 { min(fullAt ?? stopAt, stopAt) }

    /// Milliseconds energy has flowed by `time`.
    func chargingMilliseconds(at time: Int64) -> Int64 {
        let end = min(time, flowEnd)
        guard end > chargeAt else { return 0 }
        var flowed = end - chargeAt
        if let pause { flowed -= max(0, min(end, pause.upperBound) - pause.lowerBound) }
        return flowed
    }

    /// The car's state of charge at `time`, 0...1.
    func soc(at time: Int64) -> Double {
        if let fullAt, time >= fullAt { return socTarget }
        let soc = curve.advance(from: socStart, seconds: Double(chargingMilliseconds(at: time)) / 1000)
        return min(soc, socTarget)
    }

    /// Energy the meter has counted since the plug-in, Wh.
    func energyWh(at time: Int64) -> Double {
        (soc(at: time) - socStart) * curve.whPerSoc
    }

    func isFlowing(at time: Int64) -> Bool {
        time >= chargeAt && time < flowEnd && !(pause?.contains(time) ?? false)
    }

    /// Power the car draws at `time`, W (0 when no energy flows).
    func powerW(at time: Int64) -> Double {
        isFlowing(at: time) ? curve.power(at: soc(at: time)) : 0
    }

    func phase(at time: Int64) -> Phase {
        if time >= unplugAt { return .ended }
        if time >= stopAt { return .finishing }
        if time < chargeAt { return .connected }
        return isFlowing(at: time) ? .charging : .suspendedEV
    }
}
