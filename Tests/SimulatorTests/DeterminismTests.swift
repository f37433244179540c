import Recording
import Simulator
import Telemetry
import Testing

/// The same seed gives a byte-identical stream; another seed gives another one.
@Suite struct DeterminismTests {
    /// The stream as fixture bytes, the form it is compared and kept in.
    static func fixtureBytes(_ simulation: FleetSimulation, in directory: TemporaryDirectory, name: String) throws -> [UInt8] {
        let path = directory.path(name)
        let writer = try FixtureWriter(path: path)
        let written = try simulation.record(to: writer)
        try writer.close()
        #expect(written > 0)
        return try directory.contents(path)
    }

    @Test func sameSeedSameBytes() throws {
        let directory = try TemporaryDirectory()
        let first = try Self.fixtureBytes(TestSimulations.hourOfTwentyChargers(seed: 9), in: directory, name: "a.jsonl")
        let second = try Self.fixtureBytes(TestSimulations.hourOfTwentyChargers(seed: 9), in: directory, name: "b.jsonl")
        #expect(first.count > 1_000_000)
        #expect(first == second)
    }

    @Test func anotherSeedAnotherStream() throws {
        let one = Array(try TestSimulations.hourOfTwentyChargers(seed: 9))
        let other = Array(try TestSimulations.hourOfTwentyChargers(seed: 10))
        #expect(one != other)
        let sameMessages = zip(one, other).filter { $0 == $1 }.count
        #expect(sameMessages < one.count / 10)
    }

    @Test func theFleetFollowsTheSeed() throws {
        let a = try SimulatedFleet(chargerCount: 20, siteCount: 3, seed: 1)
        #expect(a == (try SimulatedFleet(chargerCount: 20, siteCount: 3, seed: 1)))
        #expect(a.declarationYAML() == (try SimulatedFleet(chargerCount: 20, siteCount: 3, seed: 1)).declarationYAML())
        let others = try (2...6).map { try SimulatedFleet(chargerCount: 20, siteCount: 3, seed: $0) }
        #expect(others.contains { $0.chargers != a.chargers })
    }

    /// An iterator is a value: a copy carries on from the same point, with the same messages.
    @Test func aCopiedIteratorRepeatsTheStream() throws {
        var iterator = try TestSimulations.hourOfTwentyChargers().makeIterator()
        for _ in 0..<500 { _ = iterator.next() }
        var copy = iterator
        for _ in 0..<500 { #expect(iterator.next() == copy.next()) }
    }
}
