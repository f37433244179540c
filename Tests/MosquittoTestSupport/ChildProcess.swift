import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process started with `posix_spawn`, its standard input read from a file and its output appended to one.
public final class ChildProcess: Sendable {
    /// The process id.
    public let pid: pid_t
    /// The `waitpid` status once the process has been reaped; reaping happens once, under this lock.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`; stdout goes to `outputPath` (appended) or /dev/null, stderr to
    /// `errorPath` (appended) or with stdout; `directory` is the child's working directory (default: ours).
    ///
    /// The child opens its standard files by path itself, so no descriptor of this process is handed over: another
    /// thread opening or closing descriptors meanwhile (Foundation's `Process` and `Pipe` among them) cannot give
    /// the child a wrong one.
    public init(_ executable: String, _ arguments: [String], stdinPath: String? = nil, outputPath: String? = nil,
                errorPath: String? = nil, directory: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        if let directory {
            guard let addChdir = Self.addChdir else { throw TestSupportError("this C library cannot set a child's directory") }
            _ = addChdir(&actions, directory)
        }

        // The spawning thread may block signals (libdispatch's worker threads do) and the child would inherit
        // that mask: mosquitto would then ignore SIGTERM. Start the child with no signal blocked and the
        // default actions for the ones tests send.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw TestSupportError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's Glibc module does not import.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// How a command ended and what it printed (`capture`).
    public struct Captured: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs a command to the end, `stdin` as its standard input (none: /dev/null) and `directory` its working
    /// directory, and returns its status and both outputs. They pass through files in a temporary directory, never
    /// pipes: tests that start processes from several threads at once with `Foundation.Process` and `Pipe` saw
    /// descriptors mixed up (a child reading its standard input got EBADF).
    public static func capture(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil,
                               directory: String? = nil) throws -> Captured {
        let scratch = try TemporaryDirectory(prefix: "wattline-capture")
        defer { scratch.remove() }
        let stdinPath = try stdin.map { try scratch.write($0, to: "stdin") }
        let child = try ChildProcess(executable, arguments, stdinPath: stdinPath, outputPath: scratch.path + "/stdout",
                                     errorPath: scratch.path + "/stderr", directory: directory)
        let status = child.wait()
        return Captured(status: status, stdout: try TemporaryDirectory.readBytes(scratch.path + "/stdout"),
                        stderr: try TemporaryDirectory.readBytes(scratch.path + "/stderr"))
    }

    /// Runs a command to the end and returns its output; throws if it exits non-zero.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], stdinPath: String? = nil, in directory: TemporaryDirectory) throws -> String {
        let outputPath = directory.path + "/command-\(UInt32.random(in: 0 ... .max)).out"
        let process = try ChildProcess(executable, arguments, stdinPath: stdinPath, outputPath: outputPath)
        let status = process.wait()
        let output = (try? directory.read(outputPath)) ?? ""
        guard status == 0 else {
            throw TestSupportError("\(executable) \(arguments.joined(separator: " ")) exited with status \(status): \(output)")
        }
        return output
    }

    /// Sends `signal` unless the process has already been reaped.
    public func send(_ signal: Int32) {
        reaped.withLock { status in
            if status == nil { _ = kill(pid, signal) }
        }
    }

    /// Waits for the process to end; returns its exit code (or 128 + the signal that ended it).
    @discardableResult
    public func wait() -> Int32 {
        reaped.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
                status = raw
            }
            return Self.exitCode(status!)
        }
    }

    /// Whether the process has ended (reaping it if so).
    public var hasExited: Bool {
        reaped.withLock { status in
            if status != nil { return true }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = raw
                return true
            }
            return false
        }
    }

    private static func exitCode(_ raw: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}
