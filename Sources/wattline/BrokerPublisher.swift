import Dispatch
import Foundation
import MQTT
import Synchronization

/// A publishing-only MQTT connection for replay: connects, publishes, and on `finish` waits until libmosquitto has
/// finished every publish (QoS 1 acknowledged, QoS 0 written) before it disconnects, so the last messages are not
/// lost.
final class BrokerPublisher: Sendable {
    let client: MQTTClient
    /// Publishes handed to libmosquitto (successfully); compared with the client's completed count.
    private let published = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)

    /// Connects and waits up to `timeout` seconds for the broker's CONNACK.
    init(options: MQTTOptions, timeout: Double = 10) throws(BrokerPublisherError) {
        let connected = DispatchSemaphore(value: 0)
        let refusal = Mutex<String?>(nil)
        do {
            client = try MQTTClient(options: options, onEvent: { event in
                switch event {
                case .connected: connected.signal()
                case .disconnected(let error?): refusal.withLock { $0 = "\(error)" }
                default: break
                }
            }, onMessage: { _ in })
            try client.connect()
        } catch {
            throw .cannotConnect(endpoint: "\(options.host):\(options.port)", reason: "\(error)")
        }
        guard connected.wait(timeout: .now() + timeout) == .success else {
            client.close()
            throw .cannotConnect(endpoint: "\(options.host):\(options.port)",
                                 reason: refusal.withLock { $0 } ?? "no answer within \(Int(timeout)) s")
        }
    }

    /// Hands one message to libmosquitto; a refused one (a topic the broker's rules forbid) is counted.
    func publish(topic: String, payload: [UInt8], qos: UInt8, retain: Bool) {
        do {
            try client.publish(topic: topic, payload: payload, qos: MQTTQoS(rawValue: Int32(qos)) ?? .atLeastOnce, retain: retain)
            published.add(1, ordering: .relaxed)
        } catch {
            failed.add(1, ordering: .relaxed)
        }
    }

    var publishedCount: Int { published.load(ordering: .relaxed) }
    var failedCount: Int { failed.load(ordering: .relaxed) }

    /// Waits (up to `timeout` seconds) until every publish is finished, then disconnects. Returns how many were not.
    @discardableResult
    func finish(timeout: Double = 60) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while client.completedPublishes < publishedCount, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let unfinished = max(0, publishedCount - client.completedPublishes)
        client.close()
        return unfinished
    }
}

/// Why replay could not publish.
enum BrokerPublisherError: Error, CustomStringConvertible {
    case cannotConnect(endpoint: String, reason: String)

    var description: String {
        switch self {
        case .cannotConnect(let endpoint, let reason): "cannot connect to the broker at \(endpoint): \(reason)"
        }
    }
}
