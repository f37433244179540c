import Recording
import Telemetry

/// Messages generated but not yet handed out, in receive-time order (ties in the order they were generated).
///
/// Every message is received after the moment that produced it, so once the simulation's next wake-up is at `t`,
/// every message received up to `t` is final and may leave.
struct Outbox: Sendable {
    private struct Entry: Comparable, Sendable {
        var message: InboundMessage
        var sequence: UInt64

        static func < (a: Entry, b: Entry) -> Bool {
            (a.message.receivedAt, a.sequence) < (b.message.receivedAt, b.sequence)
        }

        static func == (a: Entry, b: Entry) -> Bool {
            a.message.receivedAt == b.message.receivedAt && a.sequence == b.sequence
        }
    }

    private var heap = BinaryHeap<Entry>()
    private var sequence: UInt64 = 0
    /// Messages received at or after this instant are outside the simulated stretch and dropped.
    let end: Int64

    init(end: Int64) {
        self.end = end
    }

    mutating func post(_ message: InboundMessage) {
        guard message.receivedAt < end else { return }
        sequence += 1
        heap.push(Entry(message: message, sequence: sequence))
    }

    /// Receive time of the earliest waiting message.
    var earliest: Int64? { heap.first?.message.receivedAt }

    mutating func take() -> InboundMessage? {
        heap.pop()?.message
    }
}
