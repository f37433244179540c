#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RingBuffer
import Testing

/// Waiting: spinning then parking, wake-ups that must not be lost, and a producer that never blocks.
@Suite(.serialized) struct StagedRingParkingTests {
    @Test func anIdleStageParksAndUsesNoCPU() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 8, spinLimit: .microseconds(50))
        let idleMilliseconds = 300
        let results = runOnThreads(
            { () -> [Int] in
                let cpu = threadCPUNanoseconds()
                let wall = monotonicNanoseconds()
                let window = ring.stage(0).read(upTo: 1)
                let lsn = window.map { Int($0[0].lsn) } ?? -1
                return [threadCPUNanoseconds() - cpu, monotonicNanoseconds() - wall, lsn]
            },
            { () -> [Int] in
                sleepMicroseconds(idleMilliseconds * 1000)
                ring.producer.push(.make(42))
                return []
            },
        )
        let consumer = try #require(results[0], "the parked stage was never woken")
        let (cpuNanoseconds, wallNanoseconds, lsn) = (consumer[0], consumer[1], consumer[2])
        #expect(lsn == 42)
        #expect(wallNanoseconds >= idleMilliseconds * 1_000_000 * 9 / 10)
        #expect(cpuNanoseconds < 20_000_000, "\(cpuNanoseconds) ns of CPU over \(wallNanoseconds) ns of waiting")
        #expect(ring.stage(0).parkCount >= 1)
        print("idle stage: \(cpuNanoseconds / 1000) µs CPU in \(wallNanoseconds / 1_000_000) ms, \(ring.stage(0).parkCount) park(s)")
    }

    /// Both parking handshakes: `nil` is the automatic choice (membarrier on Linux), `false` fences on both sides.
    static let fences: [Bool?] = [nil, false]

    @Test(arguments: fences)
    func closeWakesEveryParkedStage(asymmetricFences: Bool?) {
        let ring = StagedRing<LogDescriptor>(capacity: 8, stages: 3, spinLimit: .zero, asymmetricFences: asymmetricFences)
        var bodies: [@Sendable () -> Bool] = (0..<3).map { index in { ring.stage(index).read(upTo: 1) == nil } }
        bodies.append {
            sleepMicroseconds(100_000)
            ring.producer.close()
            return true
        }
        let results = runOnThreads(timeout: 60, bodies)
        #expect(results == [true, true, true, true])
        #expect((0..<3).allSatisfy { ring.stage($0).parkCount >= 1 })
    }

    /// Two rings, two threads, one element bouncing between them with spinning off: every hand-off goes through a
    /// park and a wake, so a lost wake-up stops the game (and the join times out) instead of passing unseen.
    @Test(arguments: fences)
    func pingPongThroughParkingLosesNoWakeUp(asymmetricFences: Bool?) {
        let rounds = max(1000, stressItems(default: 2_000_000) / 40)
        let ping = StagedRing<Int>(capacity: 1, stages: 1, spinLimit: .zero, asymmetricFences: asymmetricFences)
        let pong = StagedRing<Int>(capacity: 1, stages: 1, spinLimit: .zero, asymmetricFences: asymmetricFences)
        let results = runOnThreads(timeout: 300,
            { () -> Int in
                var sum = 0
                for round in 0..<rounds {
                    ping.producer.push(round)
                    guard let back = pong.stage(0).read(upTo: 1) else { return -1 }
                    sum &+= back[0]
                    pong.stage(0).commit(1)
                }
                ping.producer.close()
                return sum
            },
            { () -> Int in
                var count = 0
                while let window = ping.stage(0).read(upTo: 1) {
                    let value = window[0]
                    ping.stage(0).commit(1)
                    pong.producer.push(value &* 2)
                    count += 1
                }
                pong.producer.close()
                return count
            },
        )
        #expect(results[0] == rounds * (rounds - 1))
        #expect(results[1] == rounds)
        #expect(ping.stage(0).parkCount + pong.stage(0).parkCount > 0)
        print("ping-pong (asymmetric fences: \(ping.asymmetricFences)): \(rounds) rounds, parks \(ping.stage(0).parkCount) + \(pong.stage(0).parkCount)")
    }

    @Test(arguments: fences)
    func aSlowLastStageParksABlockingProducer(asymmetricFences: Bool?) {
        let items = max(2000, stressItems(default: 2_000_000) / 100)
        let ring = StagedRing<LogDescriptor>(capacity: 16, stages: 2, spinLimit: .microseconds(50),
                                             asymmetricFences: asymmetricFences)
        let results = runOnThreads(
            { () -> StageReport in
                var report = StageReport()
                for n in 0..<UInt64(items) {
                    ring.producer.push(.make(n))
                    report.checksum.add(.make(n))
                }
                ring.producer.close()
                report.count = items
                return report
            },
            { Self.check(ring.stage(0), sleepEvery: 0) },
            { Self.check(ring.stage(1), sleepEvery: 500) },
        )
        #expect(results.allSatisfy { $0 != nil })
        let producer = results[0]!
        for result in results.dropFirst() {
            #expect(result?.firstError == nil)
            #expect(result == producer)
        }
        #expect(ring.producer.parkCount > 0, "the producer spun through every pause of the last stage")
        print("slow last stage: producer parked \(ring.producer.parkCount) times")
    }

    @Test(arguments: fences)
    func aSlowProducerParksEveryStage(asymmetricFences: Bool?) {
        let items = max(2000, stressItems(default: 2_000_000) / 200)
        let ring = StagedRing<LogDescriptor>(capacity: 64, stages: 3, spinLimit: .microseconds(50),
                                             asymmetricFences: asymmetricFences)
        let results = runOnThreads(
            { () -> StageReport in
                var report = StageReport()
                for n in 0..<UInt64(items) {
                    if n % 256 == 0 { sleepMicroseconds(500) }
                    ring.producer.push(.make(n))
                    report.checksum.add(.make(n))
                }
                ring.producer.close()
                report.count = items
                return report
            },
            { Self.check(ring.stage(0), sleepEvery: 0) },
            { Self.check(ring.stage(1), sleepEvery: 0) },
            { Self.check(ring.stage(2), sleepEvery: 0) },
        )
        #expect(results.allSatisfy { $0 != nil })
        for result in results.dropFirst() {
            #expect(result?.firstError == nil)
            #expect(result == results[0])
        }
        for index in 0..<3 {
            #expect(ring.stage(index).parkCount > 0, "stage \(index)")
        }
    }

    /// The network thread's pattern: never block; when the ring is full, spill and try again later.
    @Test func aProducerThatNeverBlocksSeesFullClaimsAndRetries() {
        let items = max(5000, stressItems(default: 2_000_000) / 50)
        let ring = StagedRing<LogDescriptor>(capacity: 64, stages: 2)
        let results = runOnThreads(
            { () -> StageReport in
                var report = StageReport()
                var spilled: [LogDescriptor] = []   // stands in for the spill file
                var replayed = 0                      // spilled[..<replayed] are in the ring already
                var failures = 0
                var next: UInt64 = 0
                while next < UInt64(items) || replayed < spilled.count {
                    if next < UInt64(items) {
                        spilled.append(.make(next))
                        next += 1
                    }
                    // Oldest first: replay what was spilled before anything newer.
                    guard let window = ring.producer.tryClaim(upTo: spilled.count - replayed) else {
                        failures += 1
                        continue
                    }
                    for i in window.indices {
                        window[i] = spilled[replayed + i]
                        report.checksum.add(spilled[replayed + i])
                    }
                    ring.producer.publish(window.count)
                    replayed += window.count
                }
                ring.producer.close()
                report.count = items
                report.firstError = failures > 0 ? nil : "tryClaim never failed: the test did not fill the ring"
                return report
            },
            { Self.check(ring.stage(0), sleepEvery: 0) },
            { Self.check(ring.stage(1), sleepEvery: 1000) },
        )
        #expect(results.allSatisfy { $0 != nil })
        #expect(results[0]?.firstError == nil)
        for result in results.dropFirst() {
            #expect(result?.firstError == nil)
            #expect(result?.count == items)
            #expect(result?.checksum == results[0]?.checksum)
        }
        #expect(ring.producer.parkCount == 0)
    }

    /// Reads one element at a time, checking order and contents; sleeps 200 µs every `sleepEvery` elements.
    static func check(_ stage: StagedRing<LogDescriptor>.Stage, sleepEvery: Int) -> StageReport {
        var report = StageReport()
        var expected: UInt64 = 0
        while let window = stage.read(upTo: 8) {
            for descriptor in window {
                if descriptor != .make(expected) && report.firstError == nil {
                    report.firstError = "stage \(stage.index): element \(expected) was \(descriptor)"
                }
                report.checksum.add(descriptor)
                expected += 1
                if sleepEvery > 0 && expected % UInt64(sleepEvery) == 0 { sleepMicroseconds(200) }
            }
            report.count += window.count
            stage.commit(window.count)
        }
        return report
    }
}
