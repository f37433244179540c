import Dispatch
import Foundation

/// SIGINT and SIGTERM for the long-running commands (`run`, `record`).
enum StopSignals {
    /// Blocks SIGINT and SIGTERM in every thread (threads inherit the mask, so call this before starting any) and
    /// takes them on one thread with `sigwait`, which signals `stop`: deterministic, whatever disposition or mask
    /// the parent handed down.
    static func deliver(to stop: DispatchSemaphore) {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        let waited = stopSignals
        Thread.detachNewThread {
            var set = waited
            var signo: Int32 = 0
            sigwait(&set, &signo)
            stop.signal()
        }
    }
}
