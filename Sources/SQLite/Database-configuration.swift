extension Database {
    /// How a connection is opened. Journal mode (WAL) and foreign keys (on) are not choices: every Wattline
    /// database uses them.
    public struct Configuration: Sendable, Equatable {
        /// Whether the connection may write.
        public enum Access: Sendable, Equatable {
            /// Read and write; the file is created when missing and switched to WAL.
            case readWrite
            /// Read only; the file must exist, and its journal mode is left as it is. Writes fail with
            /// `SQLITE_READONLY`. Reading a WAL database still needs its `-shm` file, so the directory must
            /// be writable or the `-shm` present.
            case readOnly
        }

        /// `PRAGMA synchronous`: how hard a commit pushes data to the disk.
        public enum Synchronous: String, Sendable, Equatable {
            /// `NORMAL`: under WAL a commit does not fsync; a process crash loses nothing, a power loss may lose
            /// the last commits but never corrupts the file. The default.
            case normal = "NORMAL"
            /// `FULL`: every commit fsyncs the WAL, so a committed transaction survives a power loss. Slower.
            case full = "FULL"
        }

        public var access: Access
        public var synchronous: Synchronous
        /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
        /// Rounded up to whole milliseconds; zero fails at once.
        public var busyTimeout: Duration

        public init(access: Access = .readWrite, synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(5)) {
            self.access = access
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }

        /// ``busyTimeout`` for `sqlite3_busy_timeout`, clamped to `0...Int32.max` milliseconds.
        var busyTimeoutMilliseconds: Int32 {
            let (seconds, attoseconds) = busyTimeout.components
            let milliseconds = (Double(seconds) * 1_000 + Double(attoseconds) / 1e15).rounded(.up)
            return Int32(min(max(milliseconds, 0), Double(Int32.max)))
        }
    }
}
