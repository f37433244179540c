import Foundation
import MosquittoTestSupport
import SQLite
import Testing

/// The simulator's ground truth recovered by the pipeline: `wattline simulate --faults` then `wattline replay`, both
/// the real binary. Every fault with an expected anomaly is detected on its charger near its time, and the sessions
/// of chargers without faults have their metered energy.
@Suite struct SimulatedFaultsTests {
    /// A CSV file of the ground truth as rows of column → text.
    static func rows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    static func milliseconds(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    static func pipeline(fleet: String) -> String {
        """
        broker:
          url: mqtt://127.0.0.1:1883
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
          - template: ocpp/{charger}/out
            format: ocpp-j
            direction: backend
          - template: everest-{charger}/modules/{module}/impl/{impl}/var/powermeter
            format: everest
          - template: "{charger}/everest_api/{module}/var/session_info"
            format: everest
        undeclared_chargers: accept
        fleet:
          include: \(fleet)

        """
    }

    @Test func everyInjectedFaultIsDetected() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-faults")
        defer { directory.remove() }
        let stream = directory.path + "/day.jsonl"
        let fleet = directory.path + "/fleet.yaml"
        // The settings of FaultInjectionTests.faultyDay: every kind takes effect.
        let simulate = ["simulate", "--chargers", "20", "--sites", "3", "--duration", "8h", "--seed", "4", "--faults", "0.12",
                        "--start", "2026-11-21T06:00:00Z", "--out", stream, "--fleet-out", fleet]
        let simulated = try WattlineProcess.run(simulate)
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let pipeline = try directory.write(Self.pipeline(fleet: fleet), to: "pipeline.yaml")
        let replayed = try WattlineProcess.run(["replay", stream, "--pipeline", pipeline, "--data", directory.path + "/data"])
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stderr.contains("malformed_json 3"), "\(replayed.stderr)")

        let database = try Database(path: directory.path + "/data/wattline.db")
        defer { database.close() }
        let statement = try database.prepare("SELECT kind, COALESCE(charger, ''), started_at FROM anomalies")
        var detected: [(kind: String, charger: String, at: Int64)] = []
        while try statement.step() {
            detected.append((statement.text(at: 0), statement.text(at: 1), Self.milliseconds(statement.text(at: 2)) ?? 0))
        }

        let faults = try Self.rows(directory.path + "/day.faults.csv")
        #expect(Set(faults.filter { $0["origin"] == "injected" }.compactMap { $0["kind"] }).count == 16)
        for fault in faults {
            guard let kind = fault["expected_anomaly"], !kind.isEmpty,
                  let start = fault["started_at"].flatMap(Self.milliseconds),
                  let end = fault["ended_at"].flatMap(Self.milliseconds) else { continue }
            // Near the right time: from 15 minutes before the fault (a silence starts at the last contact) to 20
            // minutes after it (energy_mismatch judges 15-minute windows); clock skew is judged over the whole run.
            let found = detected.contains { anomaly in
                anomaly.kind == kind && anomaly.charger == fault["charger"]
                    && (kind == "clock_skew" || (start - 900_000...end + 1_200_000).contains(anomaly.at))
            }
            #expect(found, "not detected: \(fault)")
        }

        // Sessions with no fault on their charger within 20 minutes: the same start and end, and the metered energy
        // to the watt-hour.
        let injected = faults.filter { $0["origin"] == "injected" }
        let sessions = try Self.rows(directory.path + "/day.sessions.csv").filter { session in
            guard session["protocol"] != "everest", let from = session["plugged_at"].flatMap(Self.milliseconds),
                  let to = session["unplugged_at"].flatMap(Self.milliseconds) else { return false }
            return !injected.contains { fault in
                guard fault["charger"] == session["charger"], let start = fault["started_at"].flatMap(Self.milliseconds),
                      let end = fault["ended_at"].flatMap(Self.milliseconds) else { return false }
                return start <= to + 1_200_000 && end >= from - 1_200_000
            }
        }
        #expect(sessions.count > 10)
        let lookup = try database.prepare("SELECT energy_wh, ended_at FROM sessions WHERE charger = ? AND evse = ? AND started_at = ?")
        for session in sessions {
            lookup.reset()
            try lookup.bind([.text(session["charger"] ?? ""), .integer(Int64(session["evse"] ?? "") ?? 0), .text(session["started_at"] ?? "")])
            guard try lookup.step() else {
                Issue.record("no session row for \(session)")
                continue
            }
            #expect(abs(lookup.double(at: 0) - (Double(session["energy_wh"] ?? "") ?? -1)) < 0.5, "\(session)")
            #expect(lookup.text(at: 1) == session["ended_at"], "\(session)")
        }
    }
}
