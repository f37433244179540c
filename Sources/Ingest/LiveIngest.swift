import Foundation
import Logging
import MQTT
import Pipeline
import Synchronization

/// Live ingest: the MQTT subscription feeding `IngestCore`.
///
/// The message callback runs on libmosquitto's network thread and accepts each message into the write-ahead log
/// before it returns, so the QoS 1 PUBACK leaves only after the message is durable in the kernel (see
/// `MQTTClient`). Wattline announces itself on the pipeline's availability topic (`online`, retained; the last will
/// says `offline`). At the log's disk quota it disconnects cleanly — a persistent session makes the broker queue
/// meanwhile — and reconnects once the log is below its low-water mark.
public final class LiveIngest: Sendable {
    public let core: IngestCore
    let broker: BrokerSettings
    let logger: Logger
    let options: MQTTOptions
    /// The current client (nil while paused at the quota or stopped). Guarded by its mutex; never taken by the
    /// message callback, so `close()` under it cannot deadlock with the network thread.
    private let client = Mutex<MQTTClient?>(nil)
    private let state = Mutex<State>(State())
    public let connected = Atomic<Bool>(false)

    struct State {
        var pausedForQuota = false
        var stopped = false
    }

    /// The broker's own drop counter, broker-wide, updated every `sys_interval`.
    static let brokerDroppedTopic = "$SYS/broker/publish/messages/dropped"

    public init(pipeline: PipelineDefinition, options ingestOptions: IngestOptions, broker override: BrokerURL? = nil,
                logger: Logger) throws {
        var broker = pipeline.broker
        if let override { broker.url = override }
        self.broker = broker
        self.logger = logger
        core = try IngestCore(pipeline: pipeline, options: ingestOptions, logger: logger)
        options = Self.mqttOptions(broker, subscriptions: pipeline.topicRouter.subscriptions)
    }

    static func mqttOptions(_ broker: BrokerSettings, subscriptions: [(filter: String, qos: Int)]) -> MQTTOptions {
        var list = subscriptions.map { MQTTSubscription($0.filter, qos: MQTTQoS(rawValue: Int32($0.qos)) ?? .atLeastOnce) }
        list.append(MQTTSubscription(brokerDroppedTopic, qos: .atMostOnce))
        let tls = broker.tls.map { MQTTTLSOptions(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile, verify: $0.verify) }
            ?? (broker.url.usesTLS ? MQTTTLSOptions() : nil)
        return MQTTOptions(
            host: broker.url.host, port: broker.url.port, clientID: broker.clientID,
            keepaliveSeconds: broker.keepaliveSeconds, username: broker.username, password: broker.password?.value,
            tls: tls, protocolVersion: broker.protocolVersion == .mqtt5 ? .v5 : .v311,
            session: broker.session == .clean ? .clean : .persistent(expiry: broker.sessionExpiry),
            will: MQTTWill(topic: broker.availabilityTopic, payload: Array("offline".utf8), qos: .atLeastOnce, retain: true),
            subscriptions: list)
    }

    /// Starts the worker (recovering what the log holds) and connects.
    public func start() throws {
        // The processors' site load for dashboards (`processors.load`: retained, QoS 0) and open sessions' progress
        // (`processors.sessions.publish`: QoS 1); dropped while disconnected.
        core.setOutputPublisher { [weak self] message in
            self?.client.withLock { $0 }.map {
                _ = try? $0.publish(topic: message.topic, payload: message.payload,
                                    qos: message.qos >= 1 ? .atLeastOnce : .atMostOnce, retain: message.retain)
            }
        }
        try core.start()
        core.setTimerHook { [self] in self.watchQuota() }
        try connect()
    }

    private func connect() throws {
        let acceptor = core.acceptor
        let counters = core.counters
        let logger = self.logger
        let availability = broker.availabilityTopic
        let url = broker.url
        let newClient = try MQTTClient(options: options, onEvent: { [self] event in
            switch event {
            case .connecting:
                logger.info("mqtt: connecting to \(url)")
            case .connected(let sessionPresent):
                connected.store(true, ordering: .relaxed)
                logger.info("mqtt: connected to \(url) (session present: \(sessionPresent))")
                self.client.withLock { $0 }.map { client in
                    _ = try? client.publish(topic: availability, payload: "online", qos: .atLeastOnce, retain: true)
                }
            case .disconnected(let error):
                connected.store(false, ordering: .relaxed)
                if let error { logger.warning("mqtt: disconnected: \(error)") } else { logger.info("mqtt: disconnected") }
            case .reconnecting(let delay):
                counters.reconnects.add()
                logger.info("mqtt: reconnecting in \(delay)")
            case .subscriptionRefused(let filter, let error):
                logger.error("mqtt: the broker refused the subscription '\(filter)': \(error)")
            }
        }, onMessage: { message in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            if message.topicUTF8.first == UInt8(ascii: "$") {
                // The broker's drop counter: a gauge at once, and a log record like any message, so the processors
                // judge `broker_drops` from the log and replay reproduces it.
                if let value = Int(String(decoding: message.payload, as: UTF8.self).trimmingCharacters(in: .whitespaces)) {
                    counters.brokerDropped.set(value)
                }
            }
            acceptor.accept(receivedAt: now, topic: message.topicUTF8, payload: message.payload,
                            qos: UInt8(message.qos.rawValue), retained: message.isRetained)
        })
        client.withLock { $0 = newClient }
        try newClient.connect()
    }

    /// Disconnects at the log's quota and reconnects below the low-water mark (timer thread).
    private func watchQuota() {
        let bytes = core.logBytes
        let overQuota = core.acceptor.overQuota.load(ordering: .relaxed) || bytes >= core.options.logQuotaBytes
        let action = state.withLock { state -> Int in
            if state.stopped { return 0 }
            if !state.pausedForQuota && overQuota {
                state.pausedForQuota = true
                return 1
            }
            if state.pausedForQuota && bytes < core.options.logLowWaterBytes {
                state.pausedForQuota = false
                return 2
            }
            return 0
        }
        switch action {
        case 1:
            core.counters.quotaDisconnects.add()
            logger.warning("write-ahead log at its quota (\(bytes) of \(core.options.logQuotaBytes) bytes): disconnecting from the broker, which queues for this persistent session, until the backlog is below \(core.options.logLowWaterBytes) bytes")
            let old = client.withLock { client -> MQTTClient? in
                defer { client = nil }
                return client
            }
            old?.close()
        case 2:
            core.acceptor.overQuota.store(false, ordering: .relaxed)
            logger.info("write-ahead log below its low-water mark (\(bytes) bytes): reconnecting")
            do {
                try connect()
            } catch {
                logger.error("mqtt: reconnecting after the quota pause failed: \(error); retrying")
                state.withLock { $0.pausedForQuota = true }
            }
        default:
            break
        }
    }

    /// Shuts down: publishes `offline`, disconnects without unsubscribing (the broker keeps queueing for the
    /// persistent session), drains what is in memory and checkpoints. A backlog still in the log stays for the
    /// next start.
    public func stop() {
        state.withLock { $0.stopped = true }
        let old = client.withLock { client -> MQTTClient? in
            defer { client = nil }
            return client
        }
        if let old {
            _ = try? old.publish(topic: broker.availabilityTopic, payload: "offline", qos: .atLeastOnce, retain: true)
            old.close()
        }
        connected.store(false, ordering: .relaxed)
        core.stop()
    }

    /// Levels, with the connection state.
    public func levels() -> RuntimeLevels {
        var levels = core.levels()
        levels.connected = connected.load(ordering: .relaxed)
        return levels
    }
}

extension LiveIngest {
    /// Options for a client that only publishes (replay's `--publish-outputs`): the pipeline broker's address,
    /// credentials and TLS, but its own client id, a clean session, no will and no subscriptions, so it disturbs
    /// neither a live instance's persistent session nor its availability topic.
    public static func publisherOptions(_ broker: BrokerSettings, clientID: String) -> MQTTOptions {
        var options = mqttOptions(broker, subscriptions: [])
        options.clientID = clientID
        options.session = .clean
        options.will = nil
        options.subscriptions = []
        return options
    }
}
