/// One segment file as the open log tracks it.
struct Segment: Sendable {
    /// The number in the segment's header; `LogDescriptor.segment`.
    let sequence: UInt32
    /// The LSN of its first record; its file name.
    let firstLSN: UInt64
    let path: String
    /// Bytes on disk (for the current segment: as of the last roll; the store tracks the live end).
    var size: UInt64
    /// Kept open for `record(at:)`; nil until needed, and again once evicted (at most a few stay open).
    var file: SegmentFile?
}
