#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RingBuffer
import Synchronization
import Testing

/// One producer thread and a chain of stage threads moving millions of descriptors; every stage checks each element's
/// sequence and contents, and keeps a running checksum that must equal the producer's.
/// Counts come from `RING_STRESS_ITEMS` (default 2,000,000), so ThreadSanitizer runs can use fewer.
@Suite(.serialized) struct StagedRingStressTests {
    struct Run: Sendable, CustomTestStringConvertible {
        var name: String
        var capacity: Int
        var stages: Int
        /// Largest claim; 1 means one `tryPush`/`push` per item.
        var claimBatch: Int
        /// Largest read; 1 means one read and commit per item.
        var readBatch: Int
        /// `claim` (park when full) instead of `tryClaim` and retry.
        var blockingClaim: Bool
        /// Stage 0 rewrites each element in place; later stages must see the rewrite.
        var stamp: Bool
        /// Sometimes publish less than claimed and commit less than read.
        var partial: Bool
        /// The share of `RING_STRESS_ITEMS` this run moves.
        var divisor: Int = 1
        var spinLimit: Duration? = nil
        /// The parking handshake: `nil` the automatic choice (membarrier where the kernel has it), `false` fences on
        /// both sides.
        var asymmetricFences: Bool? = nil

        var testDescription: String { name + (asymmetricFences == false ? ", symmetric fences" : "") }
    }

    static let runs: [Run] = [
        Run(name: "per item, 1 stage, tryPush and retry", capacity: 1024, stages: 1, claimBatch: 1, readBatch: 1,
            blockingClaim: false, stamp: false, partial: false),
        Run(name: "per item, 3 stages, blocking push, in-place stamp", capacity: 256, stages: 3, claimBatch: 1,
            readBatch: 1, blockingClaim: true, stamp: true, partial: false, divisor: 2, asymmetricFences: false),
        Run(name: "batches ≤ 64, 3 stages, tryClaim, partial publish/commit, stamp", capacity: 1024, stages: 3,
            claimBatch: 64, readBatch: 64, blockingClaim: false, stamp: true, partial: true),
        Run(name: "batches 13/7 on capacity 16, 2 stages, blocking claim", capacity: 16, stages: 2, claimBatch: 13,
            readBatch: 7, blockingClaim: true, stamp: true, partial: true, divisor: 2, asymmetricFences: false),
        Run(name: "batches on capacity 2, 2 stages, spinning forced on", capacity: 2, stages: 2, claimBatch: 3,
            readBatch: 2, blockingClaim: true, stamp: false, partial: false, divisor: 40, spinLimit: .microseconds(20)),
        Run(name: "capacity 1, 2 stages, parking only", capacity: 1, stages: 2, claimBatch: 2, readBatch: 2,
            blockingClaim: true, stamp: true, partial: false, divisor: 20, spinLimit: .zero),
        Run(name: "capacity 1, 2 stages, parking only", capacity: 1, stages: 2, claimBatch: 2, readBatch: 2,
            blockingClaim: true, stamp: true, partial: false, divisor: 20, spinLimit: .zero, asymmetricFences: false),
    ]

    struct ProducerReport: Sendable {
        var count = 0
        var checksum = Checksum()
        var fullClaims = 0
    }

    enum Report: Sendable {
        case producer(ProducerReport)
        case stage(StageReport)
    }

    @Test(arguments: runs)
    func elementsArriveAtEveryStageInOrderAndIntact(run: Run) throws {
        let items = max(1, stressItems(default: 2_000_000) / run.divisor)
        let ring = StagedRing<LogDescriptor>(capacity: run.capacity, stages: run.stages, spinLimit: run.spinLimit,
                                             asymmetricFences: run.asymmetricFences)
        var bodies: [@Sendable () -> Report] = [{ .producer(Self.produce(ring.producer, items: items, run: run)) }]
        for index in 0..<run.stages {
            bodies.append { .stage(Self.consume(ring.stage(index), run: run)) }
        }

        let started = monotonicNanoseconds()
        let reports = runOnThreads(bodies)
        let seconds = Double(monotonicNanoseconds() - started) / 1e9

        guard case .producer(let producer)? = reports[0] else {
            Issue.record("the producer did not finish")
            return
        }
        #expect(producer.count == items)
        for (index, report) in reports.dropFirst().enumerated() {
            guard case .stage(let stage)? = report else {
                Issue.record("stage \(index) did not finish: a lost wake-up?")
                continue
            }
            #expect(stage.firstError == nil)
            #expect(stage.count == items, "stage \(index)")
            #expect(stage.checksum == producer.checksum, "stage \(index)")
        }
        if !run.blockingClaim {
            #expect(ring.producer.parkCount == 0, "tryClaim never parks")
        }
        print("\(run.testDescription): \(items) items in \(String(Int(seconds * 1000))) ms, \(producer.fullClaims) full claims, "
              + "parks: producer \(ring.producer.parkCount), stages \((0..<run.stages).map { ring.stage($0).parkCount })")
    }

    /// Metrics read `available()` and `occupancy` from a thread of their own while the ring runs: snapshots that
    /// stay within bounds, and (under ThreadSanitizer) no race with the stage's own bookkeeping.
    @Test func aMonitoringThreadMayReadAvailableAndOccupancy() {
        let items = max(10_000, stressItems(default: 2_000_000) / 10)
        let run = Run(name: "monitored", capacity: 256, stages: 2, claimBatch: 16, readBatch: 16, blockingClaim: true,
                      stamp: false, partial: true)
        let ring = StagedRing<LogDescriptor>(capacity: run.capacity, stages: run.stages)
        let done = Atomic<Bool>(false)
        let reports = runOnThreads(
            { () -> String? in
                _ = Self.produce(ring.producer, items: items, run: run)
                return nil
            },
            { Self.consume(ring.stage(0), run: run).firstError },
            { () -> String? in
                let report = Self.consume(ring.stage(1), run: run)
                done.store(true, ordering: .releasing)
                return report.firstError ?? (report.count == items ? nil : "stage 1 saw \(report.count) of \(items)")
            },
            { () -> String? in
                var samples = 0
                while !done.load(ordering: .acquiring) || samples == 0 {
                    let (available, occupancy) = (ring.stage(1).available(), ring.occupancy)
                    guard (0...run.capacity).contains(available), (0...run.capacity).contains(occupancy) else {
                        return "snapshot out of bounds: available \(available), occupancy \(occupancy)"
                    }
                    samples += 1
                }
                return nil
            }
        )
        #expect(reports.count == 4)
        for report in reports { #expect(report == .some(nil)) }
        #expect(ring.occupancy == 0)
        #expect(ring.stage(0).available() == 0)
    }

    static func produce(_ producer: StagedRing<LogDescriptor>.Producer, items: Int, run: Run) -> ProducerReport {
        var report = ProducerReport()
        var next: UInt64 = 0
        let end = UInt64(items)
        while next < end {
            let wanted = 1 + Int((next &* 7919) % UInt64(run.claimBatch))
            let window: StagedRing<LogDescriptor>.Window
            if run.blockingClaim {
                window = producer.claim(upTo: wanted)
            } else {
                guard let claimed = producer.tryClaim(upTo: wanted) else {
                    report.fullClaims += 1
                    sched_yield()   // a real producer would spill to disk here
                    continue
                }
                window = claimed
            }
            var count = min(window.count, Int(end - next))
            if run.partial && count > 1 && next % 3 == 0 { count -= 1 }
            for i in 0..<count {
                let descriptor = LogDescriptor.make(next + UInt64(i))
                window[i] = descriptor
                report.checksum.add(descriptor)
            }
            producer.publish(count)
            next += UInt64(count)
        }
        report.count = items
        producer.close()
        return report
    }

    static func consume(_ stage: StagedRing<LogDescriptor>.Stage, run: Run) -> StageReport {
        var report = StageReport()
        var expected: UInt64 = 0
        let stamped = run.stamp && stage.index > 0
        while let window = stage.read(upTo: 1 + Int((expected &* 31) % UInt64(run.readBatch))) {
            var take = window.count
            if run.partial && take > 1 && expected % 5 == 0 { take /= 2 }
            if window.sequence != Int(expected) && report.firstError == nil {
                report.firstError = "stage \(stage.index): window starts at \(window.sequence), expected \(expected)"
            }
            for i in 0..<take {
                var descriptor = window[i]
                let wanted = stamped ? LogDescriptor.stamped(expected) : LogDescriptor.make(expected)
                if descriptor != wanted && report.firstError == nil {
                    report.firstError = "stage \(stage.index): element \(expected) was \(descriptor), expected \(wanted)"
                }
                if run.stamp && stage.index == 0 { window[i] = .stamped(expected) }
                if stamped { descriptor.offset = ~descriptor.offset }
                report.checksum.add(descriptor)
                expected += 1
            }
            report.count += take
            stage.commit(take)
        }
        return report
    }
}
