import Foundation

/// How Wattline connects to the MQTT broker: the `broker` section.
public struct BrokerSettings: Sendable, Equatable {
    /// The MQTT protocol version.
    public enum ProtocolVersion: String, Sendable, CaseIterable {
        case mqtt311, mqtt5
    }

    /// Whether the broker keeps the subscription and queued QoS 1/2 messages while Wattline is away.
    public enum SessionMode: String, Sendable, CaseIterable {
        /// Clean session off (MQTT 3.1.1) or a session expiry interval (MQTT 5): nothing is lost over a restart.
        case persistent
        /// A fresh session on every connect: messages published while Wattline is down are lost.
        case clean
    }

    /// How the broker spreads a `$share/` subscription over the instances in its group.
    ///
    /// Wattline keeps per-connector state, so all messages of one charger must reach the same instance. Brokers
    /// that pick a member per message in turn (mosquitto's round robin) break that; `$share/` templates are
    /// refused unless this names a routing that is stable per topic or per publishing client.
    public enum SharedSubscriptionRouting: String, Sendable, CaseIterable {
        /// Unknown or round robin: shared subscriptions are refused.
        case none
        /// The broker picks the member by a hash of the topic (EMQX `hash_topic`, HiveMQ-style sticky routing).
        case hashTopic = "hash_topic"
        /// The broker picks the member by a hash of the publisher's client id (EMQX `hash_clientid`).
        case hashClientID = "hash_clientid"
    }

    /// The broker's URL; `mqtt://127.0.0.1:1883` by default.
    public var url: BrokerURL
    /// The MQTT client id (also names the persistent session); `wattline` by default.
    public var clientID: String
    /// The user name, if the broker wants one.
    public var username: String?
    /// The password, normally given as `${NAME}`.
    public var password: Secret?
    /// Keep-alive interval in seconds (0 turns keep-alive off); 30 by default.
    public var keepaliveSeconds: Int
    /// `mqtt5` by default.
    public var protocolVersion: ProtocolVersion
    /// The default subscription QoS for topics that do not set their own; 1 by default.
    public var qos: Int
    /// `persistent` by default.
    public var session: SessionMode
    /// How long the broker keeps a persistent MQTT 5 session after a disconnect; 1 day by default. (MQTT 3.1.1
    /// has no expiry: the broker's own setting applies.)
    public var sessionExpiry: Duration
    /// TLS settings; present exactly when the URL is `mqtts://`.
    public var tls: BrokerTLS?
    /// Where Wattline publishes `online`/`offline` (retained, with a last will); `wattline/{client_id}/status`
    /// by default, with `{client_id}` already replaced.
    public var availabilityTopic: String
    /// `none` by default.
    public var sharedSubscriptionRouting: SharedSubscriptionRouting

    public init(
        url: BrokerURL = .local, clientID: String = "wattline", username: String? = nil, password: Secret? = nil,
        keepaliveSeconds: Int = 30, protocolVersion: ProtocolVersion = .mqtt5, qos: Int = 1,
        session: SessionMode = .persistent, sessionExpiry: Duration = .seconds(86_400), tls: BrokerTLS? = nil,
        availabilityTopic: String? = nil, sharedSubscriptionRouting: SharedSubscriptionRouting = .none
    ) {
        self.url = url
        self.clientID = clientID
        self.username = username
        self.password = password
        self.keepaliveSeconds = keepaliveSeconds
        self.protocolVersion = protocolVersion
        self.qos = qos
        self.session = session
        self.sessionExpiry = sessionExpiry
        self.tls = tls
        self.availabilityTopic = availabilityTopic ?? Self.availabilityTemplate.replacingOccurrences(
            of: "{client_id}", with: clientID)
        self.sharedSubscriptionRouting = sharedSubscriptionRouting
    }

    /// The default availability topic, before `{client_id}` is replaced.
    public static let availabilityTemplate = "wattline/{client_id}/status"

    /// The keys of the `broker` section.
    static let keys = [
        "url", "client_id", "username", "password", "keepalive", "protocol", "qos", "session", "session_expiry",
        "tls", "availability_topic", "shared_subscription_routing",
    ]
    static let tlsKeys = ["ca_file", "cert_file", "key_file", "verify"]

    /// Reads the `broker` section (nil: all defaults). Issues go to the node's collector; the result holds
    /// defaults wherever a value was refused.
    static func read(_ node: ConfigNode?, paths: PathResolver) -> BrokerSettings {
        var settings = BrokerSettings()
        guard let node, let broker = node.mapping(allowedKeys: keys) else { return settings }

        var urlRefused = false
        if let url = broker.optional("url") {
            urlRefused = true
            if let text = url.string() {
                switch BrokerURL.parse(text) {
                case .success(let parsed):
                    settings.url = parsed
                    urlRefused = false
                case .failure(let error):
                    url.report(.invalid("'\(text)': \(error)"))
                }
            }
        }
        if let clientID = broker.optional("client_id"), let text = clientID.nonEmptyString() {
            if text.contains(where: { $0 == "+" || $0 == "#" || $0 == "/" }) || text.utf8.count > 65_535 {
                clientID.report(.invalid("'\(text)' must not contain '+', '#' or '/' (it names the availability topic)"))
            } else {
                settings.clientID = text
            }
        }
        settings.username = broker.optional("username")?.string()
        settings.password = broker.optional("password")?.string().map(Secret.init)
        if let keepalive = broker.optional("keepalive") {
            // Seconds as a number, or a duration (`30s`, `1m`).
            if let text = keepalive.value.scalar, DurationText.parse(text) != nil {
                if let duration = keepalive.duration(in: .zero ... .seconds(65_535)) {
                    let milliseconds = DurationText.milliseconds(duration)
                    if milliseconds % 1_000 == 0 {
                        settings.keepaliveSeconds = Int(milliseconds / 1_000)
                    } else {
                        keepalive.report(.invalid("keepalive must be whole seconds, found '\(text)'"))
                    }
                }
            } else if let seconds = keepalive.int(in: 0...65_535) {
                settings.keepaliveSeconds = seconds
            }
        }
        if let version = broker.optional("protocol")?.choice(ProtocolVersion.self) { settings.protocolVersion = version }
        if let qos = broker.optional("qos")?.int(in: 0...2) { settings.qos = qos }
        if let session = broker.optional("session")?.choice(SessionMode.self) { settings.session = session }
        if let expiry = broker.optional("session_expiry") {
            // MQTT 5 carries the expiry as a 32-bit count of seconds.
            if let duration = expiry.duration(in: .zero ... .seconds(Int64(UInt32.max))) {
                if settings.session == .clean {
                    expiry.report(.invalid("session_expiry applies to persistent sessions; remove it or set session: persistent"))
                } else {
                    settings.sessionExpiry = duration
                }
            }
        }

        if let tlsNode = broker.optional("tls"), let tls = tlsNode.mapping(allowedKeys: tlsKeys) {
            var settingsTLS = BrokerTLS()
            settingsTLS.caFile = tls.optional("ca_file").flatMap { paths.existingFile($0) }
            settingsTLS.certFile = tls.optional("cert_file").flatMap { paths.existingFile($0) }
            settingsTLS.keyFile = tls.optional("key_file").flatMap { paths.existingFile($0) }
            if let verify = tls.optional("verify")?.bool() { settingsTLS.verify = verify }
            if tls.contains("cert_file") != tls.contains("key_file") {
                tls.node.report(.invalid("cert_file and key_file go together: a client certificate needs its key"))
            }
            if settings.url.usesTLS {
                settings.tls = settingsTLS
            } else if !urlRefused {
                tlsNode.report(.invalid("tls is set but the url uses mqtt://; write mqtts://host:8883"))
            }
        } else if settings.url.usesTLS {
            settings.tls = BrokerTLS()
        }

        if let topic = broker.optional("availability_topic"), let text = topic.nonEmptyString() {
            let expanded = text.replacingOccurrences(of: "{client_id}", with: settings.clientID)
            if expanded.contains("+") || expanded.contains("#") || expanded.contains("{") || expanded.contains("}") {
                topic.report(.invalid("'\(text)' must be a plain topic: no wildcards, and {client_id} is the only variable"))
            } else {
                settings.availabilityTopic = expanded
            }
        } else {
            settings.availabilityTopic = availabilityTemplate.replacingOccurrences(of: "{client_id}", with: settings.clientID)
        }
        if let routing = broker.optional("shared_subscription_routing")?.choice(SharedSubscriptionRouting.self) {
            settings.sharedSubscriptionRouting = routing
        }
        return settings
    }
}
