#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The thread behind `SyncPolicy.interval`: it wakes once per interval and, when anything was appended (or a segment
/// created) since its last pass, runs `SegmentStore.sync()`. A failed pass is kept by the store, which then refuses
/// appends; the thread goes on sleeping until it is stopped.
///
/// A plain POSIX thread rather than a task: `fdatasync` blocks for milliseconds, which must not tie up a thread of
/// the cooperative pool. It sleeps in `poll(2)` on a pipe, so `stop()` wakes it at once instead of after an interval.
final class SyncThread: Sendable {
    private let store: SegmentStore
    private let intervalMilliseconds: Int32
    /// The pipe `stop()` writes one byte to.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// The running thread, until `stop()` joins it.
    private let thread = Mutex<pthread_t?>(nil)

    init(store: SegmentStore, interval: Duration) throws(WriteAheadLogError) {
        self.store = store
        let (seconds, attoseconds) = interval.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        intervalMilliseconds = Int32(clamping: max(1, milliseconds))
        var ends: (Int32, Int32) = (-1, -1)
        let result = withUnsafeMutableBytes(of: &ends) { raw in
            let fds = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            guard pipe(fds) == 0 else { return -1 }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return 0
        }
        guard result == 0 else { throw .lastSystemError("pipe", path: store.directory.path) }
        wakeRead = ends.0
        wakeWrite = ends.1
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread; it keeps the object alive until it ends.
    func start() throws(WriteAheadLogError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, syncThreadMain, context)
        guard result == 0 else {
            Unmanaged<SyncThread>.fromOpaque(context).release()
            throw .systemError("pthread_create", path: store.directory.path, code: result)
        }
        thread.withLock { $0 = handle }
    }

    /// Wakes the thread, waits for it to end (after the pass under way, if any). Safe to call twice.
    func stop() {
        guard let handle = thread.withLock({ handle in defer { handle = nil }; return handle }) else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        pthread_join(handle, nil)
    }

    fileprivate func run() {
        var waiter = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&waiter, 1, intervalMilliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { usleep(UInt32(intervalMilliseconds) * 1000) }
            if store.needsSync { _ = try? store.sync() }
        }
    }
}

#if canImport(Darwin)
private func syncThreadMain(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    Unmanaged<SyncThread>.fromOpaque(context).takeRetainedValue().run()
    return nil
}
#else
private func syncThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<SyncThread>.fromOpaque(context!).takeRetainedValue().run()
    return nil
}
#endif
