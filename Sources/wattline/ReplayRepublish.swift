import Dispatch
import Foundation
import MQTT
import Pipeline
import Recording
import Telemetry

/// `replay --publish URL`: the fixtures' messages back onto a broker exactly as recorded (topic, QoS, retain,
/// payload), at the recording's pacing scaled by `--speed` (realtime by default), for testing other consumers.
/// Nothing is processed and the data directory is not touched. Recorded ticks are no messages: they are left out.
struct ReplayRepublish {
    let fixtures: ReplayFixtures
    let url: BrokerURL
    let speed: ReplaySpeed
    /// Set by SIGINT/SIGTERM.
    let stop: DispatchSemaphore

    /// Publishes everything (or until stopped, or until a fixture cannot be read further) and returns the summary
    /// lines, with the read error that stopped it if one did.
    func run() throws -> (lines: [String], failure: FixtureError?) {
        let options = MQTTOptions(host: url.host, port: url.port, clientID: "wattline-replay-\(getpid())",
                                  tls: url.usesTLS ? MQTTTLSOptions() : nil, session: .clean)
        let publisher = try BrokerPublisher(options: options)
        let started = Date()
        var progress = ProgressLine(resumedAt: 0, fractionAtStart: 0)
        var firstTime: Int64?
        var statistics = 0
        var ticks = 0
        var stopped = false
        var failure: FixtureError?
        while true {
            let next: FixtureEntry?
            do { next = try fixtures.peek() } catch {
                failure = error
                break
            }
            guard let entry = next else { break }
            guard case .message(let message) = entry else {
                _ = try fixtures.take()  // the tick peeked at
                ticks += 1
                continue
            }
            if let factor = speed.factor {
                let due = Double(message.receivedAt - (firstTime ?? message.receivedAt)) / 1000 / factor
                let wait = due - Date().timeIntervalSince(started)
                if wait > 0, stop.wait(timeout: .now() + wait) == .success { stopped = true }
            }
            firstTime = firstTime ?? message.receivedAt
            if stopped || (fixtures.taken & 255 == 0 && stop.wait(timeout: .now()) == .success) {
                stopped = true
                break
            }
            _ = try fixtures.take()  // the message peeked at: no read, so no error
            // The broker's own statistics ($SYS/...) were received, never published: no client may publish them.
            if message.topic.hasPrefix("$") {
                statistics += 1
                continue
            }
            publisher.publish(topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retained)
            progress.update(done: fixtures.messagesTaken, fraction: fixtures.fractionRead)
        }
        progress.clear()
        let unfinished = publisher.finish()
        var summary = "published \(publisher.publishedCount) messages to \(url) in "
            + String(format: "%.1f", Date().timeIntervalSince(started)) + " s"
        if statistics > 0 { summary += "; \(statistics) broker statistics ($SYS) left out" }
        if ticks > 0 { summary += "; \(ticks) recorded ticks left out (no messages)" }
        if publisher.failedCount > 0 { summary += "; \(publisher.failedCount) refused by the client library" }
        if unfinished > 0 { summary += "; \(unfinished) not acknowledged before the timeout" }
        if stopped { summary += "; interrupted" }
        if let failure { summary += "; stopped after \(fixtures.messagesTaken) messages: \(failure)" }
        return ([summary] + fixtures.problemNotes + fixtures.disorderNotes, failure)
    }
}
