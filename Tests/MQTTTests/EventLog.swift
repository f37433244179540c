import MQTT
import Synchronization

/// Collects a client's connection events.
final class EventLog: Sendable {
    private let events = Mutex<[MQTTConnectionEvent]>([])

    var handler: @Sendable (MQTTConnectionEvent) -> Void {
        { [self] event in events.withLock { $0.append(event) } }
    }

    var all: [MQTTConnectionEvent] { events.withLock { $0 } }

    /// Waits until `count` events satisfy `predicate`.
    @discardableResult
    func wait(for count: Int = 1, timeout: Duration = .seconds(15), _ predicate: @escaping (MQTTConnectionEvent) -> Bool) async -> Bool {
        await eventually(timeout: timeout) { self.all.filter(predicate).count >= count }
    }

    /// Waits for the `count`-th `connected` event.
    @discardableResult
    func waitConnected(_ count: Int = 1, timeout: Duration = .seconds(15)) async -> Bool {
        await wait(for: count, timeout: timeout) { if case .connected = $0 { true } else { false } }
    }
}
