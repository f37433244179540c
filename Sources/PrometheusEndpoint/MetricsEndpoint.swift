#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A minimal HTTP/1.1 responder for Prometheus scrapes: `GET /metrics` answers the exposition text, anything else
/// 404. One thread, one connection at a time, `Connection: close` — a scraper every few seconds needs no more, and
/// this keeps swift-nio (minutes per clean build here) out of the project.
public final class MetricsEndpoint: Sendable {
    /// The address actually bound (the port is the real one when 0 was asked for).
    public let host: String
    public let port: Int
    /// The listening socket; -1 once closed. Guarded by the mutex: `close()` and the accept thread share it.
    private let socket: Mutex<Int32>
    private let body: @Sendable () -> [UInt8]

    /// Binds `host:port` (port 0 for any free port) and starts answering on a thread of its own.
    public init(host: String = "127.0.0.1", port: Int, body: @escaping @Sendable () -> [UInt8]) throws(MetricsEndpointError) {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MetricsEndpointError(operation: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            Glibc.close(fd)
            throw MetricsEndpointError(operation: "parse address \(host)", errno: EINVAL)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw MetricsEndpointError(operation: "bind \(host):\(port)", errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.host = host
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.socket = Mutex(fd)
        self.body = body
        let thread = Thread { [self] in self.serve(fd) }
        thread.name = "wattline-metrics"
        thread.start()
    }

    /// Stops answering. The socket is shut down here and closed by the serving thread when its `accept` fails:
    /// closing it here could hand its descriptor number to a new socket while that thread is about to accept on it.
    public func close() {
        let fd = socket.withLock { fd -> Int32 in
            let old = fd
            fd = -1
            return old
        }
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
    }

    deinit { close() }

    private func serve(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                Glibc.close(listener)  // shut down by close()
                return
            }
            handle(client)
            Glibc.close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while request.count < 16_384 {
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            request.append(contentsOf: chunk[0..<n])
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let response: [UInt8]
        if parts.count >= 2, parts[0] == "GET", parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?") {
            let text = body()
            response = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: \(text.count)\r\nConnection: close\r\n\r\n".utf8) + text
        } else {
            let text = Array("not found: try GET /metrics\n".utf8)
            response = Array("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: \(text.count)\r\nConnection: close\r\n\r\n".utf8) + text
        }
        var sent = 0
        while sent < response.count {
            let n = response.withUnsafeBytes { send(client, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
        // Half-close and read until the scraper closes: closing with unread bytes in the receive buffer would make
        // the kernel answer with a reset, and the scraper could lose the end of the response.
        shutdown(client, Int32(SHUT_WR))
        var drain = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &drain, socklen_t(MemoryLayout<timeval>.size))
        while chunk.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
    }
}

/// A socket call of the metrics endpoint failed.
public struct MetricsEndpointError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "metrics endpoint: \(operation) failed: \(String(cString: strerror(errno)))" }
}
