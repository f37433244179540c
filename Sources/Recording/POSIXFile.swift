#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor with the few calls fixtures need: blocking reads and writes, retried on EINTR.
///
/// Owns its descriptor (closed in `close()` or `deinit`) unless it wraps standard input.
final class POSIXFile {
    /// The name used in error messages; `-` for standard input.
    let path: String
    private var descriptor: Int32
    private let ownsDescriptor: Bool

    private init(path: String, descriptor: Int32, ownsDescriptor: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
    }

    deinit {
        if ownsDescriptor && descriptor >= 0 { _ = systemClose(descriptor) }
    }

    /// Opens `path` for reading; `-` means standard input (which is never closed).
    static func openForReading(_ path: String) throws(FixtureError) -> POSIXFile {
        if path == "-" { return POSIXFile(path: path, descriptor: STDIN_FILENO, ownsDescriptor: false) }
        let fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .cannotOpen(path: path, forWriting: false, reason: lastErrorMessage()) }
        return POSIXFile(path: path, descriptor: fd, ownsDescriptor: true)
    }

    /// Creates `path` (mode 0644) for writing; an existing file is truncated only when `overwrite` is true.
    static func create(_ path: String, overwrite: Bool) throws(FixtureError) -> POSIXFile {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL)
        let fd = retryingEINTR { open(path, flags, 0o644) }
        guard fd >= 0 else {
            if errno == EEXIST { throw .alreadyExists(path: path) }
            throw .cannotOpen(path: path, forWriting: true, reason: lastErrorMessage())
        }
        return POSIXFile(path: path, descriptor: fd, ownsDescriptor: true)
    }

    /// The size of a regular file in bytes; nil for standard input, a pipe or anything else whose size is unknown.
    func regularFileSize() -> Int? {
        guard descriptor >= 0, ownsDescriptor else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Reads up to `maxBytes`; an empty result means end of file.
    func read(maxBytes: Int) throws(FixtureError) -> [UInt8] {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: maxBytes) { buffer, initialized in
            var n: Int
            repeat {
                n = systemRead(descriptor, buffer.baseAddress, buffer.count)
            } while n < 0 && errno == EINTR
            failed = n < 0
            initialized = max(n, 0)
        }
        if failed { throw .readFailed(path: path, reason: Self.lastErrorMessage()) }
        return bytes
    }

    /// Writes all of `bytes`, looping over short writes.
    func write(_ bytes: [UInt8]) throws(FixtureError) {
        var failure: FixtureError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .writeFailed(path: path, reason: Self.lastErrorMessage())
                    return
                }
                offset += n
            }
        }
        if let failure { throw failure }
    }

    /// Closes the descriptor (standard input is left open). Safe to call twice.
    func close() throws(FixtureError) {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        guard ownsDescriptor else { return }
        // No retry on EINTR: on Linux the descriptor is released even when close(2) is interrupted.
        if systemClose(fd) != 0 { throw .writeFailed(path: path, reason: Self.lastErrorMessage()) }
    }

    private static func retryingEINTR(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    private static func lastErrorMessage() -> String {
        let code = errno
        return String(cString: strerror(code)) + " (errno \(code))"
    }
}

// Inside `POSIXFile` the names read, write and close mean its own methods, which hide the C functions; at file
// scope they mean the C functions again, so these forwarders reach them.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}
