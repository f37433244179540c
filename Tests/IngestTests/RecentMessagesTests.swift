import Testing
@testable import Ingest

/// `RecentMessages` (the redelivery window) answers as the plain dictionary-and-ring model it replaced does, through
/// long random runs where hashes repeat, collide in the table and are evicted, whatever the capacity.
@Suite struct RecentMessagesTests {
    /// The model: the last `capacity` hashes with a count each, in a `Dictionary`.
    struct Model {
        var order: [UInt64]
        var counts: [UInt64: Int] = [:]
        var next = 0
        var filled = false

        init(capacity: Int) { order = Array(repeating: 0, count: capacity) }

        mutating func insert(_ hash: UInt64) -> Bool {
            let key = hash == 0 ? 1 : hash
            let seen = counts[key] != nil
            if filled {
                let evicted = order[next]
                if counts[evicted] == 1 { counts[evicted] = nil } else { counts[evicted]! -= 1 }
            }
            order[next] = key
            counts[key, default: 0] += 1
            next += 1
            if next == order.count { (next, filled) = (0, true) }
            return seen
        }
    }

    @Test(arguments: [1, 3, 64, 1_000])
    func answersAsTheModelDoes(capacity: Int) {
        var generator = SeriesHistoryTests.Sequence64(seed: UInt64(capacity))
        // A pool about three times the capacity: most inserts repeat a hash still in the window or just evicted.
        // One hash in eight has the same low bits and nothing between bits 32 and 51, so those share a home slot
        // and form runs that deletions must close up.
        let pool: [UInt64] = (0..<(3 * capacity + 2)).map { k in
            k == 0 ? 0 : k == 1 ? 1 : k % 8 == 3 ? (generator.next() << 52) | 7 : generator.next()
        }
        var recent = RecentMessages(capacity: capacity)
        var model = Model(capacity: capacity)
        var seen = 0
        var mismatches = 0
        for _ in 0..<200_000 {
            let hash = pool[Int(generator.next() % UInt64(pool.count))]
            let answer = recent.insert(hash)
            if answer != model.insert(hash) { mismatches += 1 }
            if answer { seen += 1 }
        }
        #expect(mismatches == 0)
        #expect(seen > 10_000 && seen < 190_000, "the run must exercise both answers: \(seen) seen")
    }
}
