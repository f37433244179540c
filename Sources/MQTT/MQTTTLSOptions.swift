#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TLS to the broker: which CA to trust, an optional client certificate, and whether to verify the broker.
public struct MQTTTLSOptions: Sendable, Equatable {
    /// The CA certificate (PEM) that signs the broker's certificate; nil for the system's trust store
    /// (``systemCADirectory``).
    public var caFile: String?
    /// The client certificate (PEM), for brokers that authenticate clients by certificate.
    public var certFile: String?
    /// The client certificate's private key (PEM, unencrypted); required with `certFile`.
    public var keyFile: String?
    /// Verify the broker's certificate chain and that its name matches `host`. On by default; turn it off only
    /// for a test broker.
    public var verify: Bool

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, verify: Bool = true) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.verify = verify
    }

    /// The system's CA directory, used when `caFile` is nil: the first entry of `$SSL_CERT_DIR` (OpenSSL's own
    /// override) if set, else `/etc/ssl/certs` (Debian, Ubuntu, Alpine; a link to `/etc/pki/tls/certs` on Red Hat
    /// systems). Read when a client is created.
    public static var systemCADirectory: String {
        let override = getenv("SSL_CERT_DIR").map { String(cString: $0) }
        return override?.split(separator: ":").first.map(String.init) ?? "/etc/ssl/certs"
    }
}
