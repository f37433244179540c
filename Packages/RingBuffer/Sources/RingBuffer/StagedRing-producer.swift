import Atomics

extension StagedRing {
    /// The writing side of a `StagedRing`: claim a window, fill it, publish it.
    ///
    /// One thread at a time may use the producer (the MQTT network thread in Wattline); handing it to another thread
    /// needs something that orders the two (a lock both hold while using it, a thread start or join). `parkCount` is
    /// the exception: any thread may read it. A handle is only the ring and a role; the discipline is the caller's
    /// (see "Why `@unchecked Sendable` is safe" on `StagedRing`).
    public struct Producer: Sendable {
        @usableFromInline internal let ring: StagedRing

        @inlinable
        internal init(ring: StagedRing) { self.ring = ring }

        /// Lends up to `maximum` free slots, without ever blocking: `nil` when the ring is full, a shorter window when
        /// fewer slots are free. Write the slots, then `publish` how many of them are ready.
        ///
        /// A new claim replaces an unpublished one (the same slots come back first).
        @inlinable
        public func tryClaim(upTo maximum: Int) -> Window? {
            precondition(maximum > 0, "StagedRing.Producer.tryClaim needs a positive count, got \(maximum)")
            let owner = ring.owner(0)
            precondition(!owner.pointee.closed, "StagedRing.Producer: claim after close()")
            // Relaxed: only this thread stores the producer cursor, so its own last store is what it reads.
            let next = ring.cursor(0).load(ordering: .relaxed)
            var free = ring.capacity &- (next &- owner.pointee.limit)
            if free < maximum {
                // Acquiring: the last stage stores its cursor (releasing) after it has finished with the slots it
                // passed; acquiring that store orders our coming writes to those slots after its reads of them.
                owner.pointee.limit = ring.cursor(ring.stageCount).load(ordering: .acquiring)
                free = ring.capacity &- (next &- owner.pointee.limit)
            }
            guard free > 0 else {
                owner.pointee.pending = 0
                return nil
            }
            let count = Swift.min(maximum, free)
            owner.pointee.pending = count
            return ring.window(at: next, count: count)
        }

        /// Like `tryClaim`, but when the ring is full spins for up to `spinLimit`, then parks until the last stage
        /// frees a slot. Never returns an empty window.
        ///
        /// Not for a thread that must never block (a network thread): use `tryClaim` and spill instead.
        @inlinable
        public func claim(upTo maximum: Int) -> Window {
            if let window = tryClaim(upTo: maximum) { return window }
            ring.waitForFreeSlot()
            guard let window = tryClaim(upTo: maximum) else {
                preconditionFailure("StagedRing: woken with no free slot")
            }
            return window
        }

        /// Makes the first `count` slots of the last claim visible to stage 0, and wakes it if it is parked.
        /// `count` may be smaller than the claim; the rest of the claim is given up.
        @inlinable
        public func publish(_ count: Int) {
            let owner = ring.owner(0)
            precondition(count >= 0 && count <= owner.pointee.pending,
                         "StagedRing.Producer.publish(\(count)) exceeds the \(owner.pointee.pending) slots claimed")
            owner.pointee.pending = 0
            guard count > 0 else { return }
            let cursor = ring.cursor(0)
            // Relaxed: our own cursor (see tryClaim).
            let next = cursor.load(ordering: .relaxed)
            // Releasing: the slot writes before it become visible to whoever acquires the new cursor value.
            cursor.store(next &+ count, ordering: .releasing)
            ring.wakeIfParked(party: 1)
        }

        /// Writes and publishes one element if a slot is free, without ever blocking; `false` when the ring is full.
        @inlinable
        public func tryPush(_ element: Element) -> Bool {
            guard let window = tryClaim(upTo: 1) else { return false }
            window.first[0] = element
            publish(1)
            return true
        }

        /// Writes and publishes one element, waiting (spin, then park) while the ring is full.
        @inlinable
        public func push(_ element: Element) {
            claim(upTo: 1).first[0] = element
            publish(1)
        }

        /// Ends the stream: once every stage has consumed what was published, their `read` returns `nil`. Wakes every
        /// parked stage. The producer must not claim after closing.
        public func close() {
            let owner = ring.owner(0)
            owner.pointee.closed = true
            owner.pointee.pending = 0
            // Releasing: the last publish (a releasing cursor store before this one) is ordered before the flag, so a
            // stage that acquires the flag and then the producer cursor reads the final cursor.
            ring.closedFlag.store(1, ordering: .releasing)
            for party in 1...ring.stageCount {
                ring.wakeIfParked(party: party)
            }
        }

        /// How many times the producer has parked in `claim` (statistics; read from any thread).
        public var parkCount: Int {
            // Relaxed: a statistic, ordered with nothing.
            ring.parkCount(0).load(ordering: .relaxed)
        }
    }
}
