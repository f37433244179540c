import Foundation
import MosquittoTestSupport
import Recording
import Testing

/// `replay --publish URL` republishes fixtures to a real broker as recorded; `--publish-outputs` makes a replay
/// publish what the live runtime publishes (site load), and without it a replay publishes nothing.
@Suite(.serialized) struct ReplayPublishTests {
    /// `mosquitto_sub` on `filter` printing `topic|qos|retain|payload` lines to a file, stopping after `count`
    /// messages or after `seconds` (then killed).
    final class Subscriber {
        let child: ChildProcess
        let scratch: TemporaryDirectory
        let seconds: Int

        init(port: Int, filter: String, count: Int? = nil, seconds: Int) throws {
            self.seconds = seconds
            var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-t", filter, "-q", "2", "-F", "%t|%q|%r|%p"]
            if let count { arguments += ["-C", "\(count)"] }
            scratch = try TemporaryDirectory(prefix: "wattline-sub")
            child = try ChildProcess("/usr/bin/mosquitto_sub", arguments, outputPath: scratch.path + "/out",
                                     errorPath: "/dev/null")
        }

        /// Every line received, once the subscriber has stopped.
        func lines() -> [String] {
            defer { scratch.remove() }
            let deadline = Date().addingTimeInterval(Double(seconds))
            while !child.hasExited, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            child.send(SIGKILL)
            child.wait()
            return ((try? scratch.read("out")) ?? "").split(separator: "\n").map(String.init)
        }
    }

    @Test func republishingSendsEveryMessageAsRecordedAtItsPace() throws {
        let broker = try MosquittoBroker()
        let directory = try TemporaryDirectory(prefix: "wattline-replay-publish")
        defer { directory.remove() }
        // The charging session (QoS 1), a retained status at QoS 0, the broker's statistics and a recorded tick
        // (neither ever republished).
        let session = WattlineProcess.repository.appendingPathComponent("Fixtures/ocpp16-session.jsonl").path
        let extra = try directory.write("""
            {"ticks":"recorded"}
            {"received_at":"2026-11-21T08:00:00.500Z","topic":"vendor/CP-DEPOT-01/state","qos":0,"retain":true,"payload":"online"}
            {"received_at":"2026-11-21T08:00:01.000Z","topic":"$SYS/broker/publish/messages/dropped","qos":0,"retain":false,"payload":"0"}
            {"received_at":"2026-11-21T08:00:02.250Z","tick":true}
            """ + "\n", to: "extra.jsonl")
        var expected: [String] = []
        for path in [session, extra] {
            let reader = try FixtureReader(path: path)
            while let record = try reader.next() {
                let message = record.message
                if message.topic.hasPrefix("$") { continue }
                expected.append("\(message.topic)|\(message.qos)|0|\(String(decoding: message.payload, as: UTF8.self))")
            }
        }
        let subscriber = try Subscriber(port: broker.port, filter: "#", count: expected.count, seconds: 30)
        Thread.sleep(forTimeInterval: 0.5)  // subscribed
        let started = Date()
        // The session spans 11 min 20 s of receive time: at 200x, at least 3.4 s.
        let result = try WattlineProcess.run(["replay", session, extra, "--publish", "mqtt://127.0.0.1:\(broker.port)",
                                              "--speed", "200"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) >= 3.3)
        #expect(result.stderr.contains("published \(expected.count) messages"), "\(result.stderr)")
        #expect(result.stderr.contains("1 broker statistics ($SYS) left out; 1 recorded ticks left out (no messages)"),
                "\(result.stderr)")
        let received = subscriber.lines()
        // Receive order is the merged fixtures' order; a live subscriber sees retain 0 (MQTT 3.1.1 and 5 alike).
        #expect(received.sorted() == expected.sorted())
        #expect(received.filter { $0.hasPrefix("ocpp/") } == expected.filter { $0.hasPrefix("ocpp/") })

        // The retained message stayed retained on the broker.
        let retained = try Subscriber(port: broker.port, filter: "vendor/#", count: 1, seconds: 3).lines()
        #expect(retained == ["vendor/CP-DEPOT-01/state|0|1|online"])

        // Nothing to publish to: a clear error.
        let refused = try WattlineProcess.run(["replay", session, "--publish", "mqtt://127.0.0.1:1", "--speed", "max"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot connect to the broker"), "\(refused.stderr)")
    }

    @Test func replayPublishesTheSiteLoadOnlyWithPublishOutputs() throws {
        let broker = try MosquittoBroker()
        let directory = try TemporaryDirectory(prefix: "wattline-replay-outputs")
        defer { directory.remove() }
        let pipeline = try directory.write(try ExportLogTests.pipelineText(port: broker.port) + """
            processors:
              load:
                publish_topic: dash/load/{site}
                interval: 1s
            """, to: "pipeline.yaml")
        let fixture = WattlineProcess.repository.appendingPathComponent("Fixtures/ocpp16-session.jsonl").path

        let quiet = try Subscriber(port: broker.port, filter: "dash/#", seconds: 4)
        Thread.sleep(forTimeInterval: 0.5)
        let plain = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", directory.path + "/plain"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(quiet.lines().isEmpty, "a replay without --publish-outputs published")

        let loud = try Subscriber(port: broker.port, filter: "dash/#", seconds: 4)
        Thread.sleep(forTimeInterval: 0.5)
        let outputs = try WattlineProcess.run(["replay", fixture, "--pipeline", pipeline, "--data", directory.path + "/loud",
                                               "--publish-outputs"])
        #expect(outputs.status == 0, "\(outputs.stderr)")
        let published = outputs.stderr.components(separatedBy: "outputs published ").last?.prefix { $0.isNumber }
        let count = Int(published ?? "") ?? 0
        let received = loud.lines()
        #expect(count > 0, "\(outputs.stderr)")
        #expect(received.count == count, "\(received.count) of \(count) load messages arrived")
        for line in received {
            let parts = line.split(separator: "|", maxSplits: 3).map(String.init)
            #expect(parts.count == 4 && parts[0].hasPrefix("dash/load/") && parts[1] == "0")
            let payload = try JSONSerialization.jsonObject(with: Data((parts.last ?? "").utf8)) as? [String: Any]
            #expect(payload != nil, "not a JSON object: \(line)")
        }
    }
}
