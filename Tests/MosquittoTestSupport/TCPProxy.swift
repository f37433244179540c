import Foundation
import Synchronization

/// A TCP forwarder from a free port of 127.0.0.1 to another local port, whose connections a test can cut
/// abruptly: both ends get a reset, as when a network fails or a process dies, and no MQTT DISCONNECT is sent.
/// It keeps accepting new connections afterwards, so a client can reconnect through it.
///
/// One thread moves bytes with `poll`; fine for test traffic, not for throughput.
public final class TCPProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    /// Where connections are forwarded.
    public let targetPort: Int
    /// Shared with the forwarding thread, which must not keep `self` alive (then `deinit` would never run).
    private let control: Control
    /// Written to wake the forwarding thread.
    private let wakeWrite: Int32

    private final class Control: Sendable {
        let state = Mutex(State())
    }

    private struct State {
        var cutsRequested = 0
        var cutsDone = 0
        var stopRequested = false
        var stopped = false
    }

    public init(to targetPort: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = LoopbackPort.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard listener >= 0, bound == 0, listen(listener, 16) == 0 else {
            throw TestSupportError("proxy listener: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw TestSupportError("pipe: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.targetPort = targetPort
        wakeWrite = pipeEnds[1]
        let wakeRead = pipeEnds[0]
        let control = Control()
        self.control = control
        let thread = Thread { Self.forward(listener: listener, wakeRead: wakeRead, to: targetPort, control: control) }
        thread.name = "TCPProxy \(port)"
        thread.start()
    }

    deinit {
        stopAndWait()
        close(wakeWrite)
    }

    /// Resets every open connection through the proxy, and returns once they are gone.
    public func cutConnections() {
        control.state.withLock { $0.cutsRequested += 1 }
        wake()
        while control.state.withLock({ $0.cutsDone < $0.cutsRequested && !$0.stopped }) { usleep(1_000) }
    }

    /// Stops the proxy: resets every connection and closes the listener.
    public func stopAndWait() {
        control.state.withLock { $0.stopRequested = true }
        wake()
        while !control.state.withLock({ $0.stopped }) { usleep(1_000) }
    }

    private func wake() {
        var byte: UInt8 = 0
        _ = write(wakeWrite, &byte, 1)
    }

    /// The forwarding thread: pairs of (client, target) sockets.
    private static func forward(listener: Int32, wakeRead: Int32, to targetPort: Int, control: Control) {
        var pairs: [(Int32, Int32)] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)

        func reset(_ fd: Int32) {
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            close(fd)
        }

        while true {
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            for (a, b) in pairs {
                fds.append(pollfd(fd: a, events: Int16(POLLIN), revents: 0))
                fds.append(pollfd(fd: b, events: Int16(POLLIN), revents: 0))
            }
            if poll(&fds, nfds_t(fds.count), -1) < 0 && errno != EINTR { break }

            if fds[0].revents != 0 {
                _ = read(wakeRead, &buffer, buffer.count)
                let (cuts, stop) = control.state.withLock { ($0.cutsRequested, $0.stopRequested) }
                if stop { break }
                if control.state.withLock({ $0.cutsDone }) < cuts {
                    for (a, b) in pairs { reset(a); reset(b) }
                    pairs.removeAll()
                    control.state.withLock { $0.cutsDone = cuts }
                    continue
                }
            }
            let polledPairs = pairs.count
            if fds[1].revents & Int16(POLLIN) != 0 {
                let client = accept(listener, nil, nil)
                if client >= 0 {
                    if let target = try? LoopbackPort.connect(to: targetPort) {
                        pairs.append((client, target))
                    } else {
                        reset(client)
                    }
                }
            }
            var closed: Set<Int> = []
            for (index, pair) in pairs.prefix(polledPairs).enumerated() {
                for (from, to, revents) in [(pair.0, pair.1, fds[2 + 2 * index].revents), (pair.1, pair.0, fds[3 + 2 * index].revents)]
                where revents != 0 && !closed.contains(index) {
                    let count = read(from, &buffer, buffer.count)
                    if count <= 0 || !writeAll(to, buffer, count) {
                        // One side closed: pass the close on, like a TCP connection would.
                        close(pair.0)
                        close(pair.1)
                        closed.insert(index)
                    }
                }
            }
            pairs = pairs.enumerated().filter { !closed.contains($0.offset) }.map(\.element)
        }
        for (a, b) in pairs { reset(a); reset(b) }
        close(listener)
        close(wakeRead)
        control.state.withLock { $0.stopped = true }
    }

    private static func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var sent = 0
        while sent < count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + sent, count - sent) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }
}
