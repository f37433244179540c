import Telemetry

/// A ``ConfigValue`` being read at a key path, reporting what is wrong with it to an ``IssueCollector``.
///
/// Each typed read returns nil after reporting an issue, so a caller reads every key, keeps going, and lets the
/// collector decide at the end whether the load failed. Stages that own a raw section read it the same way:
/// ```swift
/// let issues = IssueCollector()
/// if let alerts = ConfigNode(value, path: ConfigPath().appending("alerts"), issues: issues)
///     .mapping(allowedKeys: ["offline_after", "threshold"]) {
///     let after = alerts.optional("offline_after")?.duration(in: .seconds(1) ... .seconds(86_400))
/// }
/// ```
public struct ConfigNode {
    /// The value.
    public let value: ConfigValue
    /// Its key path.
    public let path: ConfigPath
    /// Where problems go.
    public let issues: IssueCollector

    public init(_ value: ConfigValue, path: ConfigPath, issues: IssueCollector) {
        self.value = value
        self.path = path
        self.issues = issues
    }

    /// Where the value starts.
    public var location: SourceLocation { value.location }

    /// Reports a problem with this value (nothing, when an issue was already reported for it).
    public func report(_ problem: PipelineIssue.Problem) {
        guard !value.isPoisoned else { return }
        issues.report(problem, at: value.location, path: path)
    }

    // MARK: Scalars

    /// The scalar text; reports a type mismatch naming `expected` otherwise.
    func scalarText(expected: String) -> String? {
        if value.isPoisoned { return nil }
        if let text = value.scalar { return text }
        report(.typeMismatch(expected: expected, found: value.kindDescription))
        return nil
    }

    /// Any scalar as text (numbers and booleans too, as written).
    public func string() -> String? {
        scalarText(expected: "a string")
    }

    /// A scalar with at least one character.
    public func nonEmptyString() -> String? {
        guard let text = scalarText(expected: "a string") else { return nil }
        if text.isEmpty {
            report(.typeMismatch(expected: "a non-empty string", found: "''"))
            return nil
        }
        return text
    }

    /// A whole number in `range`.
    public func int(in range: ClosedRange<Int> = Int.min...Int.max) -> Int? {
        guard let text = scalarText(expected: "an integer") else { return nil }
        guard let number = Int(text.trimmingSpaces) else {
            report(.typeMismatch(expected: "an integer", found: value.kindDescription))
            return nil
        }
        guard range.contains(number) else {
            report(.outOfRange(found: String(number), expected: Self.describe(range)))
            return nil
        }
        return number
    }

    /// A finite number in `range`.
    public func double(in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) -> Double? {
        guard let number = finiteNumber() else { return nil }
        guard range.contains(number) else {
            report(.outOfRange(found: Self.show(number), expected: "\(Self.show(range.lowerBound))...\(Self.show(range.upperBound))"))
            return nil
        }
        return number
    }

    /// A finite number greater than zero.
    public func positiveDouble() -> Double? {
        guard let number = finiteNumber() else { return nil }
        guard number > 0 else {
            report(.outOfRange(found: Self.show(number), expected: "a number greater than 0"))
            return nil
        }
        return number
    }

    private func finiteNumber() -> Double? {
        guard let text = scalarText(expected: "a number") else { return nil }
        let trimmed = text.trimmingSpaces
        // `Double("inf")` and `Double("nan")` parse; a rating or a limit never is either.
        guard let number = Double(trimmed), number.isFinite, trimmed.utf8.allSatisfy({ $0 < 0x80 }) else {
            report(.typeMismatch(expected: "a number", found: value.kindDescription))
            return nil
        }
        return number
    }

    /// `true` or `false` (also `yes`/`no`, which YAML 1.1 readers write).
    public func bool() -> Bool? {
        guard let text = scalarText(expected: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            report(.typeMismatch(expected: "true or false", found: value.kindDescription))
            return nil
        }
    }

    /// A duration written as ``DurationText`` reads it, within `range`.
    public func duration(in range: ClosedRange<Duration>) -> Duration? {
        guard let text = scalarText(expected: DurationText.expectation) else { return nil }
        guard let duration = DurationText.parse(String(text.trimmingSpaces)) else {
            report(.typeMismatch(expected: DurationText.expectation, found: value.kindDescription))
            return nil
        }
        guard range.contains(duration) else {
            report(.outOfRange(
                found: text,
                expected: "\(DurationText.format(range.lowerBound))...\(DurationText.format(range.upperBound))"))
            return nil
        }
        return duration
    }

    /// One of an enumeration's raw values; an unknown one is reported with the allowed list and the closest.
    public func choice<Choice: CaseIterable & RawRepresentable>(_ type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        let allowed = Choice.allCases.map(\.rawValue)
        guard let text = scalarText(expected: "one of: " + allowed.joined(separator: ", ")) else { return nil }
        if let choice = Choice(rawValue: text) { return choice }
        report(.unknownValue(text, allowed: allowed, suggestion: Suggestion.closest(to: text, in: allowed)))
        return nil
    }

    /// A site, charger or EVSE id, validated by `Identifier`.
    public func identifier(_ kind: IdentifierKind) -> String? {
        guard let text = scalarText(expected: "an id") else { return nil }
        do {
            return try Identifier.validate(text, kind: kind)
        } catch {
            report(.invalidIdentifier(text, error))
            return nil
        }
    }

    // MARK: Collections

    /// This value as a mapping whose keys must come from `allowedKeys`; unknown keys are reported (with the
    /// closest allowed key), and the mapping is still returned so that its known keys get checked too.
    public func mapping(allowedKeys: [String]) -> ConfigMapping? {
        if value.isPoisoned { return nil }
        guard let entries = value.entries else {
            report(.typeMismatch(expected: "a mapping", found: value.kindDescription))
            return nil
        }
        for entry in entries where !allowedKeys.contains(entry.key) {
            issues.report(
                .unknownKey(entry.key, suggestion: Suggestion.closest(to: entry.key, in: allowedKeys)),
                at: entry.keyLocation, path: path.appending(entry.key))
        }
        return ConfigMapping(node: self, allowedKeys: allowedKeys)
    }

    /// The value under `key` of this mapping, without any check: for pointing at a value again (a duplicate id)
    /// after it was read through ``mapping(allowedKeys:)``.
    public func child(_ key: String) -> ConfigNode? {
        value[key].map { ConfigNode($0, path: path.appending(key), issues: issues) }
    }

    /// This value as a list, each item with its indexed path.
    public func list() -> [ConfigNode]? {
        if value.isPoisoned { return nil }
        guard let items = value.items else {
            report(.typeMismatch(expected: "a list", found: value.kindDescription))
            return nil
        }
        return items.enumerated().map { ConfigNode($1, path: path.appending(index: $0), issues: issues) }
    }

    // MARK: Formatting

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        if range.lowerBound == Int.min { return "at most \(range.upperBound)" }
        return "\(range.lowerBound)...\(range.upperBound)"
    }

    static func show(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// A mapping being read: its keys were checked against the allowed ones when it was made.
public struct ConfigMapping {
    /// The mapping's own node.
    public let node: ConfigNode
    /// The keys allowed here.
    public let allowedKeys: [String]

    /// The mapping's key path.
    public var path: ConfigPath { node.path }

    /// The value under `key`, or nil when it is absent or written as null.
    public func optional(_ key: String) -> ConfigNode? {
        assert(allowedKeys.contains(key), "'\(key)' read but not listed as allowed at \(path)")
        guard let entry = node.value.entries?.first(where: { $0.key == key }), !entry.value.isNull else {
            return nil
        }
        return ConfigNode(entry.value, path: path.appending(key), issues: node.issues)
    }

    /// The value under `key`; reports a missing key (at the mapping) when it is absent or null.
    public func required(_ key: String) -> ConfigNode? {
        if let value = optional(key) { return value }
        if !node.value.isPoisoned {
            node.issues.report(.missingKey(key), at: node.location, path: path)
        }
        return nil
    }

    /// True when the key is written (even as null).
    public func contains(_ key: String) -> Bool {
        node.value.entries?.contains(where: { $0.key == key }) ?? false
    }

    /// Where `key` is written, or the mapping's own location.
    public func keyLocation(_ key: String) -> SourceLocation {
        node.value.entries?.first(where: { $0.key == key })?.keyLocation ?? node.location
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
