/// The receive time of each log record whose readings may still wait in the reordering window, by LSN.
///
/// Records are noted in increasing LSN order (the worker processes the log in order) and forgotten from the oldest
/// as the watermark passes them, so two parallel arrays with a moving start serve: an append, a binary search, and
/// a drop that moves the start — where a dictionary needed a full scan for its oldest key at every commit.
struct ReceiveTimes {
    private var lsns: [UInt64] = []
    private var times: [Int64] = []
    private var start = 0

    var isEmpty: Bool { start == lsns.count }

    /// Storage in use, dropped entries not yet compacted included (bounded: compaction once they are half of it).
    var heldCount: Int { lsns.count }

    /// Notes a record; `lsn` must be greater than every LSN noted before (an older one is ignored).
    mutating func note(lsn: UInt64, receivedAt: Int64) {
        if let last = lsns.last, lsn <= last { return }
        lsns.append(lsn)
        times.append(receivedAt)
    }

    /// The receive time noted for `lsn`, if it is still held.
    func time(of lsn: UInt64) -> Int64? {
        var low = start, high = lsns.count
        while low < high {
            let mid = (low + high) / 2
            if lsns[mid] < lsn { low = mid + 1 } else { high = mid }
        }
        return low < lsns.count && lsns[low] == lsn ? times[low] : nil
    }

    /// Forgets every record up to `watermark`.
    mutating func drop(through watermark: UInt64) {
        while start < lsns.count, lsns[start] <= watermark { start += 1 }
        if start == lsns.count {
            lsns.removeAll(keepingCapacity: true)
            times.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4_096, start * 2 >= lsns.count {
            lsns.removeFirst(start)
            times.removeFirst(start)
            start = 0
        }
    }
}
