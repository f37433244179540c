/// When the log calls `fdatasync(2)` on its own: what decides how much an OS crash or power failure can lose.
///
/// No policy affects a process crash: every accepted record is already in the kernel, and `kill -9` loses nothing.
public enum SyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Group commit: a background thread syncs whatever was appended, once per interval (default 100 ms). A power
    /// failure loses at most the records appended in the last interval plus the duration of two fdatasync calls.
    case interval(Duration)
    /// An fdatasync after every append, inside `append`. Slow (a disk flush per record); for tests.
    case always
    /// Never on its own (the kernel writes back when it likes, typically within 30 s); only `sync()` syncs, and
    /// `close()` does not. For tests and benchmarks.
    case never

    /// `.interval(.milliseconds(100))`.
    public static let `default` = SyncPolicy.interval(.milliseconds(100))

    public var description: String {
        switch self {
        case .interval(let interval): return "every \(interval)"
        case .always: return "after every append"
        case .never: return "never (only on sync())"
        }
    }
}
