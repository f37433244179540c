import MQTT
import MosquittoTestSupport
import Synchronization
import Testing

extension BrokerBackedTests {
    @Suite("Message delivery")
    struct MessageDelivery {
        @Test("QoS 0 and 1: topic, payload bytes (binary, empty, 256 KB), QoS, retain flag and mid are exact",
              arguments: [MQTTProtocolVersion.v311, .v5])
        func exactMessages(version: MQTTProtocolVersion) async throws {
            let broker = try MosquittoBroker()
            let subscriber = try TestClient(port: broker.port, version: version, subscriptions: [MQTTSubscription("in/#", qos: .atLeastOnce)])
            try await subscriber.connect()

            let binary = (0...255).map { UInt8($0) } + [0, 0, 0xFF]
            let large = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let sent: [(topic: String, payload: [UInt8], qos: Int)] = [
                ("in/binary/0", binary, 0), ("in/binary/1", binary, 1),
                ("in/empty/0", [], 0), ("in/empty/1", [], 1),
                ("in/large/0", large, 0), ("in/large/1", large, 1),
                ("in/ünïcødé/1", Array("{\"a\":1}".utf8), 1),
            ]
            for message in sent {
                try broker.publish(topic: message.topic, payload: message.payload, qos: message.qos)
            }
            let received = await subscriber.inbox.wait(for: sent.count)
            try #require(received.count == sent.count)
            for (got, expected) in zip(received, sent) {
                #expect(got.topic == expected.topic)
                #expect(got.payload == expected.payload, "payload of \(expected.topic)")
                #expect(got.qos.rawValue == Int32(expected.qos))
                #expect(got.isRetained == false)
                if expected.qos == 0 { #expect(got.messageID == 0) } else { #expect(got.messageID > 0) }
            }
            subscriber.client.close()
        }

        @Test("20,000 QoS 1 messages on two topics all arrive, in order per topic")
        func twentyThousand() async throws {
            let broker = try MosquittoBroker()
            let subscriber = try TestClient(port: broker.port, subscriptions: [MQTTSubscription("load/#")])
            try await subscriber.connect()

            let perTopic = 10_000
            let clock = ContinuousClock()
            let start = clock.now
            for topic in ["load/a", "load/b"] {
                try broker.publish(topic: topic, lines: (0..<perTopic).map { "\(topic) \($0)" }, qos: 1)
            }
            let received = await subscriber.inbox.wait(for: 2 * perTopic, timeout: .seconds(30))
            let elapsed = clock.now - start
            #expect(received.count == 2 * perTopic, "received \(received.count) in \(elapsed)")
            for topic in ["load/a", "load/b"] {
                let texts = received.filter { $0.topic == topic }.map(\.text)
                #expect(texts == (0..<perTopic).map { "\(topic) \($0)" }, "order on \(topic)")
            }
            #expect(received.allSatisfy { $0.qos == .atLeastOnce })
            print("20,000 QoS 1 messages via mosquitto_pub → mosquitto → MQTTClient in \(elapsed)")
            subscriber.client.close()
        }

        @Test("A QoS 0 burst arrives whole and in order, and what the handler publishes during it goes out")
        func qos0Burst() async throws {
            // The network thread reads a QoS 0 burst in runs, without a select per packet; a run stops when
            // libmosquitto has something to write, so a publish made meanwhile is not held back by the burst.
            let broker = try MosquittoBroker()
            let observer = try TestClient(port: broker.port, subscriptions: [MQTTSubscription("echo/#")])
            try await observer.connect()
            let inbox = Inbox()
            let client = Mutex<MQTTClient?>(nil)
            let count = Mutex(0)
            let total = 20_000
            // How many echoes the observer had when the subscriber's handler ran for the burst's last message: the
            // first one left 19,000 messages earlier, so it has arrived unless the burst held it back.
            let echoesBeforeTheEnd = Mutex(-1)
            let subscriber = try TestClient(port: broker.port, subscriptions: [MQTTSubscription("burst/#", qos: .atMostOnce)],
                                            inbox: inbox) { message in
                inbox.handler(message)
                let n = count.withLock { $0 += 1; return $0 }
                if n == total { echoesBeforeTheEnd.withLock { $0 = observer.inbox.count } }
                if n % 1_000 == 0 {
                    _ = try? client.withLock { $0 }?.publish(topic: "echo/\(n)", payload: "\(n)", qos: .atMostOnce)
                }
            }
            client.withLock { $0 = subscriber.client }
            try await subscriber.connect()

            try broker.publish(topic: "burst/a", lines: (0..<total).map { "m \($0)" }, qos: 0)
            let received = await inbox.wait(for: total, timeout: .seconds(30))
            #expect(received.count == total)
            #expect(received.map(\.text) == (0..<total).map { "m \($0)" }, "in order")
            #expect(received.allSatisfy { $0.qos == .atMostOnce })
            let echoes = await observer.inbox.wait(for: total / 1_000)
            #expect(echoes.map(\.text) == (1...(total / 1_000)).map { "\($0 * 1_000)" })
            #expect(echoesBeforeTheEnd.withLock { $0 } >= 1, "the handler's publishes left during the burst")
            subscriber.client.close()
            observer.client.close()
        }

        @Test("A retained message arrives marked retained; a live one does not", arguments: [MQTTProtocolVersion.v311, .v5])
        func retained(version: MQTTProtocolVersion) async throws {
            let broker = try MosquittoBroker()
            try broker.publish(topic: "status/charger-1", payload: Array("online".utf8), qos: 1, retain: true)
            let subscriber = try TestClient(port: broker.port, version: version, subscriptions: [MQTTSubscription("status/#")])
            try await subscriber.connect()
            let first = await subscriber.inbox.wait(for: 1)
            try #require(first.count == 1)
            #expect(first[0].isRetained)
            #expect(first[0].text == "online")

            try broker.publish(topic: "status/charger-1", payload: Array("offline".utf8), qos: 1, retain: true)
            let both = await subscriber.inbox.wait(for: 2)
            try #require(both.count == 2)
            #expect(both[1].text == "offline")
            #expect(both[1].isRetained == false, "a live publish to an existing subscription is not marked retained")
            subscriber.client.close()
        }

        @Test("MQTT 5: no-local drops the client's own publishes; others' arrive")
        func noLocal() async throws {
            let broker = try MosquittoBroker()
            let subscriber = try TestClient(port: broker.port, version: .v5, subscriptions: [MQTTSubscription("echo/#")])
            try await subscriber.connect()
            try subscriber.client.publish(topic: "echo/own", payload: "mine", qos: .atLeastOnce)
            try broker.publish(topic: "echo/other", payload: Array("theirs".utf8), qos: 1)
            let received = await subscriber.inbox.wait(for: 1)
            try await Task.sleep(for: .milliseconds(200))
            #expect(subscriber.inbox.all.map(\.topic) == ["echo/other"])
            _ = received
            subscriber.client.close()
        }

        @Test("Publishing from the client reaches another subscriber with its QoS and retain flag")
        func publishing() async throws {
            let broker = try MosquittoBroker()
            let publisher = try TestClient(port: broker.port, version: .v5)
            try await publisher.connect()
            try publisher.client.publish(topic: "wattline/test/status", payload: "online", qos: .atLeastOnce, retain: true)
            // Outside the subscriber's filter: publishing is asynchronous, and under load this message could otherwise
            // still be on its way when the subscriber below subscribes.
            let mid = try publisher.client.publish(topic: "elsewhere/test/data", payload: [1, 2, 3], qos: .atLeastOnce)
            #expect(mid > 0)

            let subscriber = try TestClient(port: broker.port, subscriptions: [MQTTSubscription("wattline/#")])
            try await subscriber.connect()
            let retained = await subscriber.inbox.wait(for: 1)
            #expect(retained.map(\.text) == ["online"])
            #expect(retained.first?.isRetained == true)
            try publisher.client.publish(topic: "wattline/test/data", payload: [4, 5, 6], qos: .atMostOnce)
            let all = await subscriber.inbox.wait(for: 2)
            #expect(all.last?.payload == [4, 5, 6])
            #expect(all.last?.qos == .atMostOnce)
            publisher.client.close()
            subscriber.client.close()
            #expect(throws: MQTTError.self) { try publisher.client.publish(topic: "x", payload: "after close") }
        }
    }
}
