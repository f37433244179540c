import DequeModule
import Foundation
import RingBuffer
import Synchronization

/// The write-ahead log's descriptor as the ingest pipeline will pass it from stage to stage (24 bytes).
struct LogDescriptor: BitwiseCopyable {
    var lsn: UInt64
    var segment: UInt32
    var length: UInt32
    var offset: UInt64

    @inline(__always)
    static func make(_ n: Int) -> LogDescriptor {
        LogDescriptor(lsn: UInt64(n), segment: UInt32(truncatingIfNeeded: n >> 16), length: 880,
                      offset: UInt64(n) &* 880)
    }
}

/// Hand-off throughput between threads: `StagedRing` (per item and in batches of 64) beside a `Mutex<Deque>` queue
/// that takes one lock per item, then the ring's design choice (one ring with chained stages) beside its alternative
/// (a chain of single-stage rings, each stage copying into the next), all in the same run.
///
/// Every consumer sums the `lsn`s it sees and the sum is checked, so nothing is optimised away and nothing is lost.
enum RingBenchmark {
    static let capacity = 4096
    static let batch = 64

    struct Figure {
        let items: Int
        let seconds: Double
        var itemsPerSecond: Double { Double(items) / seconds }
        var nanosecondsPerItem: Double { seconds * 1e9 / Double(items) }
    }

    /// Runs the bodies on threads of their own (the ring's blocking calls park OS threads, not tasks) and returns the
    /// wall time from starting the first to the last one finishing.
    static func timeThreads(_ bodies: [@Sendable () -> Void]) -> Double {
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for body in bodies {
            group.enter()
            let thread = Thread {
                body()
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Each measurement's best of `rounds`, the rounds interleaved: the machine is shared and noisy, and a burst of
    /// a neighbour's work then spoils one round of each measurement rather than every round of one.
    static func best(rounds: Int = 5, _ measurements: [(items: Int, run: (Int) -> Double)]) -> [Figure] {
        var fastest = [Double](repeating: .infinity, count: measurements.count)
        for _ in 0..<rounds {
            for (index, measurement) in measurements.enumerated() {
                fastest[index] = min(fastest[index], measurement.run(measurement.items))
            }
        }
        return zip(measurements, fastest).map { Figure(items: $0.items, seconds: $1) }
    }

    static func check(_ sum: UInt64, items: Int, _ what: String) {
        let expected = UInt64(items) * UInt64(items - 1) / 2
        precondition(sum == expected, "\(what): consumer summed \(sum), expected \(expected)")
    }

    // MARK: One producer, one consumer

    static func lockedQueue(items: Int) -> Double {
        let queue = Mutex(Deque<LogDescriptor>(minimumCapacity: capacity))
        let capacity = self.capacity
        return timeThreads([
            {
                for n in 0..<items {
                    let descriptor = LogDescriptor.make(n)
                    while !queue.withLock({ deque in
                        guard deque.count < capacity else { return false }
                        deque.append(descriptor)
                        return true
                    }) {}
                }
            },
            {
                var sum: UInt64 = 0
                var received = 0
                while received < items {
                    if let descriptor = queue.withLock({ $0.popFirst() }) {
                        sum &+= descriptor.lsn
                        received += 1
                    }
                }
                check(sum, items: items, "Mutex<Deque>")
            },
        ])
    }

    static func ringPerItem(items: Int) -> Double {
        let ring = StagedRing<LogDescriptor>(capacity: capacity)
        return timeThreads([
            {
                let producer = ring.producer
                for n in 0..<items { producer.push(.make(n)) }
                producer.close()
            },
            {
                let stage = ring.stage(0)
                var sum: UInt64 = 0
                while let window = stage.read(upTo: 1) {
                    sum &+= window[0].lsn
                    stage.commit(1)
                }
                check(sum, items: items, "StagedRing per item")
            },
        ])
    }

    static func ringBatched(items: Int) -> Double {
        let ring = StagedRing<LogDescriptor>(capacity: capacity)
        let batch = self.batch
        return timeThreads([
            { produceBatches(ring.producer, items: items, batch: batch) },
            {
                let sum = consumeBatches(ring.stage(0), batch: batch)
                check(sum, items: items, "StagedRing batched")
            },
        ])
    }

    static func produceBatches(_ producer: StagedRing<LogDescriptor>.Producer, items: Int, batch: Int) {
        var next = 0
        while next < items {
            let window = producer.claim(upTo: min(batch, items - next))
            for i in window.indices { window[i] = .make(next + i) }
            producer.publish(window.count)
            next += window.count
        }
        producer.close()
    }

    /// Reads to the end of the stream; returns the sum of the `lsn`s.
    static func consumeBatches(_ stage: StagedRing<LogDescriptor>.Stage, batch: Int) -> UInt64 {
        var sum: UInt64 = 0
        while let window = stage.read(upTo: batch) {
            for descriptor in window { sum &+= descriptor.lsn }
            stage.commit(window.count)
        }
        return sum
    }

    // MARK: Three stages: one ring with sequence barriers, or a chain of single-stage rings

    static func oneRingPipeline(items: Int, stages: Int) -> Double {
        let ring = StagedRing<LogDescriptor>(capacity: capacity, stages: stages)
        let batch = self.batch
        var bodies: [@Sendable () -> Void] = [{ produceBatches(ring.producer, items: items, batch: batch) }]
        for index in 0..<stages {
            bodies.append { check(consumeBatches(ring.stage(index), batch: batch), items: items, "stage \(index)") }
        }
        return timeThreads(bodies)
    }

    static func chainedRingsPipeline(items: Int, stages: Int) -> Double {
        let rings = (0..<stages).map { _ in StagedRing<LogDescriptor>(capacity: capacity) }
        let batch = self.batch
        var bodies: [@Sendable () -> Void] = [{ produceBatches(rings[0].producer, items: items, batch: batch) }]
        for index in 0..<stages {
            bodies.append {
                let stage = rings[index].stage(0)
                var sum: UInt64 = 0
                if index == stages - 1 {
                    sum = consumeBatches(stage, batch: batch)
                } else {
                    // Look at each element, then copy it into the next ring.
                    let next = rings[index + 1].producer
                    while let window = stage.read(upTo: batch) {
                        let out = next.claim(upTo: window.count)
                        for i in out.indices {
                            let descriptor = window[i]
                            sum &+= descriptor.lsn
                            out[i] = descriptor
                        }
                        next.publish(out.count)
                        stage.commit(out.count)
                    }
                    next.close()
                }
                check(sum, items: items, "chained stage \(index)")
            }
        }
        return timeThreads(bodies)
    }
}

/// `make bench`: the ring buffer's table.
func runRingBenchmark() {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print()
    print("## Ring buffer: one producer → one consumer thread, \(MemoryLayout<LogDescriptor>.size)-byte LogDescriptor, "
          + "capacity \(RingBenchmark.capacity)")
    let widths = [-48, 14, 10, 11]
    print(row(["queue", "items/s", "ns/item", "vs locked"], widths: widths))
    let figures = RingBenchmark.best([
        (items: 1_000_000, run: RingBenchmark.lockedQueue),
        (items: 10_000_000, run: RingBenchmark.ringPerItem),
        (items: 100_000_000, run: RingBenchmark.ringBatched),
    ])
    let (locked, perItem, batched) = (figures[0], figures[1], figures[2])
    for (name, figure) in [("Mutex<Deque<LogDescriptor>>, one lock per item", locked),
                           ("StagedRing, one item per claim/read", perItem),
                           ("StagedRing, batches of \(RingBenchmark.batch)", batched)] {
        print(row([name, fmt(figure.itemsPerSecond), fmt(figure.nanosecondsPerItem, 2),
                   fmt(figure.itemsPerSecond / locked.itemsPerSecond, 1) + "x"], widths: widths))
    }
    print()
    print("## Three stages, batches of \(RingBenchmark.batch): producer + 3 stage threads on \(cores) cores "
          + "(threads > cores: no spinning, waiting stages park)")
    print(row(["design", "items/s", "ns/item", "ratio"], widths: widths))
    let pipelines = RingBenchmark.best([
        (items: 10_000_000, run: { RingBenchmark.oneRingPipeline(items: $0, stages: 3) }),
        (items: 10_000_000, run: { RingBenchmark.chainedRingsPipeline(items: $0, stages: 3) }),
    ])
    let (oneRing, chained) = (pipelines[0], pipelines[1])
    print(row(["one StagedRing, 3 chained stages (chosen)", fmt(oneRing.itemsPerSecond),
               fmt(oneRing.nanosecondsPerItem, 2), fmt(oneRing.itemsPerSecond / chained.itemsPerSecond, 2) + "x"],
              widths: widths))
    print(row(["3 single-stage StagedRings, each stage copying", fmt(chained.itemsPerSecond),
               fmt(chained.nanosecondsPerItem, 2), "1.00x"], widths: widths))
    print()
    print("target: ≥ 10× the locked queue, and ≥ 100,000,000 items/s in batches")
}
