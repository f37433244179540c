/// Read access to a JSON value, whatever parsed it.
///
/// Decoders are written once against this protocol. `JSONRef` (the fast tape) is the production implementation;
/// the tests also run the decoders over a tree built by Foundation's `JSONSerialization` and require equal results.
/// Keys and strings are passed as UTF-8 bytes with escapes decoded.
public protocol JSONView {
    var kind: JSONKind { get }
    /// Calls `body` with each member's key and value, in document order. Does nothing unless the value is an object.
    func forEachMember<E: Error>(_ body: (UnsafeBufferPointer<UInt8>, Self) throws(E) -> Void) throws(E)
    /// Calls `body` with each element and its position. Does nothing unless the value is an array.
    func forEachElement<E: Error>(_ body: (Int, Self) throws(E) -> Void) throws(E)
    /// Number of elements of an array (0 for anything else).
    var elementCount: Int { get }
    /// Calls `body` with the string's UTF-8 bytes (escapes decoded); nil when the value is not a string.
    func withStringBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R?
    /// Calls `body` with the number's text as written in JSON; nil when the value is not a number.
    func withNumberBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R?
    /// The boolean value; nil when the value is not a boolean.
    var boolValue: Bool? { get }
}

extension JSONView {
    /// The string value, decoded; nil when the value is not a string.
    @inlinable
    public var string: String? {
        withStringBytes { bytes in String(decoding: bytes, as: UTF8.self) }
    }

    /// True when the value is a string equal to `text` (compared bytewise, without allocating).
    @inlinable
    public func isString(_ text: StaticString) -> Bool {
        withStringBytes { bytes in JSONDecoding.equals(bytes, text) } ?? false
    }

    @inlinable
    public var isNull: Bool { kind == .null }
}
