@testable import Anomalies
import Testing

@Suite struct WindowTests {
    /// The sorted side of a full window stays the sorted contents of the ring, whatever arrives: steady values,
    /// repeats, values above and below everything, against a plain sort (seeded, so a failure repeats).
    @Test(arguments: [1, 2, 5, 16])
    func theSortedSideIsTheRingSorted(capacity: Int) {
        var state: UInt64 = UInt64(capacity) &* 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let roll = Int(state >> 60)
            switch roll {
            case 0...5: return 200  // steady
            case 6...9: return Double(Int(state >> 40) % 7) + 198  // jitter with repeats
            case 10...12: return -1_000_000  // below everything
            default: return Double(state >> 33)  // anywhere
            }
        }
        let base = 3  // pools are shared: the window starts inside them
        var ring = [Double](repeating: .nan, count: base + capacity + 2)
        var sorted = ring
        var count: Int32 = 0, head: Int32 = 0
        var recent: [Double] = []
        for step in 0..<2_000 {
            let x = next()
            Window.push(x, ring: &ring, sorted: &sorted, base: base, capacity: capacity, count: &count, head: &head)
            recent.append(x)
            if recent.count > capacity { recent.removeFirst() }
            #expect(Array(sorted[base..<(base + Int(count))]) == recent.sorted(), "step \(step)")
            #expect(Int(count) == recent.count)
        }
        #expect(ring[base - 1].isNaN && ring[base + capacity].isNaN && sorted[base - 1].isNaN, "outside the window")
    }
}
