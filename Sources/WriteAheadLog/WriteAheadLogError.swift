#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the write-ahead log. Messages name the file and, for system calls, carry the system's text.
public enum WriteAheadLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed on `path`; `message` is `strerror(code)`.
    case systemCall(name: String, path: String, code: Int32, message: String)
    /// Another process (or another `WriteAheadLog` in this one) has the directory open.
    case locked(directory: String)
    /// A segment holds bytes that are not a valid record or header. Readers skip past it on the next call.
    case corrupt(LogCorruption)
    /// A segment does not start with the LSN that follows the previous segment's last record.
    case lsnGap(path: String, expected: UInt64, found: UInt64)
    /// The record asked for is not in the log: removed by `removeSegments(before:)` (`firstLSN` is the oldest LSN
    /// still held) or never written.
    case notAvailable(lsn: UInt64, firstLSN: UInt64)
    /// The topic (at most 65,535 bytes) or the payload (at most 268,435,455 bytes) is too long for a record.
    case recordTooLarge(topicBytes: Int, payloadBytes: Int)
    /// QoS must be 0, 1 or 2.
    case invalidQoS(UInt8)
    /// The segment size must be at least 4 KiB.
    case invalidSegmentSize(Int)
    /// The log refuses appends after a failure that left its state unknown (a failed fdatasync: the kernel may
    /// have dropped the pages, so a retry cannot be trusted). Reopen the log to recover.
    indirect case stopped(after: WriteAheadLogError)
    /// The log was closed.
    case closed(directory: String)
    /// `advanceNextLSN(to:)` on a log that holds records (from `firstLSN` through `lastLSN`): only the numbering of
    /// an empty log can be moved.
    case notEmpty(directory: String, firstLSN: UInt64, lastLSN: UInt64)

    public var description: String {
        switch self {
        case .systemCall(let name, let path, let code, let message):
            return "\(name) failed for \(path): \(message) (errno \(code))"
        case .locked(let directory):
            return "write-ahead log \(directory) is open in another process or object (its LOCK file is held)"
        case .corrupt(let corruption):
            return "corrupt write-ahead log segment \(corruption)"
        case .lsnGap(let path, let expected, let found):
            return "write-ahead log segment \(path) starts at LSN \(found), but LSN \(expected) was expected: records are missing"
        case .notAvailable(let lsn, let firstLSN):
            return "LSN \(lsn) is not in the write-ahead log (it holds LSN \(firstLSN) onwards)"
        case .recordTooLarge(let topicBytes, let payloadBytes):
            return "record too large: topic \(topicBytes) bytes (at most \(RecordHeader.maxTopicBytes)), "
                + "payload \(payloadBytes) bytes (at most \(RecordHeader.maxPayloadBytes))"
        case .invalidQoS(let qos):
            return "QoS \(qos) is not 0, 1 or 2"
        case .invalidSegmentSize(let size):
            return "segment size \(size) is too small (at least 4096 bytes)"
        case .stopped(let cause):
            return "write-ahead log stopped accepting records after an earlier failure: \(cause); reopen it"
        case .closed(let directory):
            return "write-ahead log \(directory) is closed"
        case .notEmpty(let directory, let firstLSN, let lastLSN):
            return "write-ahead log \(directory) holds records (LSN \(firstLSN) through \(lastLSN)): "
                + "the numbering of a log can only be moved while it holds none"
        }
    }

    /// The failure of system call `name` on `path`, from the current `errno`.
    static func lastSystemError(_ name: String, path: String) -> WriteAheadLogError {
        systemError(name, path: path, code: errno)
    }

    /// The failure of system call `name` on `path` with error number `code`.
    static func systemError(_ name: String, path: String, code: Int32) -> WriteAheadLogError {
        .systemCall(name: name, path: path, code: code, message: String(cString: strerror(code)))
    }
}
