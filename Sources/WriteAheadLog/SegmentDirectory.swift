#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder that holds a log's segment files, and how they are named: `NNNNNNNNNNNNNNNNNNNN.wal`, the first LSN of
/// the segment in 20 decimal digits (every `UInt64` fits), so names sort in LSN order.
struct SegmentDirectory: Sendable {
    static let fileExtension = ".wal"
    static let digits = 20

    let path: String

    /// The file name of the segment whose first LSN is `firstLSN`.
    static func fileName(firstLSN: UInt64) -> String {
        let number = String(firstLSN)
        return String(repeating: "0", count: digits - number.count) + number + fileExtension
    }

    /// The first LSN a segment file name stands for; nil for any other name.
    static func firstLSN(fileName name: String) -> UInt64? {
        let utf8 = name.utf8
        guard utf8.count == digits + fileExtension.utf8.count, name.hasSuffix(fileExtension) else { return nil }
        let number = utf8.prefix(digits)
        guard number.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(String(decoding: number, as: UTF8.self))
    }

    func segmentPath(firstLSN: UInt64) -> String {
        path + "/" + Self.fileName(firstLSN: firstLSN)
    }

    /// Creates the folder (mode 0755) unless it exists; its parent must exist.
    func createIfMissing() throws(WriteAheadLogError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .lastSystemError("mkdir", path: path) }
    }

    /// The first LSNs of the segment files present, ascending. Other files are ignored.
    func segmentFirstLSNs() throws(WriteAheadLogError) -> [UInt64] {
        guard let stream = opendir(path) else { throw .lastSystemError("opendir", path: path) }
        defer { closedir(stream) }
        var lsns: [UInt64] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw .lastSystemError("readdir", path: path) }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if let lsn = Self.firstLSN(fileName: name) { lsns.append(lsn) }
        }
        return lsns.sorted()
    }

    /// fsyncs the folder itself, so that files created in (or removed from) it survive a power failure.
    func sync() throws(WriteAheadLogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .lastSystemError("open", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .lastSystemError("fsync", path: path) }
    }

    /// Deletes one file of the folder; a file that is already gone is not an error.
    func remove(_ filePath: String) throws(WriteAheadLogError) {
        if unlink(filePath) != 0 && errno != ENOENT { throw .lastSystemError("unlink", path: filePath) }
    }
}
