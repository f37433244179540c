/// A throwaway CA and a server certificate it signs (for 127.0.0.1 and localhost), made with the `openssl` CLI.
public struct TestCertificates: Sendable {
    /// The CA certificate (PEM).
    public let caFile: String
    /// The server certificate (PEM), with subjectAltName IP:127.0.0.1 and DNS:localhost.
    public let serverCertFile: String
    /// The server's private key (PEM, unencrypted).
    public let serverKeyFile: String

    /// The files for a ``MosquittoBroker`` TLS listener.
    public var brokerFiles: MosquittoBroker.TLSFiles {
        MosquittoBroker.TLSFiles(caFile: caFile, certFile: serverCertFile, keyFile: serverKeyFile)
    }

    public static let opensslExecutable = "/usr/bin/openssl"

    /// Makes a CA named `name` and a server certificate in `directory` (P-256 keys, valid for a day).
    public init(in directory: TemporaryDirectory, name: String = "Wattline Test CA") throws {
        let base = directory.path + "/" + name.filter { $0.isLetter || $0.isNumber }
        caFile = base + "-ca.crt"
        serverCertFile = base + "-server.crt"
        serverKeyFile = base + "-server.key"
        let caKey = base + "-ca.key"
        let request = base + "-server.csr"
        let extensions = try directory.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n", to: base + "-server.ext")
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try ChildProcess.run(Self.opensslExecutable, ["req", "-x509"] + ec + [
            "-keyout", caKey, "-out", caFile, "-days", "1", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ], in: directory)
        try ChildProcess.run(Self.opensslExecutable, ["req"] + ec + [
            "-keyout", serverKeyFile, "-out", request, "-subj", "/CN=localhost",
        ], in: directory)
        try ChildProcess.run(Self.opensslExecutable, [
            "x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial",
            "-out", serverCertFile, "-days", "1", "-extfile", extensions,
        ], in: directory)
    }

    /// A directory holding only the CA certificate under its OpenSSL hash name (`openssl rehash`), to stand in
    /// for the system's CA directory (`SSL_CERT_DIR`).
    public func makeCADirectory(in directory: TemporaryDirectory) throws -> String {
        let path = directory.path + "/ca-directory-\(UInt32.random(in: 0 ... .max))"
        try ChildProcess.run("/bin/mkdir", ["-p", path], in: directory)
        try ChildProcess.run("/bin/cp", [caFile, path + "/ca.pem"], in: directory)
        try ChildProcess.run(Self.opensslExecutable, ["rehash", path], in: directory)
        return path
    }
}
