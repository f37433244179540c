import Recording
import Telemetry

/// Produces a `FleetSimulation`'s messages one by one: a discrete-event simulation with a reorder buffer.
///
/// Each charger and each connector has one pending wake-up in a queue ordered by simulated time. Handling a wake-up
/// generates messages, each received a little after the moment that produced it (network latency), into the
/// `Outbox`. A message leaves once no pending wake-up can produce anything received before it.
public struct SimulationIterator: IteratorProtocol, Sendable {
    /// A pending wake-up: the charger's own (`slot` -1) or one of its connectors'.
    private struct Wake: Comparable, Sendable {
        var time: Int64
        var sequence: UInt64
        var charger: Int
        var slot: Int

        static func < (a: Wake, b: Wake) -> Bool {
            (a.time, a.sequence) < (b.time, b.sequence)
        }
    }

    var chargers: [ChargerSimulation]
    private var wakes = BinaryHeap<Wake>()
    private var wakeSequence: UInt64 = 0
    private var outbox: Outbox
    private var backEnd: SimulatedBackEnd
    let start: Int64
    let end: Int64
    /// The stream faults (`--faults`), nil when there are none: messages then go straight out.
    var injector: StreamFaultInjector?
    /// The generator's next message, waiting while the injector may still release earlier ones.
    private var upstream: InboundMessage?
    private var upstreamDone = false
    /// Faults of the clock layer (their truth is known from the start).
    var clockFaults: [InjectedFault] = []

    init(fleet: SimulatedFleet, settings: SimulationSettings) {
        start = settings.start
        end = settings.end
        outbox = Outbox(end: settings.end)
        backEnd = SimulatedBackEnd(seed: settings.seed)
        let idTags = fleet.sites.indices.map { Self.idTags(seed: settings.seed, site: $0) }
        chargers = fleet.chargers.enumerated().map { index, charger in
            let siteIndex = fleet.sites.firstIndex { $0.id == charger.siteID } ?? 0
            return ChargerSimulation(charger: charger, index: index, site: fleet.sites[siteIndex], settings: settings,
                                     idTags: idTags[siteIndex])
        }
        install(FaultPlan(settings: settings, fleet: fleet), fleet: fleet)
        for (index, charger) in chargers.enumerated() {
            schedule(Wake(time: charger.nextTick, sequence: 0, charger: index, slot: -1))
            for slot in charger.connectors.indices {
                schedule(Wake(time: charger.connectors[slot].nextWake, sequence: 0, charger: index, slot: slot))
            }
        }
    }

    /// The RFID cards of a site's regular drivers: 7-byte UIDs (14 hex digits) of NXP tags, as most start with 04.
    static func idTags(seed: UInt64, site: Int) -> [String] {
        var random = SimulationRandom(seed: seed, stream: RandomStream.drivers, UInt64(site))
        return (0..<40).map { _ in "04" + random.hex(12) }
    }

    private mutating func schedule(_ wake: Wake) {
        guard wake.time < end else { return }
        var wake = wake
        wakeSequence += 1
        wake.sequence = wakeSequence
        wakes.push(wake)
    }

    public mutating func next() -> InboundMessage? {
        guard injector != nil else { return nextGenerated() }
        while true {
            if upstream == nil, !upstreamDone {
                upstream = nextGenerated()
                upstreamDone = upstream == nil
            }
            if let message = injector?.release(upTo: upstream?.receivedAt) { return message }
            guard let message = upstream else { return nil }
            upstream = nil
            injector?.accept(message)
        }
    }

    /// The next message as the fleet produced it, before stream faults.
    private mutating func nextGenerated() -> InboundMessage? {
        while true {
            // Every later wake-up produces messages received after its own time.
            if let earliest = outbox.earliest, earliest <= wakes.first?.time ?? .max {
                return outbox.take()
            }
            guard let wake = wakes.pop() else { return nil }
            if wake.slot < 0 {
                chargers[wake.charger].tick(at: wake.time, into: &outbox)
                schedule(Wake(time: chargers[wake.charger].nextTick, sequence: 0, charger: wake.charger, slot: -1))
            } else {
                chargers[wake.charger].wakeConnector(wake.slot, at: wake.time, into: &outbox, backEnd: &backEnd)
                schedule(Wake(time: chargers[wake.charger].connectors[wake.slot].nextWake, sequence: 0,
                              charger: wake.charger, slot: wake.slot))
            }
        }
    }
}
