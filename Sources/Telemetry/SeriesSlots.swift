/// One charger's series, numbered 0, 1, 2… in the order first seen: the per-reading lookup of the reordering
/// window and the archive.
///
/// A small open-addressing table on `hashWordWithinCharger` (a multiply and usually one probe, then one in-place
/// comparison of the series). A `Dictionary` keyed by the series seeds, feeds and finalizes a SipHash at every
/// lookup: about 500 instructions, several times a reading.
///
/// A value type; not thread-safe (its owner's thread uses it).
public struct SeriesSlots: Sendable {
    /// Slot + 1 per bucket (0: empty); a power of two, at most half full.
    private var buckets: [Int32]
    /// `hashWordWithinCharger` of each slot's series.
    private var words: [UInt64]
    /// The series of each slot.
    public private(set) var series: [Series]

    public init() {
        buckets = [Int32](repeating: 0, count: 16)
        words = []
        series = []
    }

    /// Series numbered so far.
    public var count: Int { series.count }

    /// The slot of `series`, nil when it has none.
    @inlinable
    public func slot(of series: Series) -> Int32? {
        find(series, word: series.hashWordWithinCharger).slot
    }

    /// The slot of `series`, numbered (the next free number) when it has none; `isNew` says which.
    public mutating func slot(inserting series: Series) -> (slot: Int32, isNew: Bool) {
        let word = series.hashWordWithinCharger
        let found = find(series, word: word)
        if let slot = found.slot { return (slot, false) }
        let slot = Int32(self.series.count)
        self.series.append(series)
        words.append(word)
        buckets[found.bucket] = slot + 1
        if self.series.count * 2 > buckets.count { grow() }
        return (slot, true)
    }

    /// The slot of `series` if it has one, else the empty bucket it would go in.
    @usableFromInline
    func find(_ series: Series, word: UInt64) -> (slot: Int32?, bucket: Int) {
        let mask = buckets.count - 1
        var bucket = Self.start(word, mask: mask)
        return buckets.withUnsafeBufferPointer { buckets in
            words.withUnsafeBufferPointer { words in
                self.series.withUnsafeBufferPointer { known in
                    while true {
                        let entry = buckets[bucket]
                        if entry == 0 { return (nil, bucket) }
                        let slot = Int(entry - 1)
                        if words[slot] == word && Self.same(known, slot, series) { return (Int32(slot), bucket) }
                        bucket = (bucket + 1) & mask
                    }
                }
            }
        }
    }

    /// Whether the series in `slot` is `series`, compared field by field in place (`known[slot] == series` copied
    /// the series out of the buffer, its strings retained and released, at every probe).
    @usableFromInline @inline(__always)
    static func same(_ known: UnsafeBufferPointer<Series>, _ slot: Int, _ series: Series) -> Bool {
        known[slot].measurand == series.measurand && known[slot].phase == series.phase
            && known[slot].location == series.location && known[slot].evse == series.evse
            && known[slot].connector == series.connector && known[slot].charger == series.charger
            && known[slot].site == series.site
    }

    @usableFromInline @inline(__always)
    static func start(_ word: UInt64, mask: Int) -> Int {
        // Fibonacci hashing: the multiply spreads the word's fields over the high bits, which pick the bucket.
        Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        var larger = [Int32](repeating: 0, count: buckets.count * 2)
        let mask = larger.count - 1
        for (slot, word) in words.enumerated() {
            var bucket = Self.start(word, mask: mask)
            while larger[bucket] != 0 { bucket = (bucket + 1) & mask }
            larger[bucket] = Int32(slot + 1)
        }
        buckets = larger
    }
}
