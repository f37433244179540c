import MQTT
import MosquittoTestSupport
import Testing

extension BrokerBackedTests {
    @Suite("Persistent sessions, reconnects and at-least-once")
    struct Sessions {
        @Test("Messages published while a persistent client is away arrive when it comes back",
              arguments: [MQTTProtocolVersion.v311, .v5])
        func persistentSession(version: MQTTProtocolVersion) async throws {
            let broker = try MosquittoBroker()
            let id = "persistent-\(version)"
            let subscriptions = [MQTTSubscription("meter/#")]
            let first = try TestClient(port: broker.port, clientID: id, version: version,
                                       session: .persistent(expiry: .seconds(3_600)), subscriptions: subscriptions)
            try await first.connect()
            #expect(first.events.all.contains(.connected(sessionPresent: false)))
            first.client.close()
            #expect(first.events.all.last == .disconnected(nil))

            try broker.publish(topic: "meter/cp-1", lines: (0..<100).map { "reading \($0)" }, qos: 1, mqtt5: version == .v5)

            let second = try TestClient(port: broker.port, clientID: id, version: version,
                                        session: .persistent(expiry: .seconds(3_600)), subscriptions: subscriptions)
            try await second.connect()
            #expect(second.events.all.contains(.connected(sessionPresent: true)))
            let received = await second.inbox.wait(for: 100)
            #expect(received.map(\.text) == (0..<100).map { "reading \($0)" })
            try await Task.sleep(for: .milliseconds(100))
            #expect(second.inbox.count == 100, "no duplicates from the resubscribe")
            second.client.close()
        }

        @Test("MQTT 5: resubscribing to a present session does not replay retained messages")
        func retainHandling() async throws {
            let broker = try MosquittoBroker()
            try broker.publish(topic: "site/status", payload: Array("up".utf8), qos: 1, retain: true)
            let session = MQTTSession.persistent(expiry: .seconds(3_600))
            let first = try TestClient(port: broker.port, clientID: "retain-new", version: .v5, session: session,
                                       subscriptions: [MQTTSubscription("site/#")])
            try await first.connect()
            #expect(await first.inbox.wait(for: 1).map(\.isRetained) == [true])
            first.client.close()

            let second = try TestClient(port: broker.port, clientID: "retain-new", version: .v5, session: session,
                                        subscriptions: [MQTTSubscription("site/#")])
            try await second.connect()
            try broker.publish(topic: "site/live", payload: Array("x".utf8), qos: 1)
            let received = await second.inbox.wait(for: 1)
            try await Task.sleep(for: .milliseconds(100))
            #expect(second.inbox.all.map(\.topic) == ["site/live"], "retained message not sent again: \(received)")
            second.client.close()
        }

        @Test("After a SIGTERM restart of the broker the client reconnects and resubscribes by itself",
              arguments: [MQTTSession.clean, .persistent(expiry: .seconds(3_600))])
        func brokerRestart(session: MQTTSession) async throws {
            let broker = try MosquittoBroker()
            let subscriber = try TestClient(port: broker.port, clientID: "restart", session: session,
                                            subscriptions: [MQTTSubscription("after/#")])
            try await subscriber.connect()

            broker.stop()
            #expect(await subscriber.events.wait { if case .disconnected(.some) = $0 { true } else { false } })
            try broker.restart()
            #expect(await subscriber.events.waitConnected(2))
            let persistent = session != .clean
            // connecting, connected, then (disconnected, reconnecting)+ while the broker is down, then connected.
            let events = subscriber.events.all
            let kinds = events.map(Self.kind)
            #expect(kinds.prefix(4) == ["connecting", "connected", "disconnected", "reconnecting"], "\(events)")
            #expect(kinds.dropFirst(2).dropLast().allSatisfy { $0 == "disconnected" || $0 == "reconnecting" }, "\(events)")
            #expect(events.last == .connected(sessionPresent: persistent), "\(events)")

            try broker.publish(topic: "after/restart", payload: Array("hello again".utf8), qos: 1)
            let received = await subscriber.inbox.wait(for: 1)
            #expect(received.map(\.text) == ["hello again"])
            subscriber.client.close()
        }

        @Test("A QoS 1 message whose handler had not returned when the connection died is delivered again",
              arguments: [MQTTProtocolVersion.v311, .v5])
        func redeliveryAfterCrashInHandler(version: MQTTProtocolVersion) async throws {
            let broker = try MosquittoBroker()
            let proxy = try TCPProxy(to: broker.port)
            let gate = Gate()
            let inbox = Inbox()
            let record = inbox.handler
            let subscriber = try TestClient(
                port: proxy.port, clientID: "redelivery", version: version, session: .persistent(expiry: .seconds(3_600)),
                subscriptions: [MQTTSubscription("wal/#")], inbox: inbox
            ) { message in
                record(message)
                gate.passOrWait()   // the first delivery blocks here, as if the process hung before accepting it
            }
            try await subscriber.connect()
            try broker.publish(topic: "wal/cp-1", payload: Array("meter 42".utf8), qos: 1)
            #expect(await gate.waitUntilSomeoneWaits())

            proxy.cutConnections()          // the network fails while the handler still holds the message
            try await Task.sleep(for: .milliseconds(100))
            gate.open()                     // the handler returns; its PUBACK has nowhere to go

            let received = await inbox.wait(for: 2)
            #expect(received.map(\.text) == ["meter 42", "meter 42"], "redelivered after the reconnect")
            #expect(subscriber.events.all.contains(.connected(sessionPresent: true)))
            subscriber.client.close()
            proxy.stopAndWait()
        }

        @Test("The will is published when the connection vanishes, not on close()")
        func will() async throws {
            let broker = try MosquittoBroker()
            let observer = try TestClient(port: broker.port, subscriptions: [MQTTSubscription("wattline/+/status")])
            try await observer.connect()

            let proxy = try TCPProxy(to: broker.port)
            let will = MQTTWill(topic: "wattline/ingest-1/status", payload: Array("offline".utf8), qos: .atLeastOnce, retain: true)
            let client = try TestClient(port: proxy.port, clientID: "ingest-1", version: .v5, will: will)
            try await client.connect()
            try client.client.publish(topic: will.topic, payload: "online", qos: .atLeastOnce, retain: true)
            #expect(await observer.inbox.wait(for: 1).map(\.text) == ["online"])

            proxy.cutConnections()
            #expect(await observer.inbox.wait(for: 2).map(\.text) == ["online", "offline"])
            #expect(await client.events.waitConnected(2), "the client reconnects by itself: \(client.events.all)")

            // A clean close sends DISCONNECT: the broker discards the will.
            client.client.close()
            try await Task.sleep(for: .milliseconds(300))
            #expect(observer.inbox.count == 2)
            #expect(client.events.all.last == .disconnected(nil))
            observer.client.close()
            proxy.stopAndWait()
        }

        @Test("close() while waiting to reconnect returns at once and reports the end")
        func closeWhileWaiting() async throws {
            let broker = try MosquittoBroker()
            let events = EventLog()
            let options = MQTTOptions(port: broker.port, clientID: "waiting", session: .clean,
                                      reconnect: MQTTReconnectPolicy(initialDelay: .seconds(20), maximumDelay: .seconds(20)))
            let client = try MQTTClient(options: options, onEvent: events.handler) { _ in }
            try client.connect()
            #expect(await events.waitConnected())
            broker.stop()
            #expect(await events.wait { $0 == .reconnecting(after: .seconds(20)) })
            let clock = ContinuousClock()
            let elapsed = clock.measure { client.close() }
            #expect(elapsed < .milliseconds(500))
            #expect(events.all.last == .disconnected(nil))
        }

        static func kind(_ event: MQTTConnectionEvent) -> String {
            switch event {
            case .connecting: "connecting"
            case .connected: "connected"
            case .disconnected: "disconnected"
            case .reconnecting: "reconnecting"
            case .subscriptionRefused: "subscriptionRefused"
            }
        }
    }
}
