/// The hashes of the last `capacity` accepted messages, oldest evicted first.
struct RecentMessages {
    private var order: [UInt64]
    private var counts: [UInt64: UInt16] = [:]
    private var next = 0
    private var filled = false

    init(capacity: Int = 65_536) {
        order = [UInt64](repeating: 0, count: capacity)
        counts.reserveCapacity(capacity)
    }

    /// Records `hash`; returns true when it was already among the recent ones.
    mutating func insert(_ hash: UInt64) -> Bool {
        let seen = counts[hash] != nil
        if filled {
            let evicted = order[next]
            if let count = counts[evicted] {
                if count <= 1 { counts[evicted] = nil } else { counts[evicted] = count - 1 }
            }
        }
        order[next] = hash
        counts[hash, default: 0] &+= 1
        next += 1
        if next == order.count {
            next = 0
            filled = true
        }
        return seen
    }
}
