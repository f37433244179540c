import Atomics

/// A bounded, preallocated, lock-free ring that one producer thread fills and a chain of stage threads drains in
/// order, each stage seeing an element only once the stage before it has finished with it (the LMAX Disruptor's
/// sequence barriers, for one producer and a pipeline of consumers).
///
/// ```
///           producer cursor P          stage 0 cursor C0        stage 1 cursor C1 (the last stage)
///   producer ──publish──▶ stage 0 reads [C0, P) ──commit──▶ stage 1 reads [C1, C0) ──commit──▶ slots free again
///   the producer may claim while next - C1 < capacity
/// ```
///
/// Sequence numbers only grow; an element's slot is `sequence & (capacity - 1)`, and the ring is full when the
/// producer is `capacity` ahead of the last stage. Elements are never copied between stages: every stage reads the
/// same slot, and may change it in place, since between its own cursor and the one before it the slots are its alone.
/// Claims, reads, publishes and commits are batched: one cursor store (and one check for a parked neighbour) covers
/// a whole window of elements.
///
/// ```swift
/// let ring = StagedRing<LogDescriptor>(capacity: 4096, stages: 2)
/// // the network thread: never blocks, spills when the ring is full
/// if let window = ring.producer.tryClaim(upTo: batch.count) { ...; ring.producer.publish(window.count) } else { spill() }
/// // stage k's thread, in a loop
/// guard let window = ring.stage(k).read(upTo: 64) else { return }  // nil: closed and drained
/// for descriptor in window { ... }
/// ring.stage(k).commit(window.count)
/// ```
///
/// ## Waiting
/// `tryClaim` and `tryRead` never block. `claim` and `read` spin for up to `spinLimit` (50 µs by default, none when
/// the ring's threads outnumber the processors this process may use, where spinning would steal the CPU from the
/// very thread it waits for), then park on a futex. A ring whose threads are all parked uses no CPU. Whoever moves
/// a cursor then checks, with one load, whether the thread waiting on that cursor is parked, and makes the wake-up
/// system call only when it is. The handshake that rules out lost wake-ups (in `StagedRing-parking.swift`) needs a
/// store-load barrier on both sides; on Linux the parking side pays for both with `membarrier`, so a publish or
/// commit costs a store, an opaque call and a load, and no fence. Elsewhere both sides use a fence.
///
/// ## One ring with sequence barriers, not a chain of SPSC rings
/// A chain of single-producer single-consumer rings (stage k copying each element into ring k + 1) was the
/// alternative. One ring was chosen because the elements stay where the producer wrote them: no copy per stage,
/// one slot array in the cache instead of one per stage, one capacity to size, and back-pressure that is exact
/// (the producer sees how far the *last* stage is, not just the first ring), and one hand-off per stage instead of
/// two (a chained stage is both a consumer and a producer, and waits on both sides). Measured by `wattline-bench`
/// (producer and three stages, 24-byte descriptors, batches of 64, on 2 cores, so threads outnumber cores and
/// waiting threads park), in six runs beside each other: this ring 42–129 M elements/s, three chained rings
/// 17–25 M elements/s, 1.8–7.6 times slower. The price: stages cannot be added to a running ring, and a stage that
/// is slow holds back every slot behind it (as a full ring in a chain would).
///
/// ## When not to use it
/// - **More than one producer thread**, or more than one thread per stage: claims and commits are not atomic
///   read-modify-writes, so two threads on one cursor lose or duplicate elements. Give each producer its own ring,
///   or use a lock.
/// - **Fan-out** (two stages reading the same elements in parallel): stages form a chain, each waiting on the one
///   before it.
/// - **Elements that own memory** (classes, arrays, strings): `Element` is `BitwiseCopyable`, and slots are
///   overwritten without being deinitialized. Put a descriptor (offsets into a buffer you manage) in the ring instead.
/// - **Unbounded queues**: the capacity is fixed at creation; a full ring makes `tryClaim` return `nil`.
/// - **From Swift concurrency's cooperative threads**: `claim` and `read` park an OS thread. Tasks should use
///   `tryClaim`/`tryRead` only, or hand the work to a dedicated thread.
///
/// ## Why `@unchecked Sendable` is safe
/// The compiler cannot see the discipline, so here it is, piece by piece:
/// - `capacity`, `stageCount`, `spinLimit`, `mask`, `slots`, `control`, `asymmetricFences`: `let`s, written once in
///   `init` before the ring is shared, read-only afterwards.
/// - The producer cursor (`cursor(0)`) and the producer's `OwnerState`: written only by the one producer thread
///   (the caller of `producer`'s methods); stage 0 and a waiting stage read the cursor with acquiring loads.
/// - Stage k's cursor (`cursor(k + 1)`) and its `OwnerState`: written only by stage k's one thread; read (acquiring)
///   by stage k + 1, or by the producer when k is the last stage.
/// - Slot contents: the producer owns the slots in `[next, next + free)` it claimed; stage k owns
///   `[cursor of stage k, cursor of the one before it)`. Ownership moves only by a releasing cursor store observed
///   through an acquiring load, so no slot is ever written by one thread while another reads it.
/// - Each parking word: an atomic, set by its owner before it sleeps and cleared by a compare-exchange by whoever
///   wakes it. The closed flag: an atomic, set once by the producer.
/// - The park counters: atomics, incremented by their owners, read by anyone (statistics only). `occupancy` and
///   `Stage.available()` only load cursors, so any thread may call them.
public final class StagedRing<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The number of slots, a power of two.
    public let capacity: Int

    /// The number of chained consumer stages (at least 1).
    public let stageCount: Int

    /// How long `claim` and `read` spin before they park: the value given to `init`, or the automatic choice.
    public let spinLimit: Duration

    /// The spin limit used when `init` is given none, unless the ring's threads outnumber the processors.
    public static var defaultSpinLimit: Duration { .microseconds(50) }

    /// `capacity - 1`: a sequence number's slot is `sequence & mask`.
    @usableFromInline internal let mask: Int

    /// `capacity` elements, 128-byte aligned, uninitialized until the producer first writes them.
    @usableFromInline internal let slots: UnsafeMutablePointer<Element>

    /// The cursors, parking words and owners' private state, each group on its own cache lines (see `Layout`).
    @usableFromInline internal let control: UnsafeMutableRawPointer

    /// Whether the parking handshake puts its heavy barrier on the parker's side (`membarrier`), leaving wakers a
    /// compiler barrier only, or uses a fence on both sides (the handshake is described in StagedRing-parking.swift).
    @usableFromInline package let asymmetricFences: Bool

    /// Creates an empty ring.
    ///
    /// - Parameters:
    ///   - capacity: the number of slots, a power of two (1 is allowed).
    ///   - stages: the number of chained consumer stages, each run by one thread.
    ///   - spinLimit: how long a waiting `claim` or `read` spins before parking. `nil`: `defaultSpinLimit` when the
    ///     ring's threads (`stages + 1`) fit on the processors this process may use, otherwise `.zero` (park at once).
    public convenience init(capacity: Int, stages: Int = 1, spinLimit: Duration? = nil) {
        self.init(capacity: capacity, stages: stages, spinLimit: spinLimit, asymmetricFences: nil)
    }

    /// `asymmetricFences`: `nil` chooses them when the kernel offers `membarrier`; `false` forces the symmetric
    /// handshake (tests run both); `true` is honoured only where `membarrier` is available.
    package init(capacity: Int, stages: Int, spinLimit: Duration?, asymmetricFences: Bool?) {
        precondition(capacity > 0 && capacity & (capacity &- 1) == 0,
                     "StagedRing capacity must be a power of two, got \(capacity)")
        precondition(stages >= 1, "StagedRing needs at least one stage, got \(stages)")
        let (slotBytes, overflow) = capacity.multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        precondition(!overflow, "StagedRing capacity \(capacity) is too large for \(Element.self)")

        self.capacity = capacity
        self.stageCount = stages
        self.mask = capacity &- 1
        self.spinLimit = spinLimit
            ?? (stages + 1 <= availableProcessors() ? StagedRing.defaultSpinLimit : .zero)
        self.asymmetricFences = (asymmetricFences ?? true) && processBarrierAvailable

        let slotMemory = UnsafeMutableRawPointer.allocate(
            byteCount: max(slotBytes, 1), alignment: max(Layout.line, MemoryLayout<Element>.alignment))
        self.slots = slotMemory.bindMemory(to: Element.self, capacity: capacity)

        let parties = stages + 1
        let controlBytes = Layout.controlBytes(parties: parties)
        self.control = UnsafeMutableRawPointer.allocate(byteCount: controlBytes, alignment: Layout.line)
        control.initializeMemory(as: UInt8.self, repeating: 0, count: controlBytes)
        for party in 0..<parties {
            let base = control + party * Layout.partyStride
            (base + Layout.cursorOffset).bindMemory(to: Int.AtomicRepresentation.self, capacity: 1)
                .initialize(to: .init(0))
            (base + Layout.parkingWordOffset).bindMemory(to: UInt32.AtomicRepresentation.self, capacity: 1)
                .initialize(to: .init(0))
            (base + Layout.parkCountOffset).bindMemory(to: Int.AtomicRepresentation.self, capacity: 1)
                .initialize(to: .init(0))
            (base + Layout.ownerOffset).bindMemory(to: OwnerState.self, capacity: 1)
                .initialize(to: OwnerState())
        }
        (control + Layout.closedOffset(parties: parties)).bindMemory(to: Int.AtomicRepresentation.self, capacity: 1)
            .initialize(to: .init(0))
    }

    deinit {
        // Every element is BitwiseCopyable and every atomic representation trivial: nothing to deinitialize.
        UnsafeMutableRawPointer(slots).deallocate()
        control.deallocate()
    }

    /// Slots in use: published by the producer and not yet committed by the last stage. A snapshot, safe from any
    /// thread (for metrics).
    public var occupancy: Int {
        // Acquiring: keeps the last stage's load below after this one, so the difference never exceeds the capacity
        // (as in Stage.available()).
        let published = cursor(0).load(ordering: .acquiring)
        // Relaxed: a snapshot, no slot is read.
        let last = cursor(stageCount).load(ordering: .relaxed)
        return max(0, published &- last)
    }

    /// The producer's side. Exactly one thread at a time may use it.
    @inlinable
    public var producer: Producer { Producer(ring: self) }

    /// Stage `index` (0 reads what the producer published, `stageCount - 1` is the last). Exactly one thread at a
    /// time may use a given stage.
    @inlinable
    public func stage(_ index: Int) -> Stage {
        precondition(index >= 0 && index < stageCount, "StagedRing has stages 0..<\(stageCount), not \(index)")
        return Stage(ring: self, party: index &+ 1)
    }
}

// MARK: - Layout of the control block

/// Where each piece of shared state lives in `control`. "Party" 0 is the producer, party k + 1 is stage k.
///
/// Every party has three 128-byte lines (two 64-byte lines each, so the adjacent-line prefetcher does not pair them):
/// - its **cursor**, written by the party, polled by the next party;
/// - its **parking word** and park counter, written only when it parks, read by its waker after every cursor move;
/// - its **private state** (cached neighbour cursor, outstanding claim), touched only by the party itself.
/// The closed flag has a line of its own after the last party.
@usableFromInline
internal enum Layout {
    @inlinable static var line: Int { 128 }
    @inlinable static var partyStride: Int { 3 * line }
    @inlinable static var cursorOffset: Int { 0 }
    @inlinable static var parkingWordOffset: Int { line }
    @inlinable static var parkCountOffset: Int { line + 8 }
    @inlinable static var ownerOffset: Int { 2 * line }
    @inlinable static func closedOffset(parties: Int) -> Int { parties * partyStride }
    @inlinable static func controlBytes(parties: Int) -> Int { closedOffset(parties: parties) + line }
}

/// State that only its owning thread reads and writes: plain memory, no atomics.
@usableFromInline
@frozen
internal struct OwnerState {
    /// The neighbour's cursor as last loaded: for a stage the cursor before it (how far it may read), for the producer
    /// the last stage's (how far it may write). Refreshed only when it no longer covers a request, so a busy ring
    /// touches the neighbour's cache line once per batch, not once per call.
    @usableFromInline var limit: Int = 0
    /// Producer: the size of the outstanding claim, which bounds `publish`.
    @usableFromInline var pending: Int = 0
    /// Producer: `close()` has been called.
    @usableFromInline var closed: Bool = false

    @inlinable init() {}
}

extension StagedRing {
    @inlinable
    internal func cursor(_ party: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: (control + (party &* Layout.partyStride &+ Layout.cursorOffset))
            .assumingMemoryBound(to: Int.AtomicRepresentation.self))
    }

    @inlinable
    internal func parkingWord(_ party: Int) -> UnsafeAtomic<UInt32> {
        UnsafeAtomic(at: (control + (party &* Layout.partyStride &+ Layout.parkingWordOffset))
            .assumingMemoryBound(to: UInt32.AtomicRepresentation.self))
    }

    @inlinable
    internal func parkCount(_ party: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: (control + (party &* Layout.partyStride &+ Layout.parkCountOffset))
            .assumingMemoryBound(to: Int.AtomicRepresentation.self))
    }

    @inlinable
    internal func owner(_ party: Int) -> UnsafeMutablePointer<OwnerState> {
        (control + (party &* Layout.partyStride &+ Layout.ownerOffset)).assumingMemoryBound(to: OwnerState.self)
    }

    @inlinable
    internal var closedFlag: UnsafeAtomic<Int> {
        UnsafeAtomic(at: (control + Layout.closedOffset(parties: stageCount &+ 1))
            .assumingMemoryBound(to: Int.AtomicRepresentation.self))
    }

    /// The slots of sequence numbers `sequence ..< sequence + count` (`count <= capacity`), split where they wrap.
    @inlinable
    internal func window(at sequence: Int, count: Int) -> Window {
        let index = sequence & mask
        let firstCount = Swift.min(count, capacity &- index)
        return Window(
            sequence: sequence,
            first: UnsafeMutableBufferPointer(start: slots + index, count: firstCount),
            second: UnsafeMutableBufferPointer(start: slots, count: count &- firstCount))
    }
}
