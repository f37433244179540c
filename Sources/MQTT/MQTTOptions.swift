/// Everything an ``MQTTClient`` needs to connect, fixed when the client is created.
public struct MQTTOptions: Sendable {
    /// The broker's host name or address.
    public var host: String
    /// The broker's TCP port: 1883 for plain MQTT, 8883 for TLS by convention.
    public var port: Int
    /// The client id; with a persistent session it also names the session, so keep it stable across restarts.
    public var clientID: String
    /// Keep-alive interval in seconds: the broker drops the client after 1.5 × this without a packet. libmosquitto
    /// refuses 1–4; 0 turns keep-alive off.
    public var keepaliveSeconds: Int
    /// The user name, if the broker wants one.
    public var username: String?
    /// The password; only sent with a user name.
    public var password: String?
    /// TLS settings; nil for plain TCP.
    public var tls: MQTTTLSOptions?
    /// `v5` by default.
    public var protocolVersion: MQTTProtocolVersion
    /// Persistent with a one-day expiry by default.
    public var session: MQTTSession
    /// The last will, if any.
    public var will: MQTTWill?
    /// The wait between reconnect attempts.
    public var reconnect: MQTTReconnectPolicy
    /// The topic filters to subscribe to; see ``MQTTClient`` for when they are (re)sent.
    public var subscriptions: [MQTTSubscription]
    /// MQTT 5 Receive Maximum: how many QoS 1/2 messages the broker may have in flight to this client before it
    /// waits for acknowledgements (1–65,535; libmosquitto's own default is 20). Under MQTT 3.1.1 the broker's
    /// `max_inflight_messages` decides.
    public var receiveMaximum: Int

    public init(
        host: String = "127.0.0.1", port: Int = 1883, clientID: String, keepaliveSeconds: Int = 30,
        username: String? = nil, password: String? = nil, tls: MQTTTLSOptions? = nil,
        protocolVersion: MQTTProtocolVersion = .v5, session: MQTTSession = .persistent(expiry: .seconds(86_400)),
        will: MQTTWill? = nil, reconnect: MQTTReconnectPolicy = MQTTReconnectPolicy(),
        subscriptions: [MQTTSubscription] = [], receiveMaximum: Int = 1_000
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.keepaliveSeconds = keepaliveSeconds
        self.username = username
        self.password = password
        self.tls = tls
        self.protocolVersion = protocolVersion
        self.session = session
        self.will = will
        self.reconnect = reconnect
        self.subscriptions = subscriptions
        self.receiveMaximum = receiveMaximum
    }

    /// `host:port`, for error messages.
    var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
