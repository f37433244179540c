import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `mosquitto` on a free port of 127.0.0.1, with its own configuration, persistence and log in a
/// temporary directory. Stopped (and the directory removed) when released.
///
/// The configuration keeps queued messages over a SIGTERM restart (persistence with a 1 s autosave), queues
/// up to 1,000,000 messages per client (the default 1,000 drops messages of a paused subscriber) and allows
/// 1,000 QoS 1/2 messages in flight per client. Its log (`log_dest stdout`, redirected) is in ``logPath``.
public final class MosquittoBroker: Sendable {
    /// TLS files for the listener.
    public struct TLSFiles: Sendable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String

        public init(caFile: String, certFile: String, keyFile: String) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    /// The port the broker listens on (127.0.0.1 only); the same after ``restart()``.
    public let port: Int
    /// The broker's temporary directory: configuration, persistence, log.
    public let directory: TemporaryDirectory
    /// Where the broker's output goes.
    public var logPath: String { directory.path + "/mosquitto.log" }
    private var configPath: String { directory.path + "/mosquitto.conf" }
    /// The running broker, nil while stopped.
    private let process = Mutex<ChildProcess?>(nil)

    /// The mosquitto executable.
    public static let executable = "/usr/sbin/mosquitto"

    /// Starts a broker; `extraConfiguration` lines go at the end (they apply to the listener).
    public init(tls: TLSFiles? = nil, extraConfiguration: [String] = []) throws {
        let directory = try TemporaryDirectory(prefix: "wattline-mosquitto")
        var lastError: (any Error)?
        for _ in 0..<5 {
            do {
                let port = try LoopbackPort.free()
                try directory.write(Self.configuration(port: port, directory: directory, tls: tls, extra: extraConfiguration), to: "mosquitto.conf")
                let started = try Self.launch(configPath: directory.path + "/mosquitto.conf", logPath: directory.path + "/mosquitto.log", port: port)
                self.port = port
                self.directory = directory
                process.withLock { $0 = started }
                return
            } catch {
                // Most likely another process took the port between our check and mosquitto's bind.
                lastError = error
            }
        }
        directory.remove()
        throw lastError ?? TestSupportError("mosquitto did not start")
    }

    deinit {
        stop()
        directory.remove()
    }

    /// The broker's log so far.
    public func log() -> String {
        (try? directory.read(logPath)) ?? ""
    }

    /// Stops the broker with SIGTERM and waits for it to exit (it saves its persistence file first).
    public func stop() {
        end(with: SIGTERM)
    }

    /// Kills the broker with SIGKILL: no final save; anything since the last autosave (1 s) is lost.
    public func kill() {
        end(with: SIGKILL)
    }

    /// Starts the broker again on the same port, with the same persistence directory.
    public func restart() throws {
        stop()
        let started = try Self.launch(configPath: configPath, logPath: logPath, port: port)
        process.withLock { $0 = started }
    }

    /// Whether the broker process is running.
    public var isRunning: Bool {
        process.withLock { $0.map { !$0.hasExited } ?? false }
    }

    private func end(with signal: Int32) {
        guard let running = process.withLock({ state -> ChildProcess? in
            defer { state = nil }
            return state
        }) else { return }
        running.send(signal)
        running.wait()
    }

    /// Spawns mosquitto and waits (up to 10 s) until the port accepts connections.
    private static func launch(configPath: String, logPath: String, port: Int) throws -> ChildProcess {
        let child = try ChildProcess(executable, ["-c", configPath], outputPath: logPath)
        for _ in 0..<1_000 {
            if LoopbackPort.accepts(port) { return child }
            if child.hasExited {
                let log = (try? TemporaryDirectory.readFile(logPath)) ?? ""
                throw TestSupportError("mosquitto exited while starting on port \(port):\n\(log)")
            }
            usleep(10_000)
        }
        child.send(SIGKILL)
        child.wait()
        throw TestSupportError("mosquitto did not accept connections on port \(port) within 10 s")
    }

    static func configuration(port: Int, directory: TemporaryDirectory, tls: TLSFiles?, extra: [String]) -> String {
        // Run as root, mosquitto drops to the `mosquitto` user, which cannot write into our directory: stay as
        // whoever runs the tests.
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "root"
        var lines = [
            "# Written by MosquittoTestSupport for one test run.",
            "user \(user)",
            "allow_anonymous true",
            "persistence true",
            "persistence_location \(directory.path)/",
            "autosave_interval 1",
            "max_queued_messages 1000000",
            "max_queued_bytes 0",
            "max_inflight_messages 1000",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "log_timestamp true",
            "connection_messages true",
            "listener \(port) 127.0.0.1",
        ]
        if let tls {
            lines += ["cafile \(tls.caFile)", "certfile \(tls.certFile)", "keyfile \(tls.keyFile)"]
        }
        return (lines + extra).joined(separator: "\n") + "\n"
    }
}
