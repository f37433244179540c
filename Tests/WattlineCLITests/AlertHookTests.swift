import Foundation
import MosquittoTestSupport
import SQLite
import Testing

/// Alert hooks through the real binary: replay runs them only when asked, and events pending when the process is
/// killed with SIGKILL are delivered after a restart, each once per id.
@Suite struct AlertHookTests {
    static let fixtures = ["Fixtures/ocpp16-session.jsonl", "Fixtures/ocpp201-session.jsonl"]

    /// The default pipeline with a hook section appended (its fleet include made absolute).
    static func pipeline(in dir: TemporaryDirectory, hook: String, extra: String = "") throws -> String {
        let repository = WattlineProcess.repository.path
        var text = try String(contentsOfFile: repository + "/Pipelines/default.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "include: fleet/default-fleet.yaml",
                                         with: "include: \(repository)/Pipelines/fleet/default-fleet.yaml")
        text += """

            alerts:
              hooks:
                - name: probe
                  run: [\(hook), \(dir.path)]
                  on: [anomaly.*, session.*]
            \(extra)
            """
        return try dir.write(Array(text.utf8), to: "pipeline.yaml")
    }

    static func outboxRows(_ data: String) throws -> Int64 {
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        guard try database.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'alert_outbox'") == .integer(1) else { return 0 }
        guard case .integer(let n)? = try database.scalar("SELECT count(*) FROM alert_outbox") else { return -1 }
        return n
    }

    @Test func replayRunsHooksOnlyWhenAskedAndAgainChangesNothing() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alert-replay")
        defer { dir.remove() }
        let hook = try dir.script("probe.sh", "echo \"$WATTLINE_EVENT_ID $WATTLINE_EVENT $WATTLINE_CHARGER\" >> \"$1/events.txt\"")
        let pipeline = try Self.pipeline(in: dir, hook: hook)

        let quiet = try WattlineProcess.run(["replay"] + Self.fixtures + ["--pipeline", pipeline, "--data", dir.path + "/quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/events.txt"))
        #expect(try Self.outboxRows(dir.path + "/quiet") == 0)

        let loud = try WattlineProcess.run(["replay"] + Self.fixtures + ["--pipeline", pipeline, "--data", dir.path + "/loud", "--hooks"])
        #expect(loud.status == 0, "\(loud.stderr)")
        let events = dir.lines("events.txt")
        let types = events.map { $0.split(separator: " ")[1] }
        #expect(types.filter { $0 == "session.started" }.count == 2)
        #expect(types.filter { $0 == "session.ended" }.count == 2)
        #expect(types.contains("anomaly.opened") && types.contains("anomaly.resolved"))
        #expect(Set(events).count == events.count, "an event was delivered twice")
        #expect(loud.stderr.contains("alert events delivered \(events.count)"), "\(loud.stderr)")
        #expect(try Self.outboxRows(dir.path + "/loud") == 0)

        // The same recording into a fresh data directory: the same events with the same ids (receivers drop
        // repeats). Which `anomaly.updated` events were merged depends on how fast the hook took the earlier ones,
        // so those are compared by anomaly.
        try FileManager.default.moveItem(atPath: dir.path + "/events.txt", toPath: dir.path + "/first.txt")
        let again = try WattlineProcess.run(["replay"] + Self.fixtures + ["--pipeline", pipeline, "--data", dir.path + "/again", "--hooks"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.comparable(dir.lines("events.txt")) == Self.comparable(events))
        #expect(Self.comparable(events).count >= 8)
    }

    /// Event lines as a set, `anomaly.updated` ones reduced to their anomaly.
    static func comparable(_ lines: [String]) -> Set<String> {
        Set(lines.map { $0.contains(":updated:") ? String($0.prefix { $0 != ":" }) + ":updated" : $0 })
    }

    @Test func eventsPendingAtAKillAreDeliveredAfterTheRestartOncePerId() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alert-kill")
        defer { dir.remove() }
        // The receiver is down until `up` exists: every attempt is logged, deliveries only once it is up.
        let hook = try dir.script("probe.sh", """
            echo "$WATTLINE_EVENT_ID" >> "$1/attempts.txt"
            [ -e "$1/up" ] || exit 1
            echo "$WATTLINE_EVENT_ID" >> "$1/delivered.txt"
            """)
        let pipeline = try Self.pipeline(in: dir, hook: hook, extra: "      retries: 1000\n      backoff: 200ms\n      max_backoff: 500ms\n")
        let data = dir.path + "/data"

        let process = try ChildProcess(try WattlineProcess.executable.path,
                                       ["replay"] + Self.fixtures + ["--pipeline", pipeline, "--data", data, "--hooks"],
                                       directory: WattlineProcess.repository.path)
        // Kill it while the receiver is down and events wait for their next attempt.
        let deadline = Date().addingTimeInterval(60)
        while Set(dir.lines("attempts.txt")).count < 8, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        process.send(SIGKILL)
        #expect(process.wait() == 128 + SIGKILL)
        let attempted = Set(dir.lines("attempts.txt"))
        #expect(attempted.count >= 8)
        #expect(dir.lines("delivered.txt").isEmpty)
        #expect(try Self.outboxRows(data) >= Int64(attempted.count))

        // Back up, and the pipeline restarted on the same data (with nothing new to replay): everything pending is
        // delivered, once each.
        try dir.write([], to: "up")
        let empty = try dir.write([], to: "empty.jsonl")
        let restarted = try WattlineProcess.run(["replay", empty, "--pipeline", pipeline, "--data", data, "--hooks"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        let delivered = dir.lines("delivered.txt")
        #expect(Set(delivered).count == delivered.count, "an event was delivered twice")
        // Every attempted event arrives, except an `anomaly.updated` that was in a hook's hands at the kill: back in
        // the outbox it may be coalesced into a newer update of the same anomaly (the one rule that merges events),
        // and then that newer update of the anomaly arrives instead.
        for id in attempted where !delivered.contains(id) {
            let anomaly = id.components(separatedBy: ":updated:").first ?? id
            #expect(id.contains(":updated:") && delivered.contains { $0.hasPrefix(anomaly + ":updated:") },
                    "\(id) was attempted before the kill and never delivered")
        }
        #expect(try Self.outboxRows(data) == 0)
        // Nothing was lost: every opening, resolution and session event of these fixtures arrived.
        let expected = ["session.started", "session.ended", ":opened", ":resolved"]
        for marker in expected { #expect(delivered.contains { $0.contains(marker) }, "no \(marker) delivered") }
    }
}
