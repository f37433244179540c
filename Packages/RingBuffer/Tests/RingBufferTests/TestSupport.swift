#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RingBuffer
import Synchronization

/// The pipeline's descriptor, as the ring will carry it.
struct LogDescriptor: Equatable, BitwiseCopyable {
    var lsn: UInt64
    var segment: UInt32
    var length: UInt32
    var offset: UInt64

    /// The `n`th descriptor a test producer sends: every field derived from `n`, so a consumer can check it.
    static func make(_ n: UInt64) -> LogDescriptor {
        LogDescriptor(lsn: n, segment: UInt32(truncatingIfNeeded: n >> 12), length: UInt32(truncatingIfNeeded: n &* 2_654_435_761),
                      offset: n &* 0x9E37_79B9_7F4A_7C15)
    }

    /// What an earlier stage writes into the slot in place, for the later stages to check.
    static func stamped(_ n: UInt64) -> LogDescriptor {
        var descriptor = make(n)
        descriptor.offset = ~descriptor.offset
        return descriptor
    }
}

/// An order-sensitive running checksum (FNV-1a over the fields): equal sums mean the same elements in the same order.
struct Checksum: Equatable {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ descriptor: LogDescriptor) {
        for word in [descriptor.lsn, UInt64(descriptor.segment) << 32 | UInt64(descriptor.length), descriptor.offset] {
            value = (value ^ word) &* 0x0000_0100_0000_01B3
        }
    }
}

/// How many items the stress tests move: `RING_STRESS_ITEMS` (e.g. 200000 under ThreadSanitizer), or a default.
func stressItems(default value: Int) -> Int {
    guard let text = getenv("RING_STRESS_ITEMS"), let items = Int(String(cString: text)), items > 0 else { return value }
    return items
}

/// CPU time used by the calling thread, in nanoseconds.
func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

func monotonicNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

func sleepMicroseconds(_ microseconds: Int) {
    var remaining = timespec(tv_sec: microseconds / 1_000_000, tv_nsec: (microseconds % 1_000_000) * 1000)
    var request = remaining
    while nanosleep(&request, &remaining) != 0 { request = remaining }
}

/// One body run on its own OS thread (not a Swift concurrency thread: the ring's blocking calls park the thread).
///
/// `@unchecked Sendable`: `result` is written once by the thread that runs `body`, and read only after
/// `pthread_join` has returned for that thread, which orders the write before the read.
private final class ThreadJob<Result: Sendable>: @unchecked Sendable {
    let body: @Sendable () -> Result
    var result: Result?
    /// Set (releasing) as the thread's last step, so the caller knows that joining it will not block for long.
    let finished = Atomic<Bool>(false)

    init(_ body: @escaping @Sendable () -> Result) { self.body = body }
}

/// A thread's entry point, handed to `pthread_create` through its argument (a C function pointer cannot capture).
private final class ThreadStart: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Runs each body on a thread of its own, waits for all of them (at most `seconds`), and returns their results in
/// order; `nil` for a thread still running at the deadline (a lost wake-up, say): the test fails instead of hanging.
func runOnThreads<Result: Sendable>(timeout seconds: Int = 600, _ bodies: (@Sendable () -> Result)...) -> [Result?] {
    runOnThreads(timeout: seconds, bodies)
}

func runOnThreads<Result: Sendable>(timeout seconds: Int = 600, _ bodies: [@Sendable () -> Result]) -> [Result?] {
    let jobs = bodies.map { ThreadJob($0) }
    var threads: [pthread_t] = []
    for job in jobs {
        var thread = pthread_t()
        let start = ThreadStart {
            job.result = job.body()
            job.finished.store(true, ordering: .releasing)
        }
        let rc = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadStart>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(start).toOpaque())
        precondition(rc == 0, "pthread_create failed: \(rc)")
        threads.append(thread)
    }
    let deadline = monotonicNanoseconds() + seconds * 1_000_000_000
    while !jobs.allSatisfy({ $0.finished.load(ordering: .acquiring) }) && monotonicNanoseconds() < deadline {
        sleepMicroseconds(1000)
    }
    var results: [Result?] = []
    for (job, thread) in zip(jobs, threads) {
        if job.finished.load(ordering: .acquiring) {
            pthread_join(thread, nil)
            results.append(job.result)
        } else {
            pthread_detach(thread)   // still running at the deadline: left behind, and reported as nil
            results.append(nil)
        }
    }
    return results
}

/// What a consumer thread saw.
struct StageReport: Equatable, Sendable {
    var count = 0
    var checksum = Checksum()
    var firstError: String?

    static func == (lhs: StageReport, rhs: StageReport) -> Bool {
        lhs.count == rhs.count && lhs.checksum == rhs.checksum && lhs.firstError == rhs.firstError
    }
}

extension Checksum: Sendable {}
