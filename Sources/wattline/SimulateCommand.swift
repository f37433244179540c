import ArgumentParser
import Foundation
import MQTT
import Pipeline
import Recording
import Simulator
import Telemetry

/// `wattline simulate`: a seeded, realistic fleet, published to a broker or written as a fixture.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate a realistic charger fleet's MQTT traffic (OCPP 1.6 and 2.0.1, EVerest), seeded and repeatable.",
        discussion: """
            With --broker, messages are published at the simulated pacing (--speed 60: one simulated hour per \
            minute; --speed max: as fast as possible). With --out, they are written as a fixture (.jsonl or \
            .jsonl.zst) with the ground truth beside them: FILE.sessions.csv (every session with its true times and \
            energy) and FILE.faults.csv (every fault that took effect). --faults RATE injects faults of every kind the \
            anomaly detector knows, plus malformed payloads, duplicates, reordering, offline backlogs and clock skew \
            (docs/simulator.md). --fleet-out writes the fleet declaration (sites, chargers, ratings) for a pipeline to \
            include.
            """
    )

    @Option(help: "Chargers in the fleet.")
    var chargers: Int = 20

    @Option(help: "Sites they are spread over.")
    var sites: Int = 3

    @Option(help: "Simulated time to cover (30m, 2h, 1d).")
    var duration: String = "1h"

    @Option(help: "Simulated seconds per real second, or 'max'.")
    var speed: String = "1"

    @Option(help: "Seed of the random streams: the same seed gives the same messages.")
    var seed: UInt64 = 1

    @Option(help: "Simulated start time (RFC 3339); default: now.")
    var start: String?

    @Option(help: "Faults to inject per charger per simulated hour (0.2: one every five charger-hours); the kinds take turns.")
    var faults: Double = 0

    @Option(help: "Publish to this broker (mqtt://host:port).")
    var broker: String?

    @Option(help: "Write the messages to this fixture file instead.")
    var out: String?

    @Option(name: .customLong("fleet-out"), help: "Write the fleet declaration (YAML) to this file.")
    var fleetOut: String?

    func validate() throws {
        guard (broker == nil) != (out == nil) || fleetOut != nil else {
            throw ValidationError("give --broker URL or --out FILE (or only --fleet-out)")
        }
        guard DurationText.parse(duration) != nil else { throw ValidationError("--duration: '\(duration)' is not a duration such as 30m, 2h, 1d") }
        guard speed == "max" || (Double(speed).map { $0 > 0 } ?? false) else { throw ValidationError("--speed: a positive number or 'max'") }
        guard faults >= 0, faults.isFinite else { throw ValidationError("--faults: faults per charger per hour, 0 or more (e.g. 0.2)") }
    }

    func run() throws {
        let span = DurationText.parse(duration)!
        let startTime: Int64
        if let start {
            do {
                startTime = try Timestamp.parse(start)
            } catch {
                throw ValidationError("--start: '\(start)' is not an RFC 3339 time with a zone")
            }
        } else {
            startTime = Int64(Date().timeIntervalSince1970 * 1000)
        }
        let settings = SimulationSettings(
            chargerCount: chargers, siteCount: sites, start: startTime,
            duration: span.components.seconds * 1000, speed: speed == "max" ? .infinity : Double(speed)!, seed: seed,
            faultRate: faults)
        let simulation: FleetSimulation
        do {
            simulation = try FleetSimulation(settings: settings)
        } catch {
            printError("wattline simulate: \(error)")
            throw ExitCode(2)
        }
        if let fleetOut {
            try simulation.fleet.declarationYAML().write(toFile: fleetOut, atomically: true, encoding: .utf8)
            printError("fleet declaration: \(fleetOut)")
        }
        if let out {
            let writer = try FixtureWriter(path: out, overwrite: true)
            let (count, truth) = try simulation.recordWithGroundTruth(to: writer)
            try writer.close()
            let paths = GroundTruth.paths(besideFixture: out)
            try truth.sessionsCSV.write(toFile: paths.sessions, atomically: true, encoding: .utf8)
            try truth.faultsCSV.write(toFile: paths.faults, atomically: true, encoding: .utf8)
            printError("\(count) messages written to \(out); ground truth: \(truth.sessions.count) sessions in "
                       + "\(paths.sessions), \(truth.faults.count) faults in \(paths.faults)")
        } else if let broker {
            try publish(simulation, to: broker)
        }
    }

    private func publish(_ simulation: FleetSimulation, to broker: String) throws {
        let url: BrokerURL
        switch BrokerURL.parse(broker) {
        case .success(let parsed): url = parsed
        case .failure(let error):
            printError("--broker: \(error)")
            throw ExitCode(2)
        }
        let client = try MQTTClient(
            options: MQTTOptions(host: url.host, port: url.port, clientID: "wattline-simulator-\(seed)", session: .clean),
            onEvent: { event in
                if case .disconnected(let error?) = event { printError("simulate: disconnected: \(error)") }
            },
            onMessage: { _ in })
        try client.connect()
        defer { client.close() }
        let pacer = simulation.pacer
        let clock = ContinuousClock()
        let startedAt = clock.now
        var published = 0
        for message in simulation {
            let deadline = pacer.deadline(forReceivedAt: message.receivedAt, startedAt: startedAt)
            if deadline > clock.now { Thread.sleep(forTimeInterval: Self.seconds(deadline - clock.now)) }
            // At most 10,000 publishes wait in libmosquitto's queue: bounded memory at --speed max.
            while published - client.completedPublishes > 10_000 { Thread.sleep(forTimeInterval: 0.001) }
            var sent = false
            while !sent {
                do {
                    _ = try client.publish(topic: message.topic, payload: message.payload,
                                           qos: message.qos == 0 ? .atMostOnce : .atLeastOnce)
                    sent = true
                } catch {
                    // Not connected yet, or the client's queue is full: wait for the network thread.
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            published += 1
            if published % 10_000 == 0 { printError("simulate: \(published) messages published") }
        }
        // Every publish finished (QoS 0 written, QoS 1 acknowledged) before disconnecting, or the tail of the queue
        // would be lost with the connection.
        let deadline = Date().addingTimeInterval(120)
        while client.completedPublishes < published, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let unfinished = published - client.completedPublishes
        printError("simulate: \(published) messages published" + (unfinished > 0 ? ", \(unfinished) not acknowledged" : ""))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
