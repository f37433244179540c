import Foundation
import MosquittoTestSupport
import Recording
import Simulator
import Telemetry
import Testing

/// The simulator's OCPP messages against the official JSON schemas, with the script and virtual environment
/// `make test` uses (scripts/check-ocpp-schemas.py, .build/ocpp-venv with PyPI's `ocpp`).
@Suite struct OCPPSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".build/ocpp-venv/bin/python").path
    static let script = repository.appendingPathComponent("scripts/check-ocpp-schemas.py").path
    static let venvReady = FileManager.default.isExecutableFile(atPath: python)

    @Test(.enabled(if: venvReady, "no .build/ocpp-venv: `make test` (scripts/test.sh) creates it; skipping the schema check"))
    func ocppMessagesValidateAgainstTheOfficialSchemas() throws {
        // Eight busy hours: every kind of message and every status, trigger and stop reason the simulator sends
        // (checked below), without making the script, which loads a schema per message, slow.
        let simulation = try FleetSimulation(settings: SimulationSettings(
            chargerCount: 20, siteCount: 3, start: TestSimulations.start - 2 * TestSimulations.hour,
            duration: 8 * TestSimulations.hour, seed: 3))
        let directory = try TemporaryDirectory()
        let (paths, texts) = try Self.ocppFiles(of: simulation, prefix: "simulated", in: directory)
        for variant in ["BootNotification", "Heartbeat", "StartTransaction", "MeterValues", "StopTransaction",
                        "Preparing", "Charging", "SuspendedEV", "Finishing", "EVDisconnected", #"\"Local\""#, #"\"Remote\""#] {
            #expect(texts[0].contains(variant), "OCPP 1.6 sample lacks \(variant)")
        }
        for variant in ["BootNotification", "Heartbeat", "Occupied", "CablePluggedIn", "Authorized", "MeterValuePeriodic",
                        "SuspendedEV", "EVDeparted", "StopAuthorized", "RemoteStop", "multiplier"] {
            #expect(texts[1].contains(variant), "OCPP 2.0.1 sample lacks \(variant)")
        }

        try Self.validate(paths)
    }

    /// With every fault injected, what is still OCPP (all but the deliberately broken payloads) still validates:
    /// Faulted statuses, offline-flagged TransactionEvents, duplicates and skewed timestamps included.
    @Test(.enabled(if: venvReady, "no .build/ocpp-venv: `make test` (scripts/test.sh) creates it; skipping the schema check"))
    func faultyOCPPStillValidates() throws {
        let simulation = try FaultInjectionTests.faultyDay()
        // The broken CALLs, by charger and message id: they and the back-end's answers to them are left out.
        var broken: Set<String> = []
        for message in simulation where message.topic.hasPrefix("ocpp/")
            && (try? JSONSerialization.jsonObject(with: Data(message.payload))) == nil {
            broken.insert(Self.callKey(message))
        }
        #expect(broken.count == 3)
        let directory = try TemporaryDirectory()
        let (paths, texts) = try Self.ocppFiles(of: simulation, prefix: "faulty", in: directory) { message in
            !broken.contains(Self.callKey(message))
        }
        #expect(texts[0].contains("GroundFailure") || texts[1].contains("Faulted"))
        #expect(texts[1].contains(#"\"offline\":true"#))
        try Self.validate(paths)
    }

    /// `<topic's charger> <OCPP-J message id>`: the id is the first string of the frame.
    static func callKey(_ message: InboundMessage) -> String {
        let charger = SimulatorTopics.chargerID(inTopic: message.topic) ?? message.topic
        let quote = UInt8(ascii: "\"")
        guard let open = message.payload.firstIndex(of: quote),
              let close = message.payload[(open + 1)...].firstIndex(of: quote) else { return charger }
        return charger + " " + String(decoding: message.payload[(open + 1)..<close], as: UTF8.self)
    }

    /// The simulation's OCPP 1.6 and 2.0.1 messages in two fixture files (the script tells the version from the
    /// file name's prefix), with their texts.
    static func ocppFiles(of simulation: FleetSimulation, prefix: String, in directory: TemporaryDirectory,
                          where keep: @escaping (InboundMessage) -> Bool = { _ in true }) throws -> ([String], [String]) {
        var paths: [String] = []
        for version in [SimulatedProtocol.ocpp16, .ocpp201] {
            let path = directory.path("\(version.rawValue)-\(prefix).jsonl")
            let writer = try FixtureWriter(path: path)
            let written = try simulation.record(to: writer) { message in
                message.topic.hasPrefix("ocpp/") && simulation.fleet.charger(forTopic: message.topic)?.protocol == version
                    && keep(message)
            }
            try writer.close()
            #expect(written > 1000, "\(version.rawValue) messages")
            paths.append(path)
        }
        let texts = try paths.map { String(decoding: try directory.contents($0), as: UTF8.self) }
        return (paths, texts)
    }

    /// Runs scripts/check-ocpp-schemas.py on the files and expects no problem.
    static func validate(_ paths: [String]) throws {
        let result = try ChildProcess.capture(Self.python, [Self.script] + paths)
        let output = result.stdoutText + result.stderrText
        #expect(result.status == 0, "\(output.split(separator: "\n").suffix(8).joined(separator: "\n"))")
        #expect(output.contains(": 0 problems"), "\(output.suffix(500))")
    }
}
