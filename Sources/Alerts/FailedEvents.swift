#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Telemetry

/// An event a hook did not take after its last retry (or that the outbox had no room for): one line of
/// `DATA/alerts/failed.jsonl`.
public struct FailedEvent: Sendable, Equatable, Codable {
    public var hook: String
    /// Wall-clock time it was given up on, ISO-8601 UTC.
    public var failedAt: String
    public var attempts: Int
    public var error: String
    public var coalesced: Int
    public var event: AlertEvent

    public init(hook: String, failedAt: String, attempts: Int, error: String, coalesced: Int = 0, event: AlertEvent) {
        self.hook = hook
        self.failedAt = failedAt
        self.attempts = attempts
        self.error = error
        self.coalesced = coalesced
        self.event = event
    }

    enum CodingKeys: String, CodingKey {
        case hook, failedAt = "failed_at", attempts, error, coalesced, event
    }
}

/// `DATA/alerts/failed.jsonl`: appended by the dispatcher, taken back by `wattline alerts retry`.
///
/// Every change holds an exclusive `flock` on `failed.lock` beside it, so a running pipeline and a retry never
/// interleave. Appends are fsynced: once an event leaves the outbox for this file, it is on disk. A retry first
/// moves the file aside (`failed.jsonl.retrying`), then appends what fails again, then deletes the moved file; a
/// retry cut short leaves the moved file, which the next retry takes too. Lines that do not parse are kept as
/// they are, never dropped.
public struct FailedEventsFile: Sendable {
    public let directory: String
    public var path: String { directory + "/failed.jsonl" }
    var retryingPath: String { directory + "/failed.jsonl.retrying" }
    var lockPath: String { directory + "/failed.lock" }

    public init(dataDirectory: String) {
        directory = dataDirectory + "/alerts"
    }

    /// Appends events (one line each) and fsyncs.
    public func append(_ events: [FailedEvent]) throws {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for event in events {
            bytes += try encoder.encode(event)
            bytes.append(0x0A)
        }
        try withLock { try appendLines(bytes, to: path) }
    }

    /// The events waiting, oldest first, and lines that could not be read.
    public func read() throws -> (events: [FailedEvent], unreadable: [String]) {
        try withLock { Self.parse(try contents(of: retryingPath) + contents(of: path)) }
    }

    /// Takes every failed event out for a retry: `body` gets them and returns those that failed again (and are
    /// written back). Unreadable lines are written back untouched.
    public func retry(_ body: ([FailedEvent]) -> [FailedEvent]) throws -> (retried: Int, failedAgain: Int) {
        let taken = try withLock { () throws -> [String] in
            // A retry cut short left its file: take it together with what failed since.
            let lines = try contents(of: path)
            if !lines.isEmpty {
                try appendLines(Array(lines.joined(separator: "\n").utf8) + [0x0A], to: retryingPath)
                try FileManager.default.removeItem(atPath: path)
            }
            return try contents(of: retryingPath)
        }
        let (events, unreadable) = Self.parse(taken)
        let again = body(events)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for line in unreadable { bytes += Array(line.utf8) + [0x0A] }
        for event in again {
            bytes += try encoder.encode(event)
            bytes.append(0x0A)
        }
        try withLock {
            if !bytes.isEmpty { try appendLines(bytes, to: path) }
            try? FileManager.default.removeItem(atPath: retryingPath)
        }
        return (events.count, again.count)
    }

    static func parse(_ lines: [String]) -> (events: [FailedEvent], unreadable: [String]) {
        let decoder = JSONDecoder()
        var events: [FailedEvent] = [], unreadable: [String] = []
        for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            if let event = try? decoder.decode(FailedEvent.self, from: Data(line.utf8)) {
                events.append(event)
            } else {
                unreadable.append(line)
            }
        }
        return (events, unreadable)
    }

    private func contents(of file: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    private func appendLines(_ bytes: [UInt8], to file: String) throws {
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FailedEventsError.io(file, String(cString: strerror(errno))) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else {
                if n < 0 && errno == EINTR { continue }
                throw FailedEventsError.io(file, String(cString: strerror(errno)))
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw FailedEventsError.io(file, String(cString: strerror(errno))) }
    }

    private func withLock<R>(_ body: () throws -> R) throws -> R {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FailedEventsError.io(lockPath, String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FailedEventsError.io(lockPath, String(cString: strerror(errno))) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// Why `failed.jsonl` could not be written or read.
public enum FailedEventsError: Error, Sendable, CustomStringConvertible {
    case io(String, String)

    public var description: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason) (failed alert events are kept there; check the data directory's permissions and free space)"
        }
    }
}
