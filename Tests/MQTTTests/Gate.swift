import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Holds the first caller of `passOrWait()` until `open()`; later callers pass.
final class Gate: Sendable {
    private let state = Mutex((open: false, waiting: false))

    func passOrWait() {
        guard !state.withLock({ $0.open }) else { return }
        state.withLock { $0.waiting = true }
        while !state.withLock({ $0.open }) { usleep(1_000) }
    }

    func open() { state.withLock { $0.open = true } }

    func waitUntilSomeoneWaits() async -> Bool {
        await eventually { self.state.withLock { $0.waiting } }
    }
}
