/// The hashes of the last `capacity` accepted messages, oldest evicted first.
///
/// The hashes are `MessageHash` values, already well mixed, so they index an open-addressing table directly
/// (linear probing, at most half full, deletion by backward shift: no tombstones). A `Dictionary` hashed each one
/// again with SipHash, three times a message (look up, evict the oldest, insert): about 3 % of the network thread.
struct RecentMessages {
    /// The accepted hashes in arrival order, a ring; `next` is the oldest once `filled`.
    private var order: [UInt64]
    private var next = 0
    private var filled = false
    /// The table: a hash (0 marks an empty slot; a hash of 0 is kept as 1) and how many of the recent ones it is.
    private var keys: [UInt64]
    private var counts: [UInt32]
    private let mask: Int

    init(capacity: Int = 65_536) {
        precondition(capacity > 0, "RecentMessages needs a positive capacity")
        order = [UInt64](repeating: 0, count: capacity)
        var slots = 2
        while slots < 2 * capacity { slots <<= 1 }
        keys = [UInt64](repeating: 0, count: slots)
        counts = [UInt32](repeating: 0, count: slots)
        mask = slots - 1
    }

    /// Records `hash`; returns true when it was already among the recent ones.
    mutating func insert(_ hash: UInt64) -> Bool {
        let key = hash == 0 ? 1 : hash
        let seen = keys[slot(of: key)] == key
        if filled { remove(order[next]) }
        let slot = slot(of: key)
        if keys[slot] == key {
            counts[slot] &+= 1
        } else {
            keys[slot] = key
            counts[slot] = 1
        }
        order[next] = key
        next += 1
        if next == order.count {
            next = 0
            filled = true
        }
        return seen
    }

    /// Where `key` is, or the empty slot where it would go.
    @inline(__always)
    private func slot(of key: UInt64) -> Int {
        var slot = home(key)
        while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
        return slot
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key ^ (key >> 32)) & mask }

    /// Counts one occurrence of `key` out; at zero its slot is freed, and the entries after it in the same run move
    /// back so that every lookup still finds them before an empty slot.
    private mutating func remove(_ key: UInt64) {
        var hole = slot(of: key)
        guard keys[hole] == key else { return }
        counts[hole] -= 1
        guard counts[hole] == 0 else { return }
        var probe = (hole + 1) & mask
        while keys[probe] != 0 {
            let home = home(keys[probe])
            // The entry at `probe` may fill the hole unless its home lies cyclically in (hole, probe].
            let stays = hole <= probe ? (home > hole && home <= probe) : (home > hole || home <= probe)
            if !stays {
                keys[hole] = keys[probe]
                counts[hole] = counts[probe]
                hole = probe
            }
            probe = (probe + 1) & mask
        }
        keys[hole] = 0
        counts[hole] = 0
    }
}
