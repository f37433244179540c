import MQTT
import MosquittoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Errors")
struct ErrorTests {
    @Test("Connecting to a closed port throws libmosquitto's text, the errno and the address")
    func closedPort() throws {
        let port = try LoopbackPort.free()
        let client = try TestClient(port: port, clientID: "nobody-home")
        let error = try #require(throws: MQTTError.self) { try client.client.connect() }
        #expect(error.kind == .library)
        #expect(error.code == 14)  // MOSQ_ERR_ERRNO
        #expect(error.systemErrno == ECONNREFUSED)
        #expect(error.message == "Connection refused")
        #expect(error.description == "libmosquitto error 14: Connection refused — while connecting to 127.0.0.1:\(port) as 'nobody-home'")
        #expect(client.events.all == [.connecting])
        let again = try #require(throws: MQTTError.self) { try client.client.connect() }
        #expect(again == error, "nothing was left running: connect() can be tried again")
        client.client.close()
        #expect(client.events.all == [.connecting, .connecting], "nothing was running, so close() reports nothing")
    }

    @Test("A bad subscription filter is refused when the client is created")
    func badFilter() {
        let error = #expect(throws: MQTTError.self) {
            _ = try MQTTClient(options: MQTTOptions(clientID: "x", subscriptions: [MQTTSubscription("a/#/b")])) { _ in }
        }
        #expect(error?.description == "libmosquitto error 3: Invalid function arguments provided. — while checking the subscription filter 'a/#/b'")
    }

    @Test("An unreadable CA file is refused when the client is created")
    func missingCAFile() {
        let error = #expect(throws: MQTTError.self) {
            _ = try MQTTClient(options: MQTTOptions(clientID: "x", tls: MQTTTLSOptions(caFile: "/nonexistent/ca.pem"))) { _ in }
        }
        #expect(error?.code == 3)
        #expect(error?.operation == "setting up TLS (CA /nonexistent/ca.pem)")
    }

    @Test("A persistent session needs a client id")
    func emptyClientID() {
        #expect(throws: MQTTError.self) {
            _ = try MQTTClient(options: MQTTOptions(clientID: "", session: .persistent(expiry: .seconds(60)))) { _ in }
        }
    }

    @Test("Reconnect delays double from the initial delay up to the maximum")
    func reconnectPolicy() {
        let policy = MQTTReconnectPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(30))
        #expect((1...7).map { policy.delay(afterFailures: $0) } == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
        let tiny = MQTTReconnectPolicy(initialDelay: .zero, maximumDelay: .zero)
        #expect(tiny.delay(afterFailures: 5) == .milliseconds(10))
    }
}

extension BrokerBackedTests {
    @Suite("Refused connections")
    struct Refusals {
        @Test("A refused CONNACK is reported with the broker's reason, and the client keeps retrying",
              arguments: [(MQTTProtocolVersion.v311, MQTTError.Kind.connack, Int32(5), "Connection Refused: not authorised."),
                          (.v5, .reasonCode, 0x87, "Not authorized")])
        func refused(version: MQTTProtocolVersion, kind: MQTTError.Kind, code: Int32, message: String) async throws {
            let broker = try MosquittoBroker(extraConfiguration: ["allow_anonymous false"])
            let client = try TestClient(port: broker.port, clientID: "anonymous", version: version)
            try client.client.connect()
            // Two refusals: the second comes from the network thread's own retry.
            #expect(await client.events.wait(for: 2, timeout: .seconds(10)) { if case .disconnected(.some) = $0 { true } else { false } })
            let refusals = client.events.all.compactMap { if case .disconnected(let error?) = $0 { error } else { nil } }
            #expect(refusals.first?.kind == kind)
            #expect(refusals.first?.code == code)
            #expect(refusals.first?.message == message)
            #expect(refusals.first?.operation == "connecting to 127.0.0.1:\(broker.port) as 'anonymous'")
            #expect(client.events.all.contains(.reconnecting(after: .seconds(1))))
            client.client.close()
            #expect(client.events.all.last == .disconnected(nil))
        }
    }
}
