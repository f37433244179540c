import MQTT

/// A received message, copied out of the handler's view.
struct ReceivedMessage: Sendable, Equatable {
    var topic: String
    var payload: [UInt8]
    var qos: MQTTQoS
    var isRetained: Bool
    var messageID: Int32

    init(_ message: borrowing MQTTMessage) {
        topic = message.topic
        payload = Array(message.payload)
        qos = message.qos
        isRetained = message.isRetained
        messageID = message.messageID
    }

    var text: String { String(decoding: payload, as: UTF8.self) }
}
