#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open segment file: positioned reads and writes (`pread`, `pwritev`), retried on EINTR and short counts.
///
/// Immutable, so `Sendable`: the calls it makes take an explicit offset and are safe from several threads at once.
/// The descriptor is closed in `deinit`, when the last holder lets go; that is what makes it safe for the sync
/// thread to fdatasync a segment the appending thread has just rolled away from, or a reader to finish with a
/// segment that retention removed (an unlinked file stays readable while open).
final class SegmentFile: Sendable {
    let path: String
    let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        // No retry on EINTR: on Linux the descriptor is released even when close(2) is interrupted.
        _ = systemClose(descriptor)
    }

    /// Creates a new file (mode 0644); fails if it exists.
    static func create(_ path: String) throws(WriteAheadLogError) -> SegmentFile {
        try open(path, flags: O_RDWR | O_CREAT | O_EXCL, name: "open (create)")
    }

    /// Opens an existing file for reading and writing.
    static func openForWriting(_ path: String) throws(WriteAheadLogError) -> SegmentFile {
        try open(path, flags: O_RDWR, name: "open")
    }

    /// Opens an existing file for reading.
    static func openForReading(_ path: String) throws(WriteAheadLogError) -> SegmentFile {
        try open(path, flags: O_RDONLY, name: "open")
    }

    private static func open(_ path: String, flags: Int32, name: String) throws(WriteAheadLogError) -> SegmentFile {
        var fd: Int32
        repeat {
            fd = systemOpen(path, flags | O_CLOEXEC, 0o644)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .lastSystemError(name, path: path) }
        return SegmentFile(path: path, descriptor: fd)
    }

    /// Writes `header`, `topic` and `payload` as one record at `offset` with a single `pwritev` (more only when the
    /// kernel writes short). No copy and no heap allocation: the three `iovec`s live on the stack.
    func write(
        header: UnsafeRawBufferPointer, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, at offset: UInt64
    ) throws(WriteAheadLogError) {
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: header.baseAddress), iov_len: header.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: topic.baseAddress), iov_len: topic.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: payload.baseAddress), iov_len: payload.count))
        let total = header.count + topic.count + payload.count
        let failure: Int32 = withUnsafeMutableBytes(of: &vectors) { raw in
            let iov = raw.baseAddress!.assumingMemoryBound(to: iovec.self)
            var first = 0
            var written = 0
            while written < total {
                while iov[first].iov_len == 0 { first += 1 }
                let n = pwritev(descriptor, iov + first, Int32(3 - first), off_t(offset) + off_t(written))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }  // never for a regular file; guards against spinning
                written += n
                // A short write: skip what went out and go again from the first byte that did not.
                var advance = n
                while advance > 0 && first < 3 {
                    if advance >= iov[first].iov_len {
                        advance -= iov[first].iov_len
                        iov[first].iov_len = 0
                        first += 1
                    } else {
                        iov[first].iov_base += advance
                        iov[first].iov_len -= advance
                        advance = 0
                    }
                }
            }
            return 0
        }
        if failure != 0 { throw .systemError("pwritev", path: path, code: failure) }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(WriteAheadLogError) {
        try write(header: bytes, topic: UnsafeRawBufferPointer(start: nil, count: 0),
                  payload: UnsafeRawBufferPointer(start: nil, count: 0), at: offset)
    }

    /// Writes a segment header at offset 0.
    func writeHeader(_ header: SegmentHeader) throws(WriteAheadLogError) {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: SegmentHeader.size, alignment: 8)
        defer { bytes.deallocate() }
        header.encode(into: bytes)
        try write(UnsafeRawBufferPointer(bytes), at: 0)
    }

    /// Reads up to `count` bytes at `offset` into `destination`; fewer only at the end of the file.
    func read(into destination: UnsafeMutableRawPointer, count: Int, at offset: UInt64) throws(WriteAheadLogError) -> Int {
        var done = 0
        while done < count {
            let n = pread(descriptor, destination + done, count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .lastSystemError("pread", path: path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The file's current length.
    func size() throws(WriteAheadLogError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .lastSystemError("fstat", path: path) }
        return UInt64(info.st_size)
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: UInt64) throws(WriteAheadLogError) {
        var result: Int32
        repeat {
            result = ftruncate(descriptor, off_t(length))
        } while result != 0 && errno == EINTR
        guard result == 0 else { throw .lastSystemError("ftruncate", path: path) }
    }

    /// Makes the file's data (and the size, when it changed) durable: `fdatasync(2)`.
    func syncData() throws(WriteAheadLogError) {
        var result: Int32
        repeat {
            #if os(Linux)
            result = fdatasync(descriptor)
            #else
            result = fsync(descriptor)
            #endif
        } while result != 0 && errno == EINTR
        guard result == 0 else { throw .lastSystemError("fdatasync", path: path) }
    }
}

// Forwarders to the C functions, whose names the methods above would otherwise hide.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}
