import Atomics

extension StagedRing {
    /// One consumer stage of a `StagedRing`: read a window of what the stage before it has finished, process it,
    /// commit it to the stage after it (or, for the last stage, back to the producer as free slots).
    ///
    /// One thread at a time may use a given stage, as for the producer; `available()` and `parkCount` are the
    /// exceptions, safe from any thread. A handle is only the ring and a role; the discipline is the caller's
    /// (see "Why `@unchecked Sendable` is safe" on `StagedRing`).
    public struct Stage: Sendable {
        @usableFromInline internal let ring: StagedRing
        /// 1 + the stage's index: its slot in the control block (0 is the producer).
        @usableFromInline internal let party: Int

        @inlinable
        internal init(ring: StagedRing, party: Int) {
            self.ring = ring
            self.party = party
        }

        /// The stage's position in the chain: 0 reads what the producer publishes.
        @inlinable
        public var index: Int { party &- 1 }

        /// How many elements this stage could read now: a snapshot, without blocking. Safe from any thread (metrics
        /// and status lines call it); it reads the two cursors and writes nothing.
        @inlinable
        public func available() -> Int {
            // Acquiring: keeps our cursor's load below after this one. Our cursor only grows, so the difference is at
            // most the upstream cursor's lead at this instant, never more than the capacity, even when the calling
            // thread is delayed between the loads (the other order could overshoot the capacity).
            let upstream = ring.cursor(party &- 1).load(ordering: .acquiring)
            // Relaxed: a snapshot; tryRead makes its own acquiring load before any slot is read.
            let own = ring.cursor(party).load(ordering: .relaxed)
            return Swift.max(0, upstream &- own)
        }

        /// Lends up to `maximum` elements the stage before this one has finished with, without blocking; `nil` when
        /// there are none. Reading again before committing returns the same elements first.
        @inlinable
        public func tryRead(upTo maximum: Int) -> Window? {
            precondition(maximum > 0, "StagedRing.Stage.tryRead needs a positive count, got \(maximum)")
            let owner = ring.owner(party)
            // Relaxed: only this stage's thread stores its cursor.
            let own = ring.cursor(party).load(ordering: .relaxed)
            var ready = owner.pointee.limit &- own
            if ready < maximum {
                // Acquiring: the producer (or the stage before) stores its cursor releasing, after writing (or
                // finishing with) the slots it passes; acquiring it makes those slots' contents visible to our reads.
                owner.pointee.limit = ring.cursor(party &- 1).load(ordering: .acquiring)
                ready = owner.pointee.limit &- own
            }
            guard ready > 0 else { return nil }
            return ring.window(at: own, count: Swift.min(maximum, ready))
        }

        /// Like `tryRead`, but when nothing is ready spins for up to `spinLimit`, then parks until the stage before
        /// publishes or commits. Returns `nil` only when the producer has closed the ring and this stage has
        /// committed everything.
        ///
        /// Not for Swift concurrency's cooperative threads: it blocks the thread.
        @inlinable
        public func read(upTo maximum: Int) -> Window? {
            if let window = tryRead(upTo: maximum) { return window }
            ring.waitForUpstream(party: party)
            return tryRead(upTo: maximum)
        }

        /// Hands the first `count` elements of what this stage can read on to the next stage (or frees their slots,
        /// for the last stage), and wakes that neighbour if it is parked. A stage may commit elements it has not read
        /// (a filter that passes them on untouched).
        @inlinable
        public func commit(_ count: Int) {
            let cursor = ring.cursor(party)
            let owner = ring.owner(party)
            // Relaxed: only this stage's thread stores its cursor.
            let own = cursor.load(ordering: .relaxed)
            if count > owner.pointee.limit &- own {
                // Acquiring: committing hands these slots on, so this thread must have acquired them itself (as
                // tryRead does) for the producer's writes to be ordered before the next stage's reads.
                owner.pointee.limit = ring.cursor(party &- 1).load(ordering: .acquiring)
            }
            let readable = owner.pointee.limit &- own
            precondition(count >= 0 && count <= readable,
                         "StagedRing stage \(party &- 1) commits \(count) elements but can read only \(readable)")
            guard count > 0 else { return }
            // Releasing: our reads of (and in-place writes to) these slots happen before the next stage, or the
            // producer reusing the slots, acquires the new cursor value.
            cursor.store(own &+ count, ordering: .releasing)
            ring.wakeIfParked(party: party == ring.stageCount ? 0 : party &+ 1)
        }

        /// How many times this stage has parked in `read` (statistics; read from any thread).
        public var parkCount: Int {
            // Relaxed: a statistic, ordered with nothing.
            ring.parkCount(party).load(ordering: .relaxed)
        }
    }
}
