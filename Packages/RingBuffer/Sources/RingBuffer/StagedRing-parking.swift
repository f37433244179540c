import Atomics
internal import CParking

// Waiting: spin for a bounded time, then park on the party's parking word with a futex.
//
// The handshake (a Dekker pattern) that keeps wake-ups from being lost:
//
//   waiter (park)                                 waker (publish / commit / close)
//   1. parking word = 1                           1. store its cursor (releasing)
//   2. barrier B1                                 2. barrier B2
//   3. re-check the condition (cursor loads)      3. load the waiter's parking word
//   4. if still not ready: futex wait while       4. if 1: compare-exchange 1 → 0, and if that
//      the word is 1                                 succeeded, futex wake
//
// Each side's barrier keeps its load (3) from being satisfied before its store (1) is visible to the other side, so
// at least one of them sees the other's store: either the waker sees the word 1 and wakes the waiter, or the waiter's
// re-check sees the new cursor and it does not sleep. A wake that lands between the waiter's re-check and its futex
// call is not lost either: the kernel sleeps only while the word is still 1, and the waker cleared it first.
// Spurious returns just go round the loop again.
//
// Two ways to provide B1 and B2 (chosen per ring, `asymmetricFences`):
// - symmetric: both are sequentially consistent fences. Simple, but the waker pays a fence on every publish and
//   commit, and on x86 that fence waits for the cursor store to leave the store buffer, a cache-line transfer when
//   the neighbour has just read the cursor. Measured one element per publish and per commit, one producer and one
//   consumer thread: ~20 ns per element with fences against ~7 ns without.
// - asymmetric (Linux `membarrier`, when the kernel offers it): B1 is `membarrier(PRIVATE_EXPEDITED)`, which makes
//   every running thread of the process execute a full fence (a thread not running gets one when it is scheduled),
//   so whatever the waker was doing, its earlier cursor store is visible after B1, or its later word load comes after
//   B1 and sees the 1. B2 then only has to stop the *compiler* from hoisting the word load above the cursor store:
//   an opaque call, no fence instruction. The waiter pays a few microseconds more per park, which only happens after
//   spinning (or when threads outnumber processors); the waker's fast path is a store, a call and a load.

/// Whether this process may use the asymmetric handshake; registering is a one-time cost (a global's lazy, thread-safe
/// initialisation).
internal let processBarrierAvailable: Bool = cparking_register_process_barrier() != 0

extension StagedRing {
    /// Called by whoever just moved the cursor that `party` waits on: wakes `party` if it is parked.
    @inlinable
    internal func wakeIfParked(party: Int) {
        // B2 of the handshake above. Without it the load below could be answered before our cursor store is visible,
        // and a waiter that just re-checked the old cursor would sleep with nobody to wake it.
        if asymmetricFences {
            compilerBarrier()   // the parker's membarrier fences this thread
        } else {
            atomicMemoryFence(ordering: .sequentiallyConsistent)   // store-load barrier, paired with the parker's
        }
        // Relaxed: B2 orders it; it only decides whether a system call is needed.
        if parkingWord(party).load(ordering: .relaxed) != 0 {
            unpark(party: party)
        }
    }

    /// An opaque call (into C): neither Swift's optimiser nor LLVM moves memory accesses across it. Not inlinable, so
    /// clients never see the C module.
    @usableFromInline
    internal func compilerBarrier() {
        cparking_compiler_barrier()
    }

    @usableFromInline
    internal func unpark(party: Int) {
        let word = parkingWord(party)
        // Relaxed: the word carries no data, only "asleep or not"; the cursors carry the data with their own orderings.
        // The compare-exchange makes one waker responsible for the system call when several race (close and a commit).
        if word.compareExchange(expected: 1, desired: 0, ordering: .relaxed).exchanged {
            cparking_wake(parkingAddress(party), 1)
        }
    }

    /// The producer, in `claim`: returns once the last stage has freed at least one slot.
    @usableFromInline
    internal func waitForFreeSlot() {
        // Relaxed: our own cursor.
        let next = cursor(0).load(ordering: .relaxed)
        let last = cursor(stageCount)
        let capacity = self.capacity
        // Acquiring: as in tryClaim, the slots the last stage passed are ours to overwrite only after its reads.
        park(party: 0) { capacity &- (next &- last.load(ordering: .acquiring)) > 0 }
    }

    /// Stage `party - 1`, in `read`: returns once the party before it has moved past this stage's cursor, or the ring
    /// is closed and this stage has committed everything the producer published.
    @usableFromInline
    internal func waitForUpstream(party: Int) {
        // Relaxed: our own cursor.
        let own = cursor(party).load(ordering: .relaxed)
        let upstream = cursor(party - 1)
        let producerCursor = cursor(0)
        let closed = closedFlag
        park(party: party) {
            // Acquiring: as in tryRead.
            if upstream.load(ordering: .acquiring) != own { return true }
            // Acquiring: close() stores the flag after the last publish, so the producer cursor read next is final.
            return closed.load(ordering: .acquiring) != 0 && producerCursor.load(ordering: .acquiring) == own
        }
    }

    /// Spins for up to `spinLimit` until `ready()`, then parks `party` until a waker clears its parking word, and
    /// repeats until `ready()`.
    internal func park(party: Int, until ready: () -> Bool) {
        if ready() { return }
        if spinLimit > .zero {
            let deadline = ContinuousClock.now.advanced(by: spinLimit)
            var spins = 0
            repeat {
                cparking_cpu_relax()
                if ready() { return }
                spins &+= 1
            } while spins & 63 != 0 || ContinuousClock.now < deadline   // read the clock every 64 spins only
        }
        let word = parkingWord(party)
        while true {
            // Relaxed: B1, which follows, orders it before the re-check (see the handshake above).
            word.store(1, ordering: .relaxed)
            if asymmetricFences {
                let failed = cparking_process_barrier() != 0
                precondition(!failed, "membarrier failed after the process registered for it")
            } else {
                atomicMemoryFence(ordering: .sequentiallyConsistent)
            }
            if ready() {
                // Relaxed: a waker that still sees 1 only makes a wake-up call nobody waits for.
                word.store(0, ordering: .relaxed)
                return
            }
            // Relaxed: a statistic.
            parkCount(party).wrappingIncrement(ordering: .relaxed)
            cparking_wait(parkingAddress(party), 1)
        }
    }

    /// The parking word's address for the kernel, which reads it as a 32-bit integer (`UInt32.AtomicRepresentation`
    /// has that layout).
    internal func parkingAddress(_ party: Int) -> UnsafeMutableRawPointer {
        control + (party * Layout.partyStride + Layout.parkingWordOffset)
    }
}

/// Processors this process may run on, from its affinity mask.
internal func availableProcessors() -> Int {
    Int(cparking_available_processors())
}
