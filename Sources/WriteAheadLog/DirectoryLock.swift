#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` on `LOCK` in the log's folder, so that two writers never append to the same segments.
/// Released when the object goes (the kernel also releases it when the process dies, `kill -9` included).
final class DirectoryLock: Sendable {
    static let fileName = "LOCK"

    let path: String
    private let descriptor: Int32

    init(directory: String) throws(WriteAheadLogError) {
        path = directory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .lastSystemError("open", path: path) }
        // A child process being spawned by another thread holds a copy of every descriptor until it execs (when
        // O_CLOEXEC closes it), and with it this lock: a log closed and reopened at that moment would find the lock
        // held for a few milliseconds. So a held lock is retried for up to a second before it counts as another
        // writer.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            attempts += 1
            guard code == EWOULDBLOCK, attempts < 100 else {
                let error: WriteAheadLogError = code == EWOULDBLOCK
                    ? .locked(directory: directory) : .lastSystemError("flock", path: path)
                close(fd)
                throw error
            }
            usleep(10_000)
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }
}
