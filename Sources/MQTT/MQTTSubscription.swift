/// A topic filter the client subscribes to, and the maximum QoS it asks for.
///
/// Under MQTT 5 every subscription is sent with two options: retained messages only on a new subscription
/// (`MQTT_SUB_OPT_SEND_RETAIN_NEW`, so a resubscribe does not replay them) and no-local (the client never
/// receives its own publishes, such as its availability topic).
public struct MQTTSubscription: Sendable, Equatable {
    /// The topic filter, wildcards allowed (`ocpp/+/in/#`, `$share/group/...`).
    public var filter: String
    /// The maximum QoS the broker may deliver at; QoS 1 for at-least-once ingest.
    public var qos: MQTTQoS

    public init(_ filter: String, qos: MQTTQoS = .atLeastOnce) {
        self.filter = filter
        self.qos = qos
    }
}
