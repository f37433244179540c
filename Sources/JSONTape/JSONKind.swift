/// The kind of a JSON value on a tape.
public enum JSONKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null

    /// The JSON name of the kind, for error messages ("expected a string, found an array").
    public var name: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .true, .false: "a boolean"
        case .null: "null"
        }
    }
}

/// One entry of a tape: a value, with the byte range it spans in the input.
///
/// Objects and arrays are followed by their children in document order; an object's children alternate key
/// (a string node) and value. `next` is the index just past the whole subtree, so a reader skips a value in O(1).
@usableFromInline
struct JSONNode: Sendable {
    /// Start byte: the opening quote's successor for strings, the first byte otherwise.
    @usableFromInline var start: UInt32
    /// End byte (exclusive): the closing quote for strings, one past the last byte otherwise.
    @usableFromInline var end: UInt32
    /// Index of the node after this value's subtree.
    @usableFromInline var next: UInt32
    @usableFromInline var kind: JSONKind
    /// For strings: `JSONNode.hasEscapes`. For numbers: `JSONNode.isInteger`.
    @usableFromInline var flags: UInt8

    @usableFromInline static let hasEscapes: UInt8 = 1
    @usableFromInline static let isInteger: UInt8 = 2

    @inlinable
    init(start: UInt32, end: UInt32, next: UInt32, kind: JSONKind, flags: UInt8) {
        self.start = start
        self.end = end
        self.next = next
        self.kind = kind
        self.flags = flags
    }
}
