/// Where the MQTT broker listens: `mqtt://host:port` (plain TCP) or `mqtts://host:port` (TLS).
///
/// The port defaults to 1883 for `mqtt` and 8883 for `mqtts`. An IPv6 address is written in brackets
/// (`mqtt://[::1]:1883`). Credentials do not belong in the URL; they go in `broker.username` and `broker.password`.
public struct BrokerURL: Sendable, Equatable, CustomStringConvertible {
    /// `mqtt` or `mqtts`.
    public enum Scheme: String, Sendable, CaseIterable {
        case mqtt, mqtts

        /// The IANA port for the scheme.
        public var defaultPort: Int { self == .mqtt ? 1883 : 8883 }
    }

    public var scheme: Scheme
    /// A host name or IP address (IPv6 without brackets).
    public var host: String
    public var port: Int

    public init(scheme: Scheme, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// True for `mqtts`.
    public var usesTLS: Bool { scheme == .mqtts }

    /// The URL as it would be written, with the port always shown.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost):\(port)"
    }

    /// The local broker `make run` uses.
    public static let local = BrokerURL(scheme: .mqtt, host: "127.0.0.1", port: 1883)

    /// What a message says a URL should look like.
    static let expectation = "a URL such as mqtt://host:1883 or mqtts://host:8883"

    /// Parses a URL, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<BrokerURL, BrokerURLError> {
        guard let separator = text.range(of: "://") else { return .failure(.notAURL) }
        guard let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased()) else {
            return .failure(.scheme(String(text[..<separator.lowerBound])))
        }
        var rest = Substring(text[separator.upperBound...])
        if rest.hasSuffix("/") { rest.removeLast() }
        if rest.contains("@") { return .failure(.credentials) }
        if rest.contains("/") || rest.contains("?") { return .failure(.path) }

        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(.host) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return .failure(.host) }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .failure(.host)
            }
        } else {
            if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
            }
            let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") }
            guard !host.isEmpty, host.allSatisfy(allowed) else { return .failure(.host) }
        }
        var port = scheme.defaultPort
        if let portText {
            guard let number = Int(portText), portText.allSatisfy(\.isASCII) else { return .failure(.port(String(portText))) }
            guard (1...65535).contains(number) else { return .failure(.port(String(portText))) }
            port = number
        }
        return .success(BrokerURL(scheme: scheme, host: String(host), port: port))
    }
}

/// Why a broker URL was refused.
public enum BrokerURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAURL
    case scheme(String)
    case credentials
    case path
    case host
    case port(String)

    public var description: String {
        switch self {
        case .notAURL: return "expected \(BrokerURL.expectation)"
        case .scheme(let scheme): return "unsupported scheme '\(scheme)'; expected mqtt or mqtts"
        case .credentials: return "credentials do not belong in the URL; set broker.username and broker.password"
        case .path: return "a broker URL has no path or query; expected \(BrokerURL.expectation)"
        case .host: return "the host is missing or malformed; expected \(BrokerURL.expectation)"
        case .port(let port): return "port '\(port)' is not a number in 1...65535"
        }
    }
}
