import Foundation
import Logging
import MosquittoTestSupport
import SQLite
import Testing
@testable import Alerts

/// The outbox in a real SQLite file, delivered by the dispatcher's threads to real scripts.
@Suite struct AlertDispatcherTests {
    static func event(_ n: Int, type: String = "anomaly.opened", charger: String = "CP-1", anomaly: String? = nil) -> AlertEvent {
        let id = anomaly.map { "\($0):updated:\(n)" } ?? "evt-\(n)"
        return AlertEvent(id: id, type: type, kind: "fault", severity: .critical, site: "S1", charger: charger, evse: 1,
                          connector: 1, at: 1_764_000_000_000 + Int64(n) * 1000, value: Double(n), threshold: 0,
                          message: "fault \(n)")
    }

    /// Writes `events` to the outbox of `DATA/wattline.db` as the processors stage does (in a transaction).
    @discardableResult
    static func enqueue(_ events: [AlertEvent], data: String, configuration: AlertConfiguration) throws -> Outbox.EnqueueResult {
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        let outbox = try Outbox(database: database)
        return try database.transaction(.immediate) { try outbox.enqueue(events, configuration: configuration) }
    }

    static func waiting(data: String) throws -> [OutboxRow] {
        let database = try Database(path: data + "/wattline.db")
        defer { database.close() }
        return try Outbox.waiting(in: database)
    }

    static func hook(_ name: String, _ command: [String], on types: [String] = ["anomaly.*", "session.*"]) -> HookConfiguration {
        var hook = HookConfiguration(name: name, command: command, events: types.map { EventSelector.parse($0).0! })
        hook.backoffMs = 20
        hook.maxBackoffMs = 50
        hook.timeoutMs = 5_000
        return hook
    }

    static let logger = Logger(label: "test.alerts")

    /// Runs a dispatcher over the outbox in `data` until it is empty (or 20 s passed), then stops it.
    static func deliverAll(_ configuration: AlertConfiguration, data: String) throws -> AlertDispatcher {
        let dispatcher = AlertDispatcher(configuration: configuration, dataDirectory: data, databasePath: data + "/wattline.db",
                                         logger: logger)
        try dispatcher.start()
        #expect(dispatcher.drain(timeout: .seconds(20)))
        dispatcher.stop()
        return dispatcher
    }

    @Test func eachEventReachesTheHookOnceWithItsEnvironment() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let script = try dir.script("log.sh", """
            { printf '%s|%s|%s|%s|%s|' "$WATTLINE_EVENT_ID" "$WATTLINE_EVENT" "$WATTLINE_KIND" "$WATTLINE_SEVERITY" "$WATTLINE_CHARGER"; cat; } >> "$1"
            """)
        let configuration = AlertConfiguration(hooks: [Self.hook("log", [script, dir.path + "/log.txt"])])
        let data = dir.path + "/data"
        try Self.enqueue((1...5).map { Self.event($0) }, data: data, configuration: configuration)
        let dispatcher = try Self.deliverAll(configuration, data: data)
        let lines = dir.lines("log.txt")
        #expect(lines.count == 5)
        #expect(Set(lines.map { $0.split(separator: "|").first.map(String.init) ?? "" }) == Set((1...5).map { "evt-\($0)" }))
        let first = try #require(lines.first { $0.hasPrefix("evt-1|") })
        #expect(first.hasPrefix("evt-1|anomaly.opened|fault|critical|CP-1|{"))
        let json = String(first.split(separator: "|", maxSplits: 5).last ?? "")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["id", "type", "kind", "severity", "site", "charger", "evse", "connector", "session_id", "at", "value",
                    "threshold", "message", "coalesced"] {
            #expect(object.keys.contains(key), "missing \(key)")
        }
        #expect(object["at"] as? String == "2025-11-24T16:00:01.000Z")
        #expect(try Self.waiting(data: data).isEmpty)
        #expect(dispatcher.counters.value(.delivered) == 5)
    }

    @Test func aBatchingHookGetsArrays() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let script = try dir.script("batch.sh", "{ printf '%s ' \"$WATTLINE_BATCH_SIZE\"; cat; } >> \"$1\"")
        var hook = Self.hook("batch", [script, dir.path + "/runs.txt"])
        hook.batch = 3
        let configuration = AlertConfiguration(hooks: [hook])
        let data = dir.path + "/data"
        try Self.enqueue((1...7).map { Self.event($0) }, data: data, configuration: configuration)
        _ = try Self.deliverAll(configuration, data: data)
        let runs = dir.lines("runs.txt")
        #expect(runs.map { $0.prefix { $0 != " " } } == ["3", "3", "1"])
        var ids: [String] = []
        for run in runs {
            let array = try #require(try JSONSerialization.jsonObject(with: Data(run.drop { $0 != " " }.utf8)) as? [[String: Any]])
            ids += array.compactMap { $0["id"] as? String }
        }
        #expect(ids == (1...7).map { "evt-\($0)" })
    }

    @Test func failuresAreRetriedThenKeptThenSentAgainByRetry() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        // Fails until the marker exists; logs every attempt.
        let script = try dir.script("flaky.sh", """
            echo "$WATTLINE_EVENT_ID" >> "$1/attempts.txt"
            [ -e "$1/ok" ] || { echo 'pager down' >&2; exit 7; }
            echo "$WATTLINE_EVENT_ID" >> "$1/delivered.txt"
            """)
        var hook = Self.hook("flaky", [script, dir.path])
        hook.retries = 2
        let configuration = AlertConfiguration(hooks: [hook])
        let data = dir.path + "/data"
        try Self.enqueue([Self.event(1), Self.event(2)], data: data, configuration: configuration)
        let dispatcher = try Self.deliverAll(configuration, data: data)
        // 1 attempt + 2 retries each, then dead-lettered.
        #expect(dir.lines("attempts.txt").sorted() == ["evt-1", "evt-1", "evt-1", "evt-2", "evt-2", "evt-2"])
        #expect(dispatcher.counters.value(.deadLettered) == 2)
        #expect(dispatcher.counters.value(.failedRuns) == 6)
        let failedFile = FailedEventsFile(dataDirectory: data)
        let failed = try failedFile.read().events
        #expect(failed.map(\.event.id).sorted() == ["evt-1", "evt-2"])
        #expect(failed.allSatisfy { $0.error == "exit status 7" && $0.attempts == 3 && $0.hook == "flaky" })
        #expect(try Self.waiting(data: data).isEmpty)

        // Still down: a retry keeps them.
        let stillDown = try failedFile.retry { AlertDispatcher.deliverNow($0, to: hook, logger: Self.logger) }
        #expect(stillDown == (2, 2))
        #expect(try failedFile.read().events.count == 2)
        // Back up: a retry delivers them and empties the file.
        try dir.write([], to: "ok")
        let recovered = try failedFile.retry { AlertDispatcher.deliverNow($0, to: hook, logger: Self.logger) }
        #expect(recovered == (2, 0))
        #expect(dir.lines("delivered.txt").sorted() == ["evt-1", "evt-2"])
        #expect(try failedFile.read().events.isEmpty)
    }

    @Test func waitingUpdatesOfOneAnomalyAreCoalescedAndNothingElseIs() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let script = try dir.script("cat.sh", "cat >> \"$1\"; echo >> \"$1\"")
        let configuration = AlertConfiguration(hooks: [Self.hook("cat", [script, dir.path + "/events.txt"])])
        let data = dir.path + "/data"
        var events = (1...3).map { Self.event($0, type: "anomaly.updated", anomaly: "a1") }
        events.append(Self.event(9, type: "anomaly.resolved"))
        events += (4...5).map { Self.event($0, type: "anomaly.updated", anomaly: "a2") }
        let result = try Self.enqueue(events, data: data, configuration: configuration)
        #expect(result.inserted == 3)
        #expect(result.coalesced == 3)
        let rows = try Self.waiting(data: data)
        #expect(rows.map(\.eventId) == ["a1:updated:3", "evt-9", "a2:updated:5"])
        #expect(rows.map(\.coalesced) == [2, 0, 1])
        _ = try Self.deliverAll(configuration, data: data)
        let delivered = dir.lines("events.txt").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(delivered.compactMap { $0["coalesced"] as? Int } == [2, 0, 1])
    }

    @Test func theRateLimitDelaysAChargersEventsAndDropsNone() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let script = try dir.script("log.sh", "echo \"$WATTLINE_CHARGER $WATTLINE_EVENT_ID\" >> \"$1\"")
        var hook = Self.hook("limited", [script, dir.path + "/log.txt"])
        hook.rateLimit = RateLimit(events: 2, perMs: 60_000)
        let configuration = AlertConfiguration(hooks: [hook])
        let data = dir.path + "/data"
        try Self.enqueue((1...5).map { Self.event($0, charger: "CP-A") } + [Self.event(6, charger: "CP-B")], data: data,
                         configuration: configuration)
        let dispatcher = AlertDispatcher(configuration: configuration, dataDirectory: data, databasePath: data + "/wattline.db",
                                         logger: Self.logger)
        try dispatcher.start()
        #expect(!dispatcher.drain(timeout: .seconds(2)))
        dispatcher.stop()
        #expect(dir.lines("log.txt").sorted() == ["CP-A evt-1", "CP-A evt-2", "CP-B evt-6"])
        #expect(try Self.waiting(data: data).map(\.eventId) == ["evt-3", "evt-4", "evt-5"])
    }

    @Test func aChargerIdFullOfShellMetacharactersArrivesVerbatimAndRunsNothing() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let hostile = "x'; touch \(dir.path)/pwned1; \"$(touch \(dir.path)/pwned2)\" `touch \(dir.path)/pwned3` | & > \n *"
        let script = try dir.script("env.sh", "printf '%s' \"$WATTLINE_CHARGER\" > \"$1/env.txt\"; cat > \"$1/stdin.json\"")
        let configuration = AlertConfiguration(hooks: [Self.hook("env", [script, dir.path])])
        let data = dir.path + "/data"
        try Self.enqueue([Self.event(1, charger: hostile)], data: data, configuration: configuration)
        _ = try Self.deliverAll(configuration, data: data)
        #expect(dir.text("env.txt") == hostile)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(dir.text("stdin.json").utf8)) as? [String: Any])
        #expect(object["charger"] as? String == hostile)
        for name in ["pwned1", "pwned2", "pwned3"] { #expect(!FileManager.default.fileExists(atPath: dir.path + "/" + name)) }
    }

    @Test func theOutboxQuotaRefusesWithACountAndTheEventsAreReturnedToKeep() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let script = try dir.script("nop.sh", "exit 0")
        let configuration = AlertConfiguration(hooks: [Self.hook("nop", [script])], outboxQuota: 2)
        let result = try Self.enqueue((1...3).map { Self.event($0) }, data: dir.path + "/data", configuration: configuration)
        #expect(result.inserted == 2)
        #expect(result.overQuota.map(\.event.id) == ["evt-3"])
    }

    @Test func rowsClaimedByADeadProcessAreDeliveredAfterARestart() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts")
        defer { dir.remove() }
        let script = try dir.script("log.sh", "echo \"$WATTLINE_EVENT_ID\" >> \"$1\"")
        let configuration = AlertConfiguration(hooks: [Self.hook("log", [script, dir.path + "/log.txt"])])
        let data = dir.path + "/data"
        try Self.enqueue([Self.event(1), Self.event(2)], data: data, configuration: configuration)
        // A process that claimed them died before its hook finished.
        do {
            let database = try Database(path: data + "/wattline.db")
            defer { database.close() }
            try Outbox(database: database).claim(try Outbox.waiting(in: database).map(\.seq))
        }
        _ = try Self.deliverAll(configuration, data: data)
        #expect(dir.lines("log.txt").sorted() == ["evt-1", "evt-2"])
    }
}
