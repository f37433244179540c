import MQTT
import Synchronization

/// Collects messages from a client's handler (libmosquitto's network thread) for the test to inspect.
final class Inbox: Sendable {
    private let messages = Mutex<[ReceivedMessage]>([])

    var handler: @Sendable (borrowing MQTTMessage) -> Void {
        { [self] message in
            let copy = ReceivedMessage(message)
            messages.withLock { $0.append(copy) }
        }
    }

    var all: [ReceivedMessage] { messages.withLock { $0 } }
    var count: Int { messages.withLock { $0.count } }

    /// Waits until at least `count` messages have arrived, and returns them all.
    func wait(for count: Int, timeout: Duration = .seconds(15)) async -> [ReceivedMessage] {
        _ = await eventually(timeout: timeout) { self.count >= count }
        return all
    }
}
