import Foundation
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
        // The script tells the OCPP version from the file name's prefix.
        var paths: [String] = []
        for version in [SimulatedProtocol.ocpp16, .ocpp201] {
            let path = directory.path("\(version.rawValue)-simulated.jsonl")
            let writer = try FixtureWriter(path: path)
            let written = try simulation.record(to: writer) { message in
                message.topic.hasPrefix("ocpp/") && simulation.fleet.charger(forTopic: message.topic)?.protocol == version
            }
            try writer.close()
            #expect(written > 1000, "\(version.rawValue) messages")
            paths.append(path)
        }
        let texts = try paths.map { String(decoding: try directory.contents($0), as: UTF8.self) }
        for variant in ["BootNotification", "Heartbeat", "StartTransaction", "MeterValues", "StopTransaction",
                        "Preparing", "Charging", "SuspendedEV", "Finishing", "EVDisconnected", #"\"Local\""#, #"\"Remote\""#] {
            #expect(texts[0].contains(variant), "OCPP 1.6 sample lacks \(variant)")
        }
        for variant in ["BootNotification", "Heartbeat", "Occupied", "CablePluggedIn", "Authorized", "MeterValuePeriodic",
                        "SuspendedEV", "EVDeparted", "StopAuthorized", "RemoteStop", "multiplier"] {
            #expect(texts[1].contains(variant), "OCPP 2.0.1 sample lacks \(variant)")
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output.split(separator: "\n").suffix(8).joined(separator: "\n"))")
        #expect(output.contains(": 0 problems"), "\(output.suffix(500))")
    }
}
