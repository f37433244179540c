import Dispatch
import Foundation
import MQTT
import Pipeline

/// `replay --publish URL`: the fixtures' messages back onto a broker exactly as recorded (topic, QoS, retain,
/// payload), at the recording's pacing scaled by `--speed` (realtime by default), for testing other consumers.
/// Nothing is processed and the data directory is not touched.
struct ReplayRepublish {
    let fixtures: ReplayFixtures
    let url: BrokerURL
    let speed: ReplaySpeed
    /// Set by SIGINT/SIGTERM.
    let stop: DispatchSemaphore

    /// Publishes everything (or until stopped) and returns the summary line.
    func run() throws -> String {
        let options = MQTTOptions(host: url.host, port: url.port, clientID: "wattline-replay-\(getpid())",
                                  tls: url.usesTLS ? MQTTTLSOptions() : nil, session: .clean)
        let publisher = try BrokerPublisher(options: options)
        let started = Date()
        var progress = ProgressLine(total: fixtures.messages.count, resumedAt: 0)
        let firstTime = fixtures.messages.first?.receivedAt ?? 0
        var statistics = 0
        var stopped = false
        for (index, message) in fixtures.messages.enumerated() {
            if let factor = speed.factor {
                let wait = Double(message.receivedAt - firstTime) / 1000 / factor - Date().timeIntervalSince(started)
                if wait > 0, stop.wait(timeout: .now() + wait) == .success { stopped = true }
            }
            if stopped || (index & 255 == 0 && stop.wait(timeout: .now()) == .success) {
                stopped = true
                break
            }
            // The broker's own statistics ($SYS/...) were received, never published: no client may publish them.
            if message.topic.hasPrefix("$") {
                statistics += 1
                continue
            }
            publisher.publish(topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retained)
            progress.update(done: index + 1)
        }
        progress.clear()
        let unfinished = publisher.finish()
        var summary = "published \(publisher.publishedCount) messages to \(url) in "
            + String(format: "%.1f", Date().timeIntervalSince(started)) + " s"
        if statistics > 0 { summary += "; \(statistics) broker statistics ($SYS) left out" }
        if publisher.failedCount > 0 { summary += "; \(publisher.failedCount) refused by the client library" }
        if unfinished > 0 { summary += "; \(unfinished) not acknowledged before the timeout" }
        if stopped { summary += "; interrupted" }
        return summary
    }
}
