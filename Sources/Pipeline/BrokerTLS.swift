/// TLS to the broker: the CA to trust, an optional client certificate, and whether to verify the broker.
///
/// Paths are resolved against the directory of the file that names them and must exist when the pipeline is
/// loaded. With no `ca_file`, the system's trust store is used.
public struct BrokerTLS: Sendable, Equatable {
    /// The CA certificate (PEM) that signs the broker's certificate; nil for the system trust store.
    public var caFile: String?
    /// The client certificate (PEM), for brokers that authenticate clients by certificate.
    public var certFile: String?
    /// The client certificate's private key (PEM); required with `certFile`.
    public var keyFile: String?
    /// Verify the broker's certificate and host name. Turn off only for a test broker.
    public var verify: Bool

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, verify: Bool = true) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.verify = verify
    }
}
