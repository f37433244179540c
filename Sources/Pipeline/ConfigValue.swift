/// A value read from a pipeline file: a sendable copy of the YAML tree that keeps each value's location.
///
/// Yams' `Node` is not `Sendable` (it holds anchors by reference), so the loader converts the composed tree into
/// this representation once. `${NAME}` references have already been substituted in every scalar. Sections that
/// later stages own (`processors`, `tariffs`, `alerts`, `storage`, `ingest`) are handed over as `ConfigValue`s;
/// read them with ``ConfigNode`` so that their issues print the same way as the pipeline's own.
public struct ConfigValue: Sendable, Equatable {
    /// What the value holds.
    public enum Content: Sendable, Equatable {
        /// An empty value, `~` or `null`.
        case null
        /// A scalar's text, exactly as YAML decoded it (quotes removed, escapes applied). Numbers and booleans are
        /// read from this text by ``ConfigNode``.
        case scalar(String)
        /// A list.
        case sequence([ConfigValue])
        /// A mapping, in the order written. Keys are unique.
        case mapping([ConfigEntry])
    }

    /// The value itself.
    public var content: Content
    /// Where the value starts.
    public var location: SourceLocation
    /// Set when an issue was already reported for this value (an unset `${NAME}`), so readers stay silent
    /// instead of adding a second, derived complaint.
    var isPoisoned: Bool = false

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    /// The scalar text, or nil for other kinds of value.
    public var scalar: String? {
        if case .scalar(let text) = content { return text }
        return nil
    }

    /// The entries of a mapping, or nil for other kinds of value.
    public var entries: [ConfigEntry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// The items of a list, or nil for other kinds of value.
    public var items: [ConfigValue]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// True for an empty value, `~` or `null`.
    public var isNull: Bool {
        if case .null = content { return true }
        return false
    }

    /// The value under `key` when this is a mapping.
    public subscript(key: String) -> ConfigValue? {
        entries?.first(where: { $0.key == key })?.value
    }

    /// How the value is named in messages: `'abc'` for a scalar, `a mapping`, `a list`, `nothing`.
    public var kindDescription: String {
        switch content {
        case .null: return "nothing"
        case .scalar(let text): return "'\(text)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One key of a mapping with its value.
public struct ConfigEntry: Sendable, Equatable {
    /// The key text.
    public var key: String
    /// Where the key is written (the place an "unknown key" issue points at).
    public var keyLocation: SourceLocation
    /// The value.
    public var value: ConfigValue

    public init(key: String, keyLocation: SourceLocation, value: ConfigValue) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
