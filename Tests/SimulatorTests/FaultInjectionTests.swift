import Recording
import Simulator
import Telemetry
import Testing

/// `--faults`: the plan follows the seed, every kind takes effect in a long enough run, and the ground truth says
/// what happened.
@Suite struct FaultInjectionTests {
    /// Eight hours of 20 chargers with 0.12 faults per charger-hour: 19 faults, every kind at least once (seed 4).
    static func faultyDay(seed: UInt64 = 4) throws -> FleetSimulation {
        try FleetSimulation(settings: SimulationSettings(
            chargerCount: 20, siteCount: 3, start: TestSimulations.start - 4 * TestSimulations.hour,
            duration: 8 * TestSimulations.hour, seed: seed, faultRate: 0.12))
    }

    static func recorded(_ simulation: FleetSimulation, in directory: TemporaryDirectory,
                         name: String) throws -> (bytes: [UInt8], truth: GroundTruth) {
        let path = directory.path(name)
        let writer = try FixtureWriter(path: path)
        let (_, truth) = try simulation.recordWithGroundTruth(to: writer)
        try writer.close()
        return (try directory.contents(path), truth)
    }

    @Test func theSameSeedGivesTheSameFaultsByteForByte() throws {
        let directory = try TemporaryDirectory()
        let first = try Self.recorded(Self.faultyDay(), in: directory, name: "a.jsonl")
        let second = try Self.recorded(Self.faultyDay(), in: directory, name: "b.jsonl")
        #expect(first.bytes == second.bytes)
        #expect(first.truth == second.truth)
        #expect(first.truth.faultsCSV == second.truth.faultsCSV)
        let other = try Self.recorded(Self.faultyDay(seed: 5), in: directory, name: "c.jsonl")
        #expect(other.truth.faults != first.truth.faults)
    }

    @Test func everyKindTakesEffect() throws {
        var iterator = try Self.faultyDay().makeIterator()
        var malformed = 0
        while let message = iterator.next() {
            if message.topic.hasPrefix("ocpp/"), message.payload.last != UInt8(ascii: "]") { malformed += 1 }
        }
        let truth = iterator.groundTruth
        let injected = Set(truth.faults.filter { $0.origin == .injected }.map(\.kind))
        #expect(injected == Set(FaultKind.injected), "missing: \(Set(FaultKind.injected).subtracting(injected))")
        #expect(malformed == 3)  // the malformed fault breaks three meter-value messages
        for fault in truth.faults {
            #expect(fault.startedAt <= fault.endedAt, "\(fault)")
            #expect(fault.count > 0)
            if fault.kind != .brokerDrops { #expect(fault.charger != nil, "\(fault)") }
        }
        // Sessions: energy as metered, never more than a watt-hour from the model's figure (registers are whole Wh)
        // unless a fault was near.
        let made = truth.faults.filter { $0.origin == .injected }
        let clean = truth.sessions.filter { session in
            guard let end: Int64 = session.unpluggedAt ?? session.endedAt else { return false }
            let from: Int64 = session.pluggedAt - 1_200_000
            let to: Int64 = end + 1_200_000
            return !made.contains { $0.charger == session.charger && $0.startedAt <= to && $0.endedAt >= from }
        }
        #expect(clean.count > 10)
        for session in clean {
            #expect(abs(Double(session.meteredEnergyWh) - session.trueEnergyWh) <= 1, "\(session)")
        }
    }

    @Test func withoutFaultsTheStreamIsUnchanged() throws {
        let plain = Array(try TestSimulations.hourOfTwentyChargers(seed: 9))
        let zero = try FleetSimulation(settings: SimulationSettings(
            chargerCount: 20, siteCount: 3, start: TestSimulations.start, duration: TestSimulations.hour, seed: 9,
            faultRate: 0))
        #expect(Array(zero) == plain)
        var iterator = zero.makeIterator()
        while iterator.next() != nil {}
        #expect(iterator.groundTruth.faults.allSatisfy { $0.origin == .natural })
    }

    @Test(arguments: [-1.0, .nan, .infinity])
    func aFaultRateOutOfRangeIsRefused(rate: Double) {
        #expect(throws: SimulationSettingsError.self) {
            try FleetSimulation(settings: SimulationSettings(start: TestSimulations.start, duration: 1000, faultRate: rate))
        }
    }

    @Test func groundTruthFilesSitBesideTheFixture() {
        #expect(GroundTruth.paths(besideFixture: "/x/day.jsonl.zst") == ("/x/day.sessions.csv", "/x/day.faults.csv"))
        #expect(GroundTruth.paths(besideFixture: "day.jsonl") == ("day.sessions.csv", "day.faults.csv"))
    }
}
