import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PrometheusEndpoint
import Testing

@Suite struct MetricsEndpointTests {
    /// A plain HTTP/1.1 GET over a socket, as a scraper does it: request, then read to the end.
    func get(_ path: String, port: Int) async throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let status = Int(parts.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, parts.count > 1 ? parts[1...].joined(separator: "\r\n\r\n") : "")
    }

    @Test func servesTheExpositionOnAnyFreePort() async throws {
        let endpoint = try MetricsEndpoint(port: 0) { Array("wattline_up 1\n".utf8) }
        defer { endpoint.close() }
        #expect(endpoint.port > 0)
        let response = try await get("/metrics", port: endpoint.port)
        #expect(response.status == 200)
        #expect(response.body == "wattline_up 1\n")
        #expect(try await get("/other", port: endpoint.port).status == 404)
        // A second scrape works too (one connection at a time, closed after each answer).
        #expect(try await get("/metrics", port: endpoint.port).body == "wattline_up 1\n")
    }

    @Test func aTakenPortIsAClearError() throws {
        let first = try MetricsEndpoint(port: 0) { [] }
        defer { first.close() }
        #expect(throws: MetricsEndpointError.self) { _ = try MetricsEndpoint(port: first.port) { [] } }
        do {
            _ = try MetricsEndpoint(port: first.port) { [] }
        } catch {
            #expect(error.description.contains("bind 127.0.0.1:\(first.port)"))
            #expect(error.description.contains("in use"))
        }
    }
}
