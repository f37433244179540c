#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// How one run of a hook ended.
public struct HookOutcome: Sendable, Equatable {
    public enum Ending: Sendable, Equatable {
        /// The process exited with this status.
        case exited(Int32)
        /// A signal ended it (not ours).
        case signalled(Int32)
        /// It overran its timeout and was killed with its whole process group.
        case timedOut
        /// It could not be started (errno text).
        case notStarted(String)
    }

    public var ending: Ending
    /// The first `HookProcess.outputLimit` bytes of its stdout and stderr; `truncated` counts the rest.
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var truncated: Int
    public var durationMs: Int64

    public var delivered: Bool { ending == .exited(0) }

    /// One line for logs and `failed.jsonl`.
    public var summary: String {
        switch ending {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out after \(durationMs) ms; killed with its process group"
        case .notStarted(let reason): "could not be started: \(reason)"
        }
    }
}

/// Runs one hook: the executable with its arguments (no shell), the event on stdin, extra environment variables,
/// a deadline. The hook leads a process group of its own; when it overruns the deadline the group gets SIGTERM,
/// then SIGKILL a second later, so nothing it started is left behind. Its stdout and stderr are read while it runs
/// (so it never blocks on a full pipe) and kept up to `outputLimit` bytes each.
///
/// The child starts with an empty signal mask and default dispositions (Wattline blocks SIGINT/SIGTERM for
/// `sigwait` and ignores SIGPIPE), and with no descriptor of Wattline's open beyond 0, 1 and 2.
public enum HookProcess {
    public static let outputLimit = 4096
    /// Between SIGTERM and SIGKILL to the process group.
    static let killGraceMs: Int64 = 1000

    /// Writing to a hook that closed its input must not end Wattline: SIGPIPE is ignored process-wide (once, on
    /// the first run; the write then fails with EPIPE, which is the hook's business). Children get it back by default.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Runs `command` and waits for it (blocking the calling thread).
    public static func run(_ command: [String], input: [UInt8], environment: [String: String], timeoutMs: Int64) -> HookOutcome {
        precondition(sigpipeIgnored)
        let start = monotonicMs()
        var outcome = HookOutcome(ending: .notStarted(""), stdout: [], stderr: [], truncated: 0, durationMs: 0)
        guard let executable = command.first else {
            outcome.ending = .notStarted("no executable")
            return outcome
        }
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        // Close-on-exec, so another hook started meanwhile does not inherit them (the child closes all but 0-2 too).
        func cloexecPipe(_ fds: inout [Int32]) -> Bool {
            guard pipe(&fds) == 0 else { return false }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard cloexecPipe(&stdinPipe), cloexecPipe(&stdoutPipe), cloexecPipe(&stderrPipe) else {
            for fd in stdinPipe + stdoutPipe + stderrPipe where fd >= 0 { close(fd) }
            outcome.ending = .notStarted(String(cString: strerror(errno)))
            return outcome
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        closeFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // ETXTBSY: the executable is open for writing somewhere (being replaced, or a child forked elsewhere holds
        // the writer's descriptor until its exec). Transient: try again briefly.
        var tries = 0
        while spawned == ETXTBSY, tries < 50 {
            usleep(10_000)
            tries += 1
            spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1])
            close(stdoutPipe[0])
            close(stderrPipe[0])
            outcome.ending = .notStarted("\(executable): \(String(cString: strerror(spawned)))")
            return outcome
        }

        var io = PipeIO(stdin: stdinPipe[1], stdout: stdoutPipe[0], stderr: stderrPipe[0], input: input)
        let deadline = start + timeoutMs
        var status: Int32 = 0
        var exited = false
        while !exited {
            let now = monotonicMs()
            if now >= deadline { break }
            io.pump(waitMs: Int32(min(20, deadline - now)))
            exited = waitpid(pid, &status, WNOHANG) == pid
        }
        if exited {
            io.pump(waitMs: 0)
            outcome.ending = decode(status)
        } else {
            // Overran: the whole group, politely first.
            kill(-pid, SIGTERM)
            let graceEnd = monotonicMs() + killGraceMs
            while !exited, monotonicMs() < graceEnd {
                io.pump(waitMs: 20)
                exited = waitpid(pid, &status, WNOHANG) == pid
            }
            kill(-pid, SIGKILL)
            if !exited { _ = waitpid(pid, &status, 0) }
            outcome.ending = .timedOut
        }
        io.close()
        outcome.stdout = io.stdoutBytes
        outcome.stderr = io.stderrBytes
        outcome.truncated = io.truncated
        outcome.durationMs = monotonicMs() - start
        return outcome
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not import
    /// (it needs _GNU_SOURCE): looked up once. Without it, the child keeps Wattline's descriptors that lack
    /// close-on-exec; the pipes above have it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        _ = addCloseFrom?(&actions, 3)
    }

    private static func decode(_ status: Int32) -> HookOutcome.Ending {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(signal)
    }

    static func monotonicMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// The parent's ends of a hook's three pipes: writes the input without blocking, reads both outputs, keeps the
/// first `HookProcess.outputLimit` bytes of each.
private struct PipeIO {
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
    let input: [UInt8]
    var written = 0
    var stdoutBytes: [UInt8] = []
    var stderrBytes: [UInt8] = []
    var truncated = 0

    init(stdin: Int32, stdout: Int32, stderr: Int32, input: [UInt8]) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.input = input
        for fd in [stdin, stdout, stderr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if input.isEmpty { closeStdin() }
    }

    /// Waits up to `waitMs` for any pipe to be ready, then moves what it can.
    mutating func pump(waitMs: Int32) {
        var fds: [pollfd] = []
        if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
        if stdout >= 0 { fds.append(pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)) }
        if stderr >= 0 { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
        if fds.isEmpty {
            if waitMs > 0 { usleep(UInt32(waitMs) * 1000) }
            return
        }
        guard poll(&fds, nfds_t(fds.count), waitMs) > 0 else { return }
        for entry in fds where entry.revents != 0 {
            if entry.fd == stdin { writeInput() }
            else if entry.fd == stdout { drainStdout() }
            else if entry.fd == stderr { drainStderr() }
        }
    }

    mutating func writeInput() {
        while written < input.count {
            let n = input.withUnsafeBytes { Glibc.write(stdin, $0.baseAddress! + written, $0.count - written) }
            if n > 0 { written += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
            break  // EPIPE: the hook does not read its input; that is its business
        }
        closeStdin()
    }

    mutating func closeStdin() {
        if stdin >= 0 { Glibc.close(stdin) }
        stdin = -1
    }

    mutating func drainStdout() {
        var fd = stdout, kept = stdoutBytes
        drain(&fd, into: &kept)
        stdout = fd
        stdoutBytes = kept
    }

    mutating func drainStderr() {
        var fd = stderr, kept = stderrBytes
        drain(&fd, into: &kept)
        stderr = fd
        stderrBytes = kept
    }

    mutating func drain(_ fd: inout Int32, into kept: inout [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while fd >= 0 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                let room = max(0, HookProcess.outputLimit - kept.count)
                kept += chunk[0..<min(n, room)]
                truncated += n - min(n, room)
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                return
            } else {
                Glibc.close(fd)
                fd = -1
            }
        }
    }

    mutating func close() {
        closeStdin()
        if stdout >= 0 { drainStdout() }
        if stderr >= 0 { drainStderr() }
        if stdout >= 0 { Glibc.close(stdout); stdout = -1 }
        if stderr >= 0 { Glibc.close(stderr); stderr = -1 }
    }
}
