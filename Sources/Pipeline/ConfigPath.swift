/// The key path of a value inside a pipeline, such as `fleet.chargers[3].site`.
///
/// Issues print it so a problem can be found even when a file is long or its values are merged from includes.
/// Indices count entries of the merged list (an included file's entries follow the including file's own).
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The steps from the document root.
    public var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// The document root (an empty path).
    public static let root = ConfigPath()

    /// True for the document root.
    public var isRoot: Bool { components.isEmpty }

    /// This path extended by a mapping key.
    public func appending(_ key: String) -> ConfigPath {
        ConfigPath(components + [.key(key)])
    }

    /// This path extended by a list index.
    public func appending(index: Int) -> ConfigPath {
        ConfigPath(components + [.index(index)])
    }

    /// `broker.tls.ca_file`, `topics[2].template`; empty for the root.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}
