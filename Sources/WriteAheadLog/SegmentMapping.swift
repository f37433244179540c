#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The current segment's first `count` bytes, allocated on disk up front (`posix_fallocate`) and mapped shared into
/// memory, so that an append is a copy instead of a `pwritev`.
///
/// Why it is as safe as the write it replaces: a shared file mapping is the file's page cache, so the bytes are in
/// the kernel once the copy is done, and a `kill -9` right after loses nothing; `fdatasync` on the file flushes pages
/// dirtied through the mapping as it flushes written ones; `pread` (readers, the worker) sees the same pages.
/// Allocating the blocks first means a full disk fails here, where the store falls back to `pwritev` (and its
/// error), never as a SIGBUS in the middle of a copy.
///
/// What it changes on disk: the current segment is `count` bytes long while it is appended to, zeros after the last
/// record. The store cuts it to its records when it rolls away from it or closes; after a crash, recovery reads
/// zeros after the last record as the end (`SegmentCursor.verifyZeroTail`) and cuts them.
///
/// `@unchecked Sendable` because it holds a raw pointer: its fields never change, and the bytes behind them are
/// written only under the store's state lock (appends), which also orders the unmapping (roll, close) after them.
final class SegmentMapping: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int

    /// Allocates and maps the first `count` bytes of `file`; nil when the file system or the system refuses
    /// (the store then writes with `pwritev`).
    init?(file: SegmentFile, count: Int) {
        guard count > 0, posix_fallocate(file.descriptor, 0, off_t(count)) == 0 else { return nil }
        guard let mapped = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, 0),
              mapped != MAP_FAILED
        else { return nil }
        base = mapped
        self.count = count
    }

    deinit {
        munmap(base, count)
    }

    /// Copies one record (header, topic, payload) to `offset`; the caller checked that it fits.
    func write(header: UnsafeRawBufferPointer, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
               at offset: Int) {
        // Three copies, no array of parts: an append allocates nothing.
        copy(header, to: offset)
        copy(topic, to: offset + header.count)
        copy(payload, to: offset + header.count + topic.count)
    }

    private func copy(_ bytes: UnsafeRawBufferPointer, to offset: Int) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (base + offset).copyMemory(from: source, byteCount: bytes.count)
    }
}
