/// A record read back from the log, with where it was found.
public struct LogEntry: Sendable, Equatable {
    public var descriptor: LogDescriptor
    public var record: LogRecord

    /// The record's log sequence number.
    public var lsn: UInt64 { descriptor.lsn }

    public init(descriptor: LogDescriptor, record: LogRecord) {
        self.descriptor = descriptor
        self.record = record
    }
}
