/// A value on a parsed `JSONTape`: a position, not a copy.
///
/// Valid only until the tape parses again and while the input bytes are alive. Accessors never allocate except
/// `string` (and `withStringBytes` for strings that contain escapes).
public struct JSONRef: JSONView {
    @usableFromInline let nodes: UnsafePointer<JSONNode>
    @usableFromInline let input: UnsafePointer<UInt8>
    @usableFromInline let index: Int

    @inlinable
    init(nodes: UnsafePointer<JSONNode>, input: UnsafePointer<UInt8>, index: Int) {
        self.nodes = nodes
        self.input = input
        self.index = index
    }

    @inlinable
    public var kind: JSONKind { nodes[index].kind }

    /// Byte range of the value in the input (for strings: the content between the quotes).
    @inlinable
    public var byteRange: Range<Int> { Int(nodes[index].start)..<Int(nodes[index].end) }

    /// The raw bytes of the value as written (for strings: without quotes, escapes not decoded).
    @inlinable
    public var rawBytes: UnsafeBufferPointer<UInt8> {
        let node = nodes[index]
        return UnsafeBufferPointer(start: input + Int(node.start), count: Int(node.end - node.start))
    }

    @inlinable
    public func forEachMember<E: Error>(_ body: (UnsafeBufferPointer<UInt8>, JSONRef) throws(E) -> Void) throws(E) {
        let node = nodes[index]
        guard node.kind == .object else { return }
        var child = index + 1
        let end = Int(node.next)
        while child < end {
            let key = JSONRef(nodes: nodes, input: input, index: child)
            let valueIndex = child + 1
            let value = JSONRef(nodes: nodes, input: input, index: valueIndex)
            if nodes[child].flags & JSONNode.hasEscapes == 0 {
                try body(key.rawBytes, value)
            } else {
                let decoded = JSONDecoding.unescape(key.rawBytes)
                try decoded.withUnsafeBufferPointer { (bytes) throws(E) in try body(bytes, value) }
            }
            child = Int(nodes[valueIndex].next)
        }
    }

    @inlinable
    public func forEachElement<E: Error>(_ body: (Int, JSONRef) throws(E) -> Void) throws(E) {
        let node = nodes[index]
        guard node.kind == .array else { return }
        var child = index + 1
        var position = 0
        let end = Int(node.next)
        while child < end {
            try body(position, JSONRef(nodes: nodes, input: input, index: child))
            position += 1
            child = Int(nodes[child].next)
        }
    }

    @inlinable
    public var elementCount: Int {
        var total = 0
        forEachElement { (_, _) in total += 1 }
        return total
    }

    @inlinable
    public func withStringBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R? {
        let node = nodes[index]
        guard node.kind == .string else { return nil }
        if node.flags & JSONNode.hasEscapes == 0 { return try body(rawBytes) }
        let decoded = JSONDecoding.unescape(rawBytes)
        return try decoded.withUnsafeBufferPointer { (bytes) throws(E) in try body(bytes) }
    }

    @inlinable
    public func withNumberBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R? {
        guard nodes[index].kind == .number else { return nil }
        return try body(rawBytes)
    }

    @inlinable
    public var boolValue: Bool? {
        switch nodes[index].kind {
        case .true: true
        case .false: false
        default: nil
        }
    }

    /// The object member named `key` (the last one when a key repeats), or nil.
    @inlinable
    public subscript(key: StaticString) -> JSONRef? {
        var found: JSONRef?
        forEachMember { (name, value) in
            if JSONDecoding.equals(name, key) { found = value }
        }
        return found
    }
}
