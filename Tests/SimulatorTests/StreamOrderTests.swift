import Simulator
import Telemetry
import Testing

/// The stream as a broker would deliver it: in receive-time order, inside the simulated stretch, with every OCPP-J
/// exchange complete and in order.
@Suite struct StreamOrderTests {
    @Test func messagesComeInReceiveTimeOrderWithinTheStretch() throws {
        let simulation = try TestSimulations.hourOfTwentyChargers()
        let messages = Array(simulation)
        #expect(!messages.isEmpty)
        #expect(zip(messages, messages.dropFirst()).allSatisfy { $0.receivedAt <= $1.receivedAt })
        #expect(messages.allSatisfy { $0.receivedAt >= TestSimulations.start })
        #expect(messages.allSatisfy { $0.receivedAt < TestSimulations.start + TestSimulations.hour })
        #expect(messages.allSatisfy { !$0.retained })
    }

    /// A charger sends a CALL only once its last one is answered; the answer comes on `out` with the same id.
    @Test func ocppCallsAreAnsweredOneAtATime() throws {
        let simulation = try TestSimulations.hourOfTwentyChargers()
        var outstanding: [String: String] = [:]  // charger → message id of the unanswered CALL
        var seen: [String: Set<String>] = [:]
        var problems: [String] = []
        for message in simulation where message.topic.hasPrefix("ocpp/") {
            let parts = message.topic.split(separator: "/").map(String.init)
            let charger = parts[1]
            let text = String(decoding: message.payload, as: UTF8.self)
            let id = text.split(separator: "\"")[1]
            if parts[2] == "in" {
                #expect(text.hasPrefix("[2,"))
                if let waiting = outstanding[charger] { problems.append("\(charger): CALL \(id) while \(waiting) waits") }
                if !seen[charger, default: []].insert(String(id)).inserted { problems.append("\(charger): id \(id) reused") }
                outstanding[charger] = String(id)
            } else {
                #expect(text.hasPrefix("[3,"))
                if outstanding[charger] != String(id) { problems.append("\(charger): result \(id) answers no waiting CALL") }
                outstanding[charger] = nil
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    /// The stretch only cuts the stream: a longer simulation starts with exactly the shorter one's messages.
    @Test func aLongerRunExtendsAShorterOne() throws {
        let hour = Array(try TestSimulations.hourOfTwentyChargers())
        var settings = try TestSimulations.hourOfTwentyChargers().settings
        settings.duration *= 2
        let twoHours = Array(try FleetSimulation(settings: settings))
        #expect(twoHours.count > hour.count)
        #expect(Array(twoHours.prefix(hour.count)) == hour)
    }

    @Test func anEmptyStretchHasNoMessages() throws {
        let simulation = try FleetSimulation(settings: SimulationSettings(start: TestSimulations.start, duration: 0))
        #expect(Array(simulation).isEmpty)
    }
}
