import JSONTape

/// Reading JSON back into a ``JSONValue`` (through `JSONTape`) with numbers kept as their text: the ledger turns
/// stored CDRs into credit records without the figures passing through `Double`.
extension JSONValue {
    /// Why a text is not JSON.
    public struct ParseFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses a whole JSON text.
    public static func parse(_ text: String) throws(ParseFailure) -> JSONValue {
        var bytes = Array(text.utf8)
        let tape = JSONTape()
        do {
            return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(JSONError) in
                value(try tape.parse(UnsafeBufferPointer(buffer)))
            }
        } catch {
            throw ParseFailure(description: String(describing: error))
        }
    }

    private static func value(_ ref: JSONRef) -> JSONValue {
        switch ref.kind {
        case .object:
            var members: [(String, JSONValue)] = []
            ref.forEachMember { name, member in members.append((String(decoding: name, as: UTF8.self), value(member))) }
            return .object(members)
        case .array:
            var items: [JSONValue] = []
            ref.forEachElement { _, item in items.append(value(item)) }
            return .array(items)
        case .string: return .string(ref.string ?? "")
        case .number: return .number(String(decoding: ref.rawBytes, as: UTF8.self))
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The string, for `.string`.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number's text, for `.number`.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    /// The object with `key` set to `value` (replaced in place, else appended).
    public func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
        return .object(members)
    }
}
