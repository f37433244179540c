import Simulator
import Testing

@Suite struct SimulationPacerTests {
    let start: Int64 = 1_795_255_200_000

    @Test func waitsScaleWithSpeed() {
        let realTime = SimulationPacer(speed: 1, simulatedStart: start)
        #expect(realTime.wallOffset(forReceivedAt: start + 60_000) == .seconds(60))
        let tenfold = SimulationPacer(speed: 10, simulatedStart: start)
        #expect(tenfold.wallOffset(forReceivedAt: start + 60_000) == .seconds(6))
        #expect(tenfold.delay(beforeReceivedAt: start + 60_000, elapsed: .seconds(2)) == .seconds(4))
        let slow = SimulationPacer(speed: 0.5, simulatedStart: start)
        #expect(slow.wallOffset(forReceivedAt: start + 1500) == .seconds(3))
    }

    @Test func noWaitWhenBehindOrUnpaced() {
        let pacer = SimulationPacer(speed: 2, simulatedStart: start)
        #expect(pacer.delay(beforeReceivedAt: start + 10_000, elapsed: .seconds(9)) == .zero)
        #expect(pacer.wallOffset(forReceivedAt: start - 5000) == .zero)
        let unpaced = SimulationPacer(speed: .infinity, simulatedStart: start)
        #expect(unpaced.wallOffset(forReceivedAt: start + 3_600_000) == .zero)
    }

    @Test func deadlinesAndSimulatedTime() {
        let pacer = SimulationPacer(speed: 60, simulatedStart: start)
        let began = ContinuousClock.now
        #expect(pacer.deadline(forReceivedAt: start + 3_600_000, startedAt: began) == began + .seconds(60))
        #expect(pacer.simulatedTime(after: .seconds(60)) == start + 3_600_000)
        #expect(pacer.simulatedTime(after: .milliseconds(500)) == start + 30_000)
    }

    @Test func aSimulationPacesAtItsSpeed() throws {
        let settings = SimulationSettings(start: start, duration: 60_000, speed: 30)
        let pacer = try FleetSimulation(settings: settings).pacer
        #expect(pacer == SimulationPacer(speed: 30, simulatedStart: start))
    }
}
