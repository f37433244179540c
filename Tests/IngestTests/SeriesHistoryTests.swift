import Testing

@testable import Ingest

@Suite struct SeriesHistoryTests {
    /// The history as a plain sorted list: insert after the last pair not newer, then drop the oldest pairs (restored
    /// or not) beyond the capacity. What the ring must keep, pair for pair.
    struct Model {
        var entries: [(timestamp: Int64, value: Double, lsn: UInt64)] = []
        var restored: [(timestamp: Int64, value: Double)] = []
        let capacity: Int

        mutating func record(_ timestamp: Int64, _ value: Double, lsn: UInt64) {
            restored.removeAll { $0.timestamp == timestamp && $0.value == value }
            let index = (entries.lastIndex { $0.timestamp <= timestamp }).map { $0 + 1 } ?? 0
            entries.insert((timestamp, value, lsn), at: index)
            trim()
        }

        mutating func restore(_ pairs: [(Int64, Double)]) {
            for (timestamp, value) in pairs
            where !entries.contains(where: { $0.timestamp == timestamp && $0.value == value })
                && !restored.contains(where: { $0.timestamp == timestamp && $0.value == value }) {
                restored.append((timestamp, value))
            }
            restored.sort { $0.timestamp < $1.timestamp }
            trim()
        }

        mutating func trim() {
            while entries.count + restored.count > capacity {
                if let first = restored.first, first.timestamp <= (entries.first?.timestamp ?? .max) {
                    restored.removeFirst()
                } else {
                    entries.removeFirst()
                }
            }
        }
    }

    /// Random streams, mostly in order with late pairs, ties and restored pairs among them: the ring keeps the same
    /// pairs in the same order as the sorted list, and answers `newest`, `match` and a checkpoint's pairs alike.
    @Test(arguments: 0..<40) func theRingKeepsWhatTheSortedListKeeps(seed: UInt64) {
        var random = Sequence64(seed: seed)
        let capacity = [1, 2, 5, 32][Int(seed % 4)]
        var history = SeriesHistory(capacity: capacity)
        var model = Model(capacity: capacity)
        var clock: Int64 = 1_000
        if seed % 5 == 0 {
            let pairs = (0..<Int(random.next() % 8)).map { _ in (Int64(random.next() % 2_000), Double(random.next() % 3)) }
            history.restore(timestamps: pairs.map(\.0), values: pairs.map(\.1))
            model.restore(pairs)
        }
        for lsn in UInt64(1)...300 {
            let roll = random.next() % 10
            let timestamp: Int64 = roll < 7 ? clock + Int64(random.next() % 3) * 1_000 : clock - Int64(random.next() % 40) * 500
            clock = max(clock, timestamp)
            let value = Double(random.next() % 3)
            let expected: SeriesHistory.Match = model.entries.contains { $0.timestamp == timestamp && $0.value == value }
                ? .duplicate : model.entries.contains { $0.timestamp == timestamp } ? .conflict : .none
            #expect(history.match(timestamp, value, restored: false) == expected)
            history.record(timestamp, value, lsn: lsn)
            model.record(timestamp, value, lsn: lsn)
            #expect(history.entries.map(\.timestamp) == model.entries.map(\.timestamp))
            #expect(history.entries.map(\.value) == model.entries.map(\.value))
            #expect(history.entries.map(\.lsn) == model.entries.map(\.lsn))
            #expect(history.restored.map(\.timestamp) == model.restored.map(\.timestamp))
            #expect(history.newest == (model.entries.last?.timestamp ?? .min))
        }
        let checkpoint = history.entries(through: 150)
        var pairs = model.restored.map { ($0.timestamp, $0.value) }
        pairs += model.entries.filter { $0.lsn <= 150 }.map { ($0.timestamp, $0.value) }
        if !model.restored.isEmpty { pairs.sort { $0.0 < $1.0 } }
        #expect(checkpoint.timestamps == pairs.map(\.0) && checkpoint.values == pairs.map(\.1))
    }

    /// Knuth's MMIX linear congruential generator, high bits: deterministic, so a failing seed repeats.
    struct Sequence64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 24
        }
    }
}
