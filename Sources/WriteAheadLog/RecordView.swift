import Telemetry

/// A record read into a caller's buffer, without copying it out: `topic` and `payload` point into that buffer and are
/// valid only inside the closure given to `WriteAheadLog.withRecord(at:buffer:_:)`. Do not let them escape.
public struct RecordView {
    public let lsn: UInt64
    /// True for a tick (then `topic` and `payload` are empty, `qos` 0 and `retained` false).
    public let isTick: Bool
    /// Receive time (message) or tick time, milliseconds since the Unix epoch.
    public let receivedAt: Int64
    public let qos: UInt8
    public let retained: Bool
    public let topic: UnsafeRawBufferPointer
    public let payload: UnsafeRawBufferPointer

    init(header: RecordHeader, record: UnsafeRawBufferPointer) {
        lsn = header.lsn
        isTick = header.kind == .tick
        receivedAt = header.time
        qos = header.qos
        retained = header.retained
        topic = header.topic(in: record)
        payload = header.payload(in: record)
    }

    /// A copy that owns its bytes. Topic bytes that are not UTF-8 are repaired (U+FFFD) in the `String`.
    public var record: LogRecord {
        if isTick { return .tick(at: receivedAt) }
        return .message(InboundMessage(
            receivedAt: receivedAt, topic: String(decoding: topic, as: UTF8.self), qos: qos, retained: retained,
            payload: Array(payload)))
    }
}
