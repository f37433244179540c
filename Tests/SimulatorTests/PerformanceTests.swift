import Simulator
import Testing

@Suite struct PerformanceTests {
    /// An hour of 20 chargers takes about 0.1 s in a debug build (5 ms optimised); a second is the bound.
    @Test func anHourOfTwentyChargersIsQuick() throws {
        let simulation = try TestSimulations.hourOfTwentyChargers()
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure {
            for _ in simulation { count += 1 }
        }
        #expect(count > 3000)
        #expect(elapsed < .seconds(1), "took \(elapsed) for \(count) messages")
    }
}
