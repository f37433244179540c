#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor with the calls the chunk store needs: positional reads, appends, fsync; retried on EINTR.
///
/// Owns its descriptor: closed in `close()` or `deinit`. Not thread-safe; one owner at a time.
final class DiskFile {
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { if descriptor >= 0 { _ = systemClose(descriptor) } }

    static func openForReading(_ path: String) throws(ChunkStoreError) -> DiskFile {
        try open(path, flags: O_RDONLY)
    }

    /// Opens for appending at the end (the head file).
    static func openForAppending(_ path: String) throws(ChunkStoreError) -> DiskFile {
        try open(path, flags: O_WRONLY | O_APPEND)
    }

    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) throws(ChunkStoreError) -> DiskFile {
        try open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
    }

    private static func open(_ path: String, flags: Int32, mode: mode_t = 0) throws(ChunkStoreError) -> DiskFile {
        let fd = retryingEINTR { systemOpen(path, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw .io(path: path, operation: "opening", reason: lastErrorMessage()) }
        return DiskFile(path: path, descriptor: fd)
    }

    var size: Int {
        get throws(ChunkStoreError) {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                throw .io(path: path, operation: "reading the size of", reason: lastErrorMessage())
            }
            return Int(info.st_size)
        }
    }

    /// Reads exactly `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws(ChunkStoreError) -> [UInt8] {
        var failure: ChunkStoreError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .io(path: path, operation: "reading", reason: lastErrorMessage())
                    break
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if let failure { throw failure }
        return bytes
    }

    func write(_ bytes: [UInt8]) throws(ChunkStoreError) {
        var failure: ChunkStoreError?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = systemWrite(descriptor, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = .io(path: path, operation: "writing", reason: lastErrorMessage())
                    return
                }
                done += n
            }
        }
        if let failure { throw failure }
    }

    func sync() throws(ChunkStoreError) {
        guard fsync(descriptor) == 0 else { throw .io(path: path, operation: "syncing", reason: lastErrorMessage()) }
    }

    func truncate(to size: Int) throws(ChunkStoreError) {
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw .io(path: path, operation: "truncating", reason: lastErrorMessage())
        }
    }

    func close() {
        if descriptor >= 0 { _ = systemClose(descriptor) }
        descriptor = -1
    }
}

/// Directory operations, each mapped to `ChunkStoreError`.
enum DiskDirectory {
    /// Creates `path` and any missing directory above it. Returns the directories that gained an entry (the
    /// parent of each directory created): they must be fsynced before anything relies on the new directory
    /// surviving a power failure.
    @discardableResult
    static func create(_ path: String) throws(ChunkStoreError) -> [String] {
        // Spelled as `directory(of:)` spells a file's directory ("a/b", not "./a/b"), so that one directory is one
        // entry in a set of directories to sync.
        var partial = path.hasPrefix("/") ? "/" : ""
        var changed: [String] = []
        for component in path.split(separator: "/") {
            let parent = partial.isEmpty ? "." : partial
            partial = partial.isEmpty ? String(component) : partial == "/" ? "/" + component : partial + "/" + component
            if mkdir(partial, 0o755) == 0 {
                changed.append(parent)
            } else if errno != EEXIST {
                throw .io(path: partial, operation: "creating directory", reason: lastErrorMessage())
            }
        }
        return changed
    }

    /// Names in `path`, without `.` and `..`; empty when the directory does not exist.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// fsync on the directory, so a rename or unlink in it survives a power failure.
    static func sync(_ path: String) throws(ChunkStoreError) {
        let fd = systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw .io(path: path, operation: "opening directory", reason: lastErrorMessage()) }
        defer { _ = systemClose(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "syncing directory", reason: lastErrorMessage()) }
    }

    /// Writes `bytes` as `path` so that a reader (or a crash) sees the old file or the whole new one, never a part:
    /// to `path.tmp`, fsync, rename into place, fsync the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ChunkStoreError) {
        var unsynced: Set<String> = []
        try writeAtomically(bytes, to: path, unsyncedDirectories: &unsynced)
        for directory in unsynced { try sync(directory) }
    }

    /// `writeAtomically` without the directory's fsync, which is left to the caller: the directory is added to
    /// `unsyncedDirectories`, so that files written together cost one directory fsync, not one each. Until the
    /// caller syncs it, a power failure may lose the rename (never leave a part of the file under its name).
    static func writeAtomically(_ bytes: [UInt8], to path: String,
                                unsyncedDirectories: inout Set<String>) throws(ChunkStoreError) {
        let temporary = path + ".tmp"
        let file = try DiskFile.create(temporary)
        try file.write(bytes)
        try file.sync()
        file.close()
        try rename(temporary, to: path)
        unsyncedDirectories.insert(directory(of: path))
    }

    static func rename(_ from: String, to: String) throws(ChunkStoreError) {
        guard systemRename(from, to) == 0 else {
            throw .io(path: from, operation: "renaming to \(to)", reason: lastErrorMessage())
        }
    }

    static func remove(_ path: String) throws(ChunkStoreError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .io(path: path, operation: "removing", reason: lastErrorMessage())
        }
    }

    static func removeEmptyDirectory(_ path: String) { _ = rmdir(path) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}

private func retryingEINTR(_ body: () -> Int32) -> Int32 {
    while true {
        let result = body()
        if result >= 0 || errno != EINTR { return result }
    }
}

private func lastErrorMessage() -> String { String(cString: strerror(errno)) }

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
