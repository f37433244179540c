/// What opening the log found and repaired; the caller logs it (`description` is one line).
public struct RecoveryReport: Sendable, Equatable, CustomStringConvertible {
    /// Segment files in the log after recovery.
    public var segmentCount: Int
    /// The LSN the next append gets.
    public var nextLSN: UInt64
    /// True when the directory held no segment and a new log was started.
    public var createdNewLog: Bool
    /// The torn record removed from the end of the last segment, if there was one.
    public var truncation: TailTruncation?
    /// Damage that was found and left in place because intact records follow it (in the last segment), or a damaged
    /// header of an older segment. Readers report the same damage when they reach it, and skip it.
    public var corruptions: [LogCorruption]

    public init(
        segmentCount: Int, nextLSN: UInt64, createdNewLog: Bool, truncation: TailTruncation?, corruptions: [LogCorruption]
    ) {
        self.segmentCount = segmentCount
        self.nextLSN = nextLSN
        self.createdNewLog = createdNewLog
        self.truncation = truncation
        self.corruptions = corruptions
    }

    /// True when nothing was repaired or found damaged.
    public var isClean: Bool { truncation == nil && corruptions.isEmpty }

    public var description: String {
        var text = createdNewLog
            ? "started a new write-ahead log"
            : "recovered \(segmentCount) segment\(segmentCount == 1 ? "" : "s"); next LSN \(nextLSN)"
        if let truncation { text += "; \(truncation)" }
        for corruption in corruptions { text += "; damage left in place: \(corruption)" }
        return text
    }
}
