import MQTT
import MosquittoTestSupport

/// A client for the broker (or proxy) on `port` with a fresh inbox and event log.
struct TestClient {
    let client: MQTTClient
    let inbox: Inbox
    let events: EventLog

    init(
        port: Int, clientID: String = "test-\(UInt32.random(in: 0 ... .max))", version: MQTTProtocolVersion = .v311,
        session: MQTTSession = .clean, subscriptions: [MQTTSubscription] = [], will: MQTTWill? = nil,
        tls: MQTTTLSOptions? = nil, inbox: Inbox = Inbox(),
        handler: (@Sendable (borrowing MQTTMessage) -> Void)? = nil
    ) throws {
        let events = EventLog()
        let options = MQTTOptions(
            port: port, clientID: clientID, tls: tls, protocolVersion: version, session: session, will: will,
            reconnect: MQTTReconnectPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(2)),
            subscriptions: subscriptions)
        client = try MQTTClient(options: options, onEvent: events.handler, onMessage: handler ?? inbox.handler)
        self.inbox = inbox
        self.events = events
    }

    /// Connects and waits for the CONNACK.
    func connect() async throws {
        try client.connect()
        guard await events.waitConnected() else { throw TestSupportError("no CONNACK; events: \(events.all)") }
    }
}
