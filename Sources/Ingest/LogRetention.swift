/// Keeps checkpointed log records for a span of receive time (`ingest.log_retention`), so that `wattline export-log`
/// can still turn an incident into a fixture after the stages are done with it. Zero keeps nothing past the
/// checkpoint (the default).
///
/// It remembers, at most about 1024 times per window, which LSN the log had reached at which receive time; records
/// below a mark older than the window may go. Owned by the worker thread.
struct LogRetention {
    /// Milliseconds of receive time to keep.
    let window: Int64
    private let spacing: Int64
    /// (records below `lsn` were received at or before `time`), oldest first.
    private var marks: [(lsn: UInt64, time: Int64)] = []

    init(window: Int64) {
        self.window = window
        spacing = max(1_000, window / 1_024)
    }

    /// Notes that every record below `lsn` was received at or before `time`.
    mutating func note(endingBefore lsn: UInt64, receivedAt time: Int64) {
        guard window > 0 else { return }
        if let last = marks.last, time - last.time < spacing {
            marks[marks.count - 1].lsn = max(last.lsn, lsn)
            return
        }
        marks.append((lsn, time))
    }

    /// The LSN below which every record is older than the window at `now`; nil when the window keeps nothing back.
    mutating func removableBefore(now: Int64) -> UInt64? {
        guard window > 0 else { return nil }
        let cutoff = now - window
        guard let index = marks.lastIndex(where: { $0.time <= cutoff }) else { return 0 }
        let bound = marks[index].lsn
        marks.removeFirst(index)  // that mark stays: it is the bound until a newer one passes the cutoff
        return bound
    }
}
