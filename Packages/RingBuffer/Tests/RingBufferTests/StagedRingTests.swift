import RingBuffer
import Testing

/// Single-threaded behaviour: the test plays the producer and every stage in turn.
@Suite struct StagedRingTests {
    /// Pushes and fully consumes `count` items (through every stage), leaving every cursor at `start + count`.
    func advance(_ ring: StagedRing<LogDescriptor>, by count: Int, from start: UInt64 = 0) {
        for n in 0..<UInt64(count) {
            #expect(ring.producer.tryPush(.make(start + n)))
            for stage in 0..<ring.stageCount {
                let window = ring.stage(stage).tryRead(upTo: 1)
                #expect(window?.first.first == .make(start + n))
                ring.stage(stage).commit(1)
            }
        }
    }

    @Test func anEmptyRingHasNothingToRead() {
        let ring = StagedRing<LogDescriptor>(capacity: 8, stages: 2)
        #expect(ring.capacity == 8)
        #expect(ring.stageCount == 2)
        #expect(ring.stage(0).available() == 0)
        #expect(ring.stage(0).tryRead(upTo: 4) == nil)
        #expect(ring.stage(1).tryRead(upTo: 4) == nil)
    }

    @Test func theRingIsFullWhenTheProducerIsCapacityAheadOfTheLastStage() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 8)
        let window = try #require(ring.producer.tryClaim(upTo: 100))
        #expect(window.count == 8)
        for i in window.indices { window[i] = .make(UInt64(i)) }
        ring.producer.publish(8)
        #expect(ring.producer.tryClaim(upTo: 1) == nil)
        #expect(!ring.producer.tryPush(.make(8)))

        let read = try #require(ring.stage(0).tryRead(upTo: 3))
        #expect(Array(read) == (0..<3).map { LogDescriptor.make($0) })
        #expect(ring.producer.tryClaim(upTo: 1) == nil, "reading alone frees nothing")
        ring.stage(0).commit(3)
        let freed = try #require(ring.producer.tryClaim(upTo: 10))
        #expect(freed.count == 3, "a claim larger than the free space comes back short")
        #expect(freed.sequence == 8)
    }

    @Test func onlyTheLastStageFreesSlotsAndEachStageWaitsForTheOneBefore() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 4, stages: 3)
        for n in 0..<4 { #expect(ring.producer.tryPush(.make(UInt64(n)))) }
        #expect(ring.stage(1).tryRead(upTo: 4) == nil, "stage 1 sees nothing stage 0 has not committed")

        #expect(ring.stage(0).tryRead(upTo: 4)?.count == 4)
        ring.stage(0).commit(4)
        #expect(ring.stage(1).available() == 4)
        #expect(ring.stage(2).available() == 0)
        ring.stage(1).commit(3)
        #expect(ring.stage(2).available() == 3)
        #expect(ring.producer.tryClaim(upTo: 1) == nil, "the producer waits on the last stage only")

        #expect(ring.stage(2).tryRead(upTo: 4)?.count == 3)
        ring.stage(2).commit(2)
        #expect(try #require(ring.producer.tryClaim(upTo: 4)).count == 2)
    }

    @Test func windowsCrossingTheEndComeInTwoPartsInSequenceOrder() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 8, stages: 2)
        advance(ring, by: 6)

        let claimed = try #require(ring.producer.tryClaim(upTo: 5))
        #expect(claimed.sequence == 6)
        #expect(claimed.count == 5)
        #expect(claimed.first.count == 2)
        #expect(claimed.second.count == 3)
        #expect(claimed.first.baseAddress == claimed.second.baseAddress! + 6, "slot = sequence & mask")
        for i in claimed.indices { claimed[i] = .make(UInt64(6 + i)) }
        ring.producer.publish(5)

        for stage in 0..<2 {
            let read = try #require(ring.stage(stage).tryRead(upTo: 8))
            #expect(read.sequence == 6)
            #expect((read.first.count, read.second.count) == (2, 3))
            #expect(Array(read) == (6..<11).map { LogDescriptor.make($0) })
            #expect(Array(read.first) + Array(read.second) == Array(read))
            ring.stage(stage).commit(read.count)
        }

        // A read limit inside the wrapped region: only the part before the end, then the rest.
        advance(ring, by: 4, from: 11)   // cursors at 15: slot 7
        for n in UInt64(15)..<18 { #expect(ring.producer.tryPush(.make(n))) }
        let head = try #require(ring.stage(0).tryRead(upTo: 1))
        #expect((head.sequence, head.first.count, head.second.count) == (15, 1, 0))
        ring.stage(0).commit(1)
        let rest = try #require(ring.stage(0).tryRead(upTo: 8))
        #expect((rest.sequence, rest.first.count, rest.second.count) == (16, 2, 0))
        #expect(Array(rest) == [.make(16), .make(17)])
    }

    @Test(arguments: [1, 2])
    func tinyCapacitiesWrapOnEveryFewElements(capacity: Int) throws {
        let ring = StagedRing<LogDescriptor>(capacity: capacity, stages: 2)
        var next: UInt64 = 0
        for _ in 0..<50 {
            let window = try #require(ring.producer.tryClaim(upTo: 3))
            #expect(window.count == capacity)
            #expect(window.sequence == Int(next))
            for i in window.indices { window[i] = .make(next + UInt64(i)) }
            ring.producer.publish(window.count)
            #expect(ring.producer.tryClaim(upTo: 1) == nil)
            for stage in 0..<2 {
                let read = try #require(ring.stage(stage).tryRead(upTo: 3))
                #expect(Array(read) == (next..<next + UInt64(capacity)).map { LogDescriptor.make($0) })
                ring.stage(stage).commit(read.count)
            }
            next += UInt64(capacity)
        }
        // Capacity 2, starting at an odd sequence: every window of 2 wraps.
        if capacity == 2 {
            advance(ring, by: 1, from: next)
            let window = try #require(ring.producer.tryClaim(upTo: 2))
            #expect((window.first.count, window.second.count) == (1, 1))
        }
    }

    @Test func sequenceNumbersKeepGrowingPastTheCapacity() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 4)
        advance(ring, by: 4 * 10 + 1)
        let window = try #require(ring.producer.tryClaim(upTo: 4))
        #expect(window.sequence == 41)
        #expect(window.count == 4)
        #expect((window.first.count, window.second.count) == (3, 1))
    }

    @Test func publishingPartOfAClaimGivesUpTheRest() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 8)
        let window = try #require(ring.producer.tryClaim(upTo: 5))
        for i in 0..<2 { window[i] = .make(UInt64(i)) }
        ring.producer.publish(2)
        #expect(ring.stage(0).available() == 2)
        let next = try #require(ring.producer.tryClaim(upTo: 8))
        #expect(next.sequence == 2)
        #expect(next.count == 6)
        ring.producer.publish(0)
        #expect(ring.stage(0).available() == 2)
    }

    @Test func readingAgainBeforeCommittingReturnsTheSameElements() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 8)
        for n in 0..<UInt64(5) { #expect(ring.producer.tryPush(.make(n))) }
        let first = try #require(ring.stage(0).tryRead(upTo: 3))
        let again = try #require(ring.stage(0).tryRead(upTo: 3))
        #expect(Array(first) == Array(again))
        ring.stage(0).commit(2)
        let after = try #require(ring.stage(0).tryRead(upTo: 8))
        #expect(after.sequence == 2)
        #expect(Array(after) == (2..<5).map { LogDescriptor.make($0) })
    }

    @Test func aStageMayChangeItsSlotsInPlaceForTheStagesAfterIt() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 4, stages: 2)
        #expect(ring.producer.tryPush(.make(7)))
        let window = try #require(ring.stage(0).tryRead(upTo: 1))
        window[0].offset = ~window[0].offset
        ring.stage(0).commit(1)
        #expect(ring.stage(1).tryRead(upTo: 1)?[0] == .stamped(7))
    }

    @Test func afterCloseEveryStageDrainsThenReadsNil() throws {
        let ring = StagedRing<LogDescriptor>(capacity: 8, stages: 2)
        for n in 0..<UInt64(3) { #expect(ring.producer.tryPush(.make(n))) }
        ring.producer.close()
        let stage0 = try #require(ring.stage(0).read(upTo: 8))
        #expect(stage0.count == 3)
        #expect(ring.stage(1).tryRead(upTo: 8) == nil)
        ring.stage(0).commit(3)
        #expect(ring.stage(0).read(upTo: 8) == nil)
        #expect(ring.stage(1).read(upTo: 8)?.count == 3)
        ring.stage(1).commit(3)
        #expect(ring.stage(1).read(upTo: 8) == nil)
    }

    @Test func blockingCallsReturnAtOnceWhenTheyNeedNotWait() throws {
        let ring = StagedRing<Int>(capacity: 2, spinLimit: .zero)
        ring.producer.push(1)
        #expect(ring.producer.claim(upTo: 4).count == 1)
        ring.producer.publish(0)
        #expect(ring.stage(0).read(upTo: 4).map(Array.init) == [1])
        #expect(ring.producer.parkCount == 0)
        #expect(ring.stage(0).parkCount == 0)
    }

    @Test func spinningIsOffWhenTheRingsThreadsOutnumberTheProcessors() {
        #expect(StagedRing<Int>(capacity: 2, stages: 4096).spinLimit == .zero)
        #expect(StagedRing<Int>(capacity: 2, stages: 4096, spinLimit: .microseconds(7)).spinLimit == .microseconds(7))
        #expect(StagedRing<Int>(capacity: 2, spinLimit: .zero).spinLimit == .zero)
        let automatic = StagedRing<Int>(capacity: 2).spinLimit
        #expect(automatic == StagedRing<Int>.defaultSpinLimit || automatic == .zero)
    }

    @Test func theSymmetricHandshakeCanBeForced() {
        #expect(!StagedRing<Int>(capacity: 2, stages: 1, spinLimit: nil, asymmetricFences: false).asymmetricFences)
        #if os(Linux)
        // Linux has had membarrier(PRIVATE_EXPEDITED) since 4.14; only a seccomp filter could refuse it.
        print("asymmetric fences on this machine: \(StagedRing<Int>(capacity: 2).asymmetricFences)")
        #endif
    }

    @Test func aNonPowerOfTwoCapacityIsRefused() async {
        await #expect(processExitsWith: .failure) {
            _ = StagedRing<Int>(capacity: 12)
        }
    }

    @Test func publishingMoreThanWasClaimedIsRefused() async {
        await #expect(processExitsWith: .failure) {
            let ring = StagedRing<Int>(capacity: 8)
            _ = ring.producer.tryClaim(upTo: 2)
            ring.producer.publish(3)
        }
    }

    @Test func committingMoreThanIsReadableIsRefused() async {
        await #expect(processExitsWith: .failure) {
            let ring = StagedRing<Int>(capacity: 8, stages: 2)
            ring.producer.push(1)
            ring.stage(0).commit(1)
            ring.stage(1).commit(2)
        }
    }
}
