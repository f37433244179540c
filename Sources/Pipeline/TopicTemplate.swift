import Telemetry

/// A topic template compiled into an MQTT subscription filter and a matcher.
///
/// Segments are literal text, a variable (`{charger}`), a variable with a literal prefix or suffix
/// (`everest-{charger}`: EVerest's per-charger prefix), or a final `#`. Variables and partial segments subscribe as
/// `+`; `$share/group/` in front makes a shared subscription and is not part of what a topic is matched against.
///
/// Matching walks the topic's UTF-8 bytes once, without regular expressions and without allocating; only the
/// captured values become `String`s, and only when the whole topic matched.
public struct TopicTemplate: Sendable, Equatable {
    /// One segment of the pattern.
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case capture(TopicVariable, prefix: [UInt8], suffix: [UInt8])
    }

    /// The template as written.
    public let text: String
    /// The MQTT subscription filter (`ocpp/+/in`, `$share/wattline/ocpp/+/in`).
    public let filter: String
    /// The shared-subscription group, when the template starts with `$share/group/`.
    public let shareGroup: String?
    /// The payload format of matching messages.
    public let format: PayloadFormat
    /// Who publishes on matching topics.
    public let direction: TopicDirection
    /// The QoS to subscribe with.
    public let qos: Int
    /// The template's position in `topics`.
    public let index: Int
    /// The variables the template captures, in order (`{_}` excluded).
    public let variables: [TopicVariable]

    let segments: [Segment]
    /// True when the template ends in `#` (any number of further levels, including none).
    let matchesDeeperLevels: Bool

    /// Compiles `text`; throws when it is malformed or has no `{charger}`.
    public init(
        _ text: String, format: PayloadFormat, direction: TopicDirection = .charger, qos: Int = 1, index: Int = 0
    ) throws(TopicTemplateError) {
        guard !text.isEmpty else { throw .empty }
        var levels = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)

        var shareGroup: String?
        if levels.first == "$share" {
            guard levels.count >= 3, !levels[1].isEmpty, !levels[1].contains(where: { "+#{}".contains($0) }) else {
                throw .malformedShare
            }
            shareGroup = levels[1]
            levels.removeFirst(2)
        }

        var segments: [Segment] = []
        var variables: [TopicVariable] = []
        var filterLevels: [String] = []
        var deeper = false
        for (position, level) in levels.enumerated() {
            if level == "#" {
                guard position == levels.count - 1 else { throw .wildcard(level) }
                deeper = true
                filterLevels.append("#")
                continue
            }
            if level.contains("+") || level.contains("#") { throw .wildcard(level) }
            let segment = try Self.compile(segment: level)
            if case .capture(let variable, _, _) = segment, variable != .ignored {
                guard !variables.contains(variable) else { throw .repeatedVariable(variable) }
                variables.append(variable)
            }
            if case .literal = segment { filterLevels.append(level) } else { filterLevels.append("+") }
            segments.append(segment)
        }
        guard variables.contains(.charger) else { throw .missingCharger }

        self.text = text
        self.shareGroup = shareGroup
        self.filter = (shareGroup.map { "$share/\($0)/" } ?? "") + filterLevels.joined(separator: "/")
        self.format = format
        self.direction = direction
        self.qos = qos
        self.index = index
        self.variables = variables
        self.segments = segments
        self.matchesDeeperLevels = deeper
    }

    /// Splits one level into literal prefix, variable and literal suffix.
    private static func compile(segment: String) throws(TopicTemplateError) -> Segment {
        let bytes = Array(segment.utf8)
        let opens = bytes.indices.filter { bytes[$0] == UInt8(ascii: "{") }
        let closes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "}") }
        if opens.isEmpty && closes.isEmpty { return .literal(bytes) }
        guard opens.count == closes.count else { throw .malformedVariable(segment) }
        guard opens.count == 1 else { throw .twoVariablesInSegment(segment) }
        let open = opens[0], close = closes[0]
        guard close > open + 1 else { throw .malformedVariable(segment) }
        let name = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        guard let variable = TopicVariable(rawValue: name) else {
            let names = TopicVariable.allCases.map(\.rawValue)
            throw .unknownVariable(name, suggestion: Suggestion.closest(to: name, in: names))
        }
        return .capture(variable, prefix: Array(bytes[..<open]), suffix: Array(bytes[(close + 1)...]))
    }

    /// True when both templates match exactly the same topics (whatever their variables are called), so the later
    /// one could never be used.
    func matchesSameTopics(as other: TopicTemplate) -> Bool {
        guard segments.count == other.segments.count, matchesDeeperLevels == other.matchesDeeperLevels else {
            return false
        }
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal(let a), .literal(let b)) where a == b: continue
            case (.capture(_, let p1, let s1), .capture(_, let p2, let s2)) where p1 == p2 && s1 == s2: continue
            default: return false
            }
        }
        return true
    }

    /// Matches a topic against this template alone. Nil when the topic has another shape; throws when it has
    /// this shape but a captured value is refused.
    public func match(topic: String) throws(TopicMatchError) -> TopicMatch? {
        var topic = topic
        let outcome = topic.withUTF8 { bytes -> TopicRouter.Outcome in
            guard let captures = self.capture(bytes) else { return .noMatch }
            return self.resolve(captures, in: bytes)
        }
        switch outcome {
        case .noMatch: return nil
        case .matched(let match): return match
        case .refused(let error): throw error
        }
    }

    // MARK: Matching (hot path)

    /// Byte ranges of each variable's capture in a topic.
    struct Captures {
        var site: Range<Int>?
        var charger: Range<Int>?
        var evse: Range<Int>?
        var connector: Range<Int>?
        var action: Range<Int>?
        var stream: Range<Int>?
        var module: Range<Int>?
        var impl: Range<Int>?

        @inline(__always)
        mutating func set(_ variable: TopicVariable, _ range: Range<Int>) {
            switch variable {
            case .site: site = range
            case .charger: charger = range
            case .evse: evse = range
            case .connector: connector = range
            case .action: action = range
            case .stream: stream = range
            case .module: module = range
            case .impl: impl = range
            case .ignored: break
            }
        }
    }

    /// The captures when the topic has this template's shape, else nil. No allocation.
    func capture(_ topic: UnsafeBufferPointer<UInt8>) -> Captures? {
        var captures = Captures()
        var position = 0
        let slash = UInt8(ascii: "/")
        for (number, segment) in segments.enumerated() {
            if number > 0 {
                guard position < topic.count, topic[position] == slash else { return nil }
                position += 1
            }
            var end = position
            while end < topic.count, topic[end] != slash { end += 1 }
            switch segment {
            case .literal(let literal):
                guard end - position == literal.count else { return nil }
                var offset = 0
                while offset < literal.count {
                    guard topic[position + offset] == literal[offset] else { return nil }
                    offset += 1
                }
            case .capture(let variable, let prefix, let suffix):
                let length = end - position
                guard length >= prefix.count + suffix.count else { return nil }
                for offset in 0..<prefix.count where topic[position + offset] != prefix[offset] { return nil }
                let suffixStart = end - suffix.count
                for offset in 0..<suffix.count where topic[suffixStart + offset] != suffix[offset] { return nil }
                captures.set(variable, (position + prefix.count)..<suffixStart)
            }
            position = end
        }
        if position == topic.count { return captures }
        // `a/#` also matches `a/b/c`: the rest must start a new level.
        if matchesDeeperLevels, topic[position] == slash { return captures }
        return nil
    }

    /// Validates the captures and builds the match (the only allocations: the captured strings).
    func resolve(_ captures: Captures, in topic: UnsafeBufferPointer<UInt8>) -> TopicRouter.Outcome {
        do throws(TopicMatchError) {
            return .matched(try validate(captures, in: topic))
        } catch {
            return .refused(error)
        }
    }

    private func validate(_ captures: Captures, in topic: UnsafeBufferPointer<UInt8>) throws(TopicMatchError)
        -> TopicMatch
    {
        func refuse(_ variable: TopicVariable, _ problem: TopicMatchError.Problem) -> TopicMatchError {
            TopicMatchError(template: text, templateIndex: index, variable: variable, problem: problem)
        }
        func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: topic[range]), as: UTF8.self)
        }
        func identifier(_ range: Range<Int>, _ variable: TopicVariable, _ kind: IdentifierKind)
            throws(TopicMatchError) -> String
        {
            do {
                try Identifier.check(topic[range], kind: kind)
            } catch {
                throw refuse(variable, .invalidIdentifier(error))
            }
            return string(range)
        }
        func number(_ range: Range<Int>, _ variable: TopicVariable) throws(TopicMatchError) -> Int {
            let bytes = topic[range]
            guard !bytes.isEmpty, bytes.count <= 9, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw refuse(variable, .notAnInteger(TopicMatchError.printable(bytes)))
            }
            let value = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 999 else { throw refuse(variable, .outOfRange(value)) }
            return value
        }
        func name(_ range: Range<Int>?, _ variable: TopicVariable) throws(TopicMatchError) -> String? {
            guard let range else { return nil }
            let bytes = topic[range]
            guard !bytes.isEmpty, bytes.count <= 64, bytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
                throw refuse(variable, .invalidName(TopicMatchError.printable(bytes)))
            }
            return string(range)
        }

        // Every template captures {charger}; the initializer refuses one without it.
        guard let chargerRange = captures.charger else {
            throw refuse(.charger, .invalidIdentifier(IdentifierError(kind: .charger, problem: .empty)))
        }
        var match = TopicMatch(
            templateIndex: index, format: format, direction: direction,
            charger: try identifier(chargerRange, .charger, .charger))
        if let range = captures.site { match.site = try identifier(range, .site, .site) }
        if let range = captures.evse {
            // The id rules first (they explain `../` best), then the number.
            do {
                try Identifier.check(topic[range], kind: .evse)
            } catch {
                throw refuse(.evse, .invalidIdentifier(error))
            }
            match.evse = try number(range, .evse)
        }
        if let range = captures.connector { match.connector = try number(range, .connector) }
        match.action = try name(captures.action, .action)
        match.stream = try name(captures.stream, .stream)
        match.module = try name(captures.module, .module)
        match.impl = try name(captures.impl, .impl)
        return match
    }
}
