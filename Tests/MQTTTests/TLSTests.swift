import MQTT
import MosquittoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension BrokerBackedTests {
    @Suite("TLS")
    struct TLS {
        @Test("With the broker's CA the client verifies the broker and receives messages")
        func trustedCA() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let certificates = try TestCertificates(in: directory)
            let broker = try MosquittoBroker(tls: certificates.brokerFiles)
            let client = try TestClient(port: broker.port, version: .v5, subscriptions: [MQTTSubscription("secure/#")],
                                        tls: MQTTTLSOptions(caFile: certificates.caFile))
            try await client.connect()
            let publisher = try TestClient(port: broker.port, tls: MQTTTLSOptions(caFile: certificates.caFile))
            try await publisher.connect()
            try publisher.client.publish(topic: "secure/a", payload: "sealed")
            #expect(await client.inbox.wait(for: 1).map(\.text) == ["sealed"])
            client.client.close()
            publisher.client.close()
        }

        @Test("Without the CA (system trust store) or with another CA, verification fails",
              arguments: [false, true])
        func untrusted(withOtherCA: Bool) async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let certificates = try TestCertificates(in: directory)
            let other = try TestCertificates(in: directory, name: "Some Other CA")
            let broker = try MosquittoBroker(tls: certificates.brokerFiles)
            let tls = MQTTTLSOptions(caFile: withOtherCA ? other.caFile : nil)
            let client = try TestClient(port: broker.port, tls: tls)
            // libmosquitto's sockets are non-blocking, so the handshake usually fails on the network thread
            // (reported as an event, then retried); sometimes already inside connect().
            var failure: MQTTError?
            do {
                try client.client.connect()
                _ = await client.events.wait { if case .disconnected(.some) = $0 { true } else { false } }
                failure = client.events.all.compactMap { if case .disconnected(let error?) = $0 { error } else { nil } }.first
                #expect(await client.events.wait { if case .reconnecting = $0 { true } else { false } }, "and it retries")
            } catch {
                failure = error
            }
            let error = try #require(failure)
            #expect(error.code == 8)  // MOSQ_ERR_TLS
            #expect(error.message == "A TLS error occurred.")
            #expect(error.detail?.contains("certificate verify failed") == true, "\(error)")
            #expect(!client.events.all.contains { if case .connected = $0 { true } else { false } })
            client.client.close()
        }

        @Test("A TLS client reconnects after its connection is cut, with a CA file or the system CA directory",
              arguments: [false, true])
        func reconnect(systemDirectory: Bool) async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let certificates = try TestCertificates(in: directory)
            let broker = try MosquittoBroker(tls: certificates.brokerFiles)
            let proxy = try TCPProxy(to: broker.port)
            var tls = MQTTTLSOptions(caFile: certificates.caFile)
            if systemDirectory {
                // A directory with only the test CA stands in for /etc/ssl/certs; it is read when the client is made.
                setenv("SSL_CERT_DIR", try certificates.makeCADirectory(in: directory), 1)
                tls = MQTTTLSOptions()
            }
            let client = try TestClient(port: proxy.port, tls: tls)
            if systemDirectory { unsetenv("SSL_CERT_DIR") }
            try await client.connect()
            proxy.cutConnections()
            #expect(await client.events.waitConnected(2), "\(client.events.all)")
            client.client.close()
            proxy.stopAndWait()
        }

        @Test("verify: false connects without the CA (test brokers only)")
        func noVerification() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let certificates = try TestCertificates(in: directory)
            let other = try TestCertificates(in: directory, name: "Some Other CA")
            let broker = try MosquittoBroker(tls: certificates.brokerFiles)
            let client = try TestClient(port: broker.port, tls: MQTTTLSOptions(caFile: other.caFile, verify: false))
            try await client.connect()
            client.client.close()
        }
    }
}
