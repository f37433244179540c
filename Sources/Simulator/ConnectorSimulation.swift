/// One connector over simulated time: idle until a car arrives, then the car's session, then idle again.
///
/// It decides arrivals (by the site's hour of day), draws each session, keeps the lifetime energy register and
/// reads the meter. What it does is protocol-neutral: `ChargerSimulation` turns its events into messages.
struct ConnectorSimulation: Sendable {
    /// When periodic meter values start in a session.
    enum Sampling: Sendable {
        /// From the plug-in: an OCPP 2.0.1 transaction starts when the cable is connected.
        case fromPlugIn
        /// From the authorization: an OCPP 1.6 transaction starts with StartTransaction.
        case fromAuthorization
        /// None: EVerest publishes its meter on the charger's own clock.
        case none
    }

    let evse: SimulatedEVSE
    private let profile: SiteProfile
    private let zone: SiteTimeZone
    private let gridDecivolts: [Int64]
    let sampling: Sampling
    private let sampleInterval: Int64
    private let idTags: [String]

    /// The lifetime register at the end of the last session, Wh.
    private var registerWh: Double
    private var phaseRegistersWh: [Double]
    private(set) var session: SessionPlan?
    private var milestones: [(time: Int64, event: ConnectorEvent)] = []
    private var nextMilestone = 0
    private var nextSampleAt: Int64?
    private var nextArrival: Int64?
    private var sessions: SimulationRandom
    private var noise: SimulationRandom

    /// The running transaction's id as its protocol writes it (1.6: the back-end's number; 2.0.1: a UUID).
    var transactionID: String?
    /// OCPP 2.0.1 `seqNo` of the next TransactionEvent.
    var sequenceNumber = 0
    /// The session's transaction id, kept after the stop for the ground truth.
    var lastTransactionID: String?
    /// Injected meter faults (`--faults`), applied in `measure(at:)`.
    var meterFaults: [MeterFault] = []
    /// What injected faults added to the register for good (energy_mismatch), Wh.
    private(set) var faultOffsetWh = 0.0
    /// The register in whole Wh as the transaction's start and stop reported it, for the ground truth.
    var reportedStartWh: Int64?
    var reportedStopWh: Int64?

    init(evse: SimulatedEVSE, site: SimulatedSite, sampling: Sampling, sampleInterval: Int64, idTags: [String],
         bootAt: Int64, seed: UInt64, chargerIndex: Int) {
        self.evse = evse
        self.profile = site.profile
        self.zone = site.zone
        self.sampling = sampling
        self.sampleInterval = sampleInterval
        self.idTags = idTags
        var sessions = SimulationRandom(seed: seed, stream: RandomStream.sessions, UInt64(chargerIndex), UInt64(evse.id))
        noise = SimulationRandom(seed: seed, stream: RandomStream.meter, UInt64(chargerIndex), UInt64(evse.id))
        let phases = max(evse.rating.phases, 1)
        var grid: [Int64] = []
        for _ in 0..<phases { grid.append(site.gridDecivolts + Int64(sessions.integer(-15...15))) }
        gridDecivolts = grid
        registerWh = evse.rating.isDC ? sessions.uniform(5_000...300_000) * 1000 : sessions.uniform(200...20_000) * 1000
        self.sessions = sessions
        phaseRegistersWh = evse.rating.isDC ? [] : Array(repeating: registerWh / Double(phases), count: phases)

        // Some bays are taken as the simulation begins (the busier the hour, the more): those cars arrive within
        // the first minutes after the charger boots. The others wait for the first arrival.
        let dc = evse.rating.isDC
        let busy = profile.arrivalsPerHour(dc: dc, hour: zone.localHour(at: bootAt)) / profile.peakArrivalsPerHour(dc: dc)
        if self.sessions.chance(0.35 * busy) {
            nextArrival = bootAt + Int64(self.sessions.integer(5...120)) * 1000
        } else {
            nextArrival = drawArrival(after: bootAt + 5000)
        }
    }

    /// The next instant this connector has something to do.
    var nextWake: Int64 {
        var wake = Int64.max
        if session == nil, let nextArrival { wake = nextArrival }
        if nextMilestone < milestones.count { wake = min(wake, milestones[nextMilestone].time) }
        if let nextSampleAt { wake = min(wake, nextSampleAt) }
        return wake
    }

    /// What happens at `time` (the time `nextWake` named): a car may arrive, session moments fall due, a periodic
    /// sample is taken. Call `finishSession(at:)` after handling an `.unplug`.
    mutating func events(at time: Int64) -> [ConnectorEvent] {
        if session == nil, let arrival = nextArrival, arrival <= time {
            let tag = idTags[sessions.integer(0...idTags.count - 1)]
            let plan = SessionPlan(plugAt: time, rating: evse.rating, idTag: tag, using: &sessions)
            session = plan
            milestones = plan.milestones
            nextMilestone = 0
            nextArrival = nil
        }
        var events: [ConnectorEvent] = []
        while nextMilestone < milestones.count && milestones[nextMilestone].time <= time {
            let event = milestones[nextMilestone].event
            nextMilestone += 1
            events.append(event)
            noteReportedRegister(event, at: time)
            switch event {
            case .plugIn where sampling == .fromPlugIn, .authorize where sampling == .fromAuthorization:
                nextSampleAt = time + sampleInterval
            case .stop:
                nextSampleAt = nil
            default:
                break
            }
        }
        if let due = nextSampleAt, due <= time {
            events.append(.sample)
            nextSampleAt = due + sampleInterval
        }
        return events
    }

    /// Closes the session after the unplug: the register keeps its energy, and the next car is scheduled.
    mutating func finishSession(at time: Int64) {
        guard let plan = session else { return }
        let energy = plan.energyWh(at: plan.stopAt)
        registerWh += energy
        for phase in 0..<min(plan.phasesUsed, phaseRegistersWh.count) {
            phaseRegistersWh[phase] += energy / Double(plan.phasesUsed)
        }
        session = nil
        milestones = []
        nextMilestone = 0
        transactionID = nil
        lastTransactionID = nil
        reportedStartWh = nil
        reportedStopWh = nil
        // The bay stays empty for at least a minute or two before the next car.
        nextArrival = drawArrival(after: time + Int64(sessions.integer(60...300)) * 1000)
    }

    /// The next arrival after `time`: a Poisson process whose rate follows the site's local hour, sampled by
    /// thinning from the day's peak rate.
    private mutating func drawArrival(after time: Int64) -> Int64 {
        let dc = evse.rating.isDC
        let peak = profile.peakArrivalsPerHour(dc: dc)
        var candidate = time
        while true {
            let gap = max(1, (sessions.exponential(mean: 3600 / peak)).rounded())
            candidate += Int64(gap) * 1000
            let rate = profile.arrivalsPerHour(dc: dc, hour: zone.localHour(at: candidate))
            if sessions.uniform() * peak < rate { return candidate }
        }
    }

    /// The register at `time`, Wh.
    func registerWh(at time: Int64) -> Double {
        registerWh + faultOffsetWh + (session?.energyWh(at: time) ?? 0)
    }

    /// Reads the meter at `time`, with the noise real meters show (voltage ±0.8 V, current ±0.03 A), and whatever
    /// injected faults do to it.
    mutating func measure(at time: Int64) -> MeterSample {
        var sample = evse.rating.isDC ? measureDC(at: time) : measureAC(at: time)
        if !meterFaults.isEmpty, let session {
            for index in meterFaults.indices {
                meterFaults[index].apply(to: &sample, plan: session, ratedPowerW: evse.rating.ratedPowerW,
                                         offsetWh: &faultOffsetWh, at: time)
            }
            sample.registerWh += faultOffsetWh
        }
        return sample
    }

    private mutating func measureAC(at time: Int64) -> MeterSample {
        let rating = evse.rating
        let phases = rating.phases
        let used = session?.phasesUsed ?? 0
        let power = session?.powerW(at: time) ?? 0
        let energy = session?.energyWh(at: time) ?? 0
        var volts: [Int64] = []
        var amps: [Int64] = []
        for phase in 0..<phases {
            volts.append(gridDecivolts[phase] + Int64((noise.normal() * 8).rounded()))
            if phase < used && power > 0 {
                let target = (power / (Double(used) * 230) * 100).rounded()
                amps.append(max(0, Int64(target) + Int64(noise.integer(-3...3))))
            } else {
                amps.append(0)
            }
        }
        // A meter reads what flows; the charger keeps it within the rating, which a high grid voltage could
        // otherwise push a few watts past.
        var phasePower = zip(volts, amps).map { ($0 * $1 + 500) / 1000 }
        while phasePower.reduce(0, +) > Int64(rating.ratedPowerW) {
            let index = amps.indices.max { amps[$0] < amps[$1] } ?? 0
            amps[index] -= 1
            phasePower[index] = (volts[index] * amps[index] + 500) / 1000
        }
        var phaseRegisters = phaseRegistersWh
        for phase in 0..<min(used, phases) { phaseRegisters[phase] += energy / Double(used) }
        return MeterSample(
            timestamp: time, registerWh: registerWh + energy, phaseRegistersWh: phaseRegisters,
            powerW: phasePower.reduce(0, +), phasePowerW: phasePower, currentCentiamps: amps, voltageDecivolts: volts,
            socPercent: nil, frequencyCentihertz: 5000 + Int64((noise.normal() * 1.5).rounded()), isDC: false)
    }

    private mutating func measureDC(at time: Int64) -> MeterSample {
        let rating = evse.rating
        guard let plan = session, time < plan.unplugAt else {
            return MeterSample(timestamp: time, registerWh: registerWh, phaseRegistersWh: [], powerW: 0, phasePowerW: [],
                               currentCentiamps: [0], voltageDecivolts: [0], socPercent: nil, frequencyCentihertz: 0, isDC: true)
        }
        let soc = plan.soc(at: time)
        let packVolts = plan.outputVoltage(at: soc)
        let volts = Int64((packVolts * 10 + noise.normal() * 8).rounded())
        let power = plan.powerW(at: time)
        var amps: Int64 = 0
        if power > 0 {
            amps = Int64((power / packVolts * 100).rounded()) + Int64(noise.integer(-5...5))
            amps = min(max(amps, 0), Int64(rating.ratedCurrentA) * 100)
        }
        var watts = (volts * amps + 500) / 1000
        if watts > Int64(rating.ratedPowerW) {
            amps = Int64(rating.ratedPowerW) * 1000 / volts
            watts = volts * amps / 1000
        }
        return MeterSample(
            timestamp: time, registerWh: registerWh + plan.energyWh(at: time), phaseRegistersWh: [], powerW: watts,
            phasePowerW: [], currentCentiamps: [amps], voltageDecivolts: [volts], socPercent: Int(soc * 100),
            frequencyCentihertz: 0, isDC: true)
    }
}
