import Zstd

/// A failure that stops reading or writing a fixture file (as opposed to a `FixtureProblem`, which is stepped over).
public enum FixtureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened; `reason` is the system's message (`strerror`).
    case cannotOpen(path: String, forWriting: Bool, reason: String)
    /// A writer was asked to create a file that exists, without `overwrite: true`.
    case alreadyExists(path: String)
    /// Reading failed; `reason` is the system's message.
    case readFailed(path: String, reason: String)
    /// Writing or closing failed; `reason` is the system's message.
    case writeFailed(path: String, reason: String)
    /// zstd data that is corrupt (not merely cut short) was found after `afterLine` lines had been read.
    case corruptCompressedData(path: String, afterLine: Int, ZstdError)
    /// The zstd compressor failed.
    case compressionFailed(path: String, ZstdError)
    /// The writer was used after `close()`.
    case closed(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let forWriting, let reason):
            return "cannot open fixture \(path) for \(forWriting ? "writing" : "reading"): \(reason)"
        case .alreadyExists(let path):
            return "fixture \(path) already exists; remove it or pass overwrite: true to replace it"
        case .readFailed(let path, let reason):
            return "cannot read fixture \(path): \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write fixture \(path): \(reason)"
        case .corruptCompressedData(let path, let afterLine, let error):
            return "fixture \(path) has corrupt zstd data after line \(afterLine): \(error)"
        case .compressionFailed(let path, let error):
            return "cannot compress fixture \(path): \(error)"
        case .closed(let path):
            return "fixture writer for \(path) is already closed"
        }
    }
}
