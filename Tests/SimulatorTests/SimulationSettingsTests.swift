import Simulator
import Testing

@Suite struct SimulationSettingsTests {
    static let start = TestSimulations.start

    @Test func outOfRangeSettingsAreRefusedByName() {
        func refusal(_ change: (inout SimulationSettings) -> Void) -> String? {
            var settings = SimulationSettings(start: Self.start, duration: 60_000)
            change(&settings)
            do {
                _ = try FleetSimulation(settings: settings)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal { _ in } == nil)
        #expect(refusal { $0.chargerCount = 0 } == "charger count 0 is out of range (expected 1...10000)")
        #expect(refusal { $0.siteCount = 21 } == "site count 21 is out of range (expected 1...20, at most one site per charger)")
        #expect(refusal { $0.duration = -1 } == "duration -1 ms is negative")
        #expect(refusal { $0.speed = 0 }?.hasPrefix("speed 0.0 must be a positive factor") == true)
        #expect(refusal { $0.speed = .nan } != nil)
        #expect(refusal { $0.meterValueInterval = 500 } == "meter value interval 500 ms is too short (expected at least 1000 ms)")
        #expect(refusal { $0.speed = .infinity } == nil)
    }

    @Test func theEndSaturates() {
        #expect(SimulationSettings(start: Self.start, duration: 1000).end == Self.start + 1000)
        #expect(SimulationSettings(start: Self.start, duration: .max).end == .max)
    }
}
