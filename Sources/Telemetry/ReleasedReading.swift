/// A reading the reordering window let go, with the log record it came from and the quality flags the window gave
/// it: what the stages after the window (processors, archive) take in.
public struct ReleasedReading: Sendable, Equatable {
    public var reading: Reading
    /// The write-ahead log record the reading was decoded from.
    public var lsn: UInt64
    public var flags: Flags

    public init(reading: Reading, lsn: UInt64, flags: Flags = []) {
        self.reading = reading
        self.lsn = lsn
        self.flags = flags
    }

    /// Quality flags a released reading carries.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Another value was seen for the same series and timestamp.
        public static let conflict = Flags(rawValue: 1)
        /// Older than what the window had already released of its series.
        public static let late = Flags(rawValue: 2)
        /// Its event time is beyond receive time plus the future tolerance.
        public static let future = Flags(rawValue: 4)
    }
}
