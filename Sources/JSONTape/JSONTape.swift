/// A reusable, allocation-free JSON parser that records a document as a flat tape of nodes.
///
/// Parsing validates the whole document (grammar, UTF-8, escapes, numbers, depth) and records, for every value,
/// its kind and byte range; nothing is converted until a reader asks. Strings and numbers stay slices of the input,
/// so decoding a 700-byte OCPP message costs one pass over its bytes and no heap allocation once the tape has grown
/// to fit. This is the hot-path parser; `JSONSerialization` remains the reference it is tested against.
///
/// Not thread-safe: one tape per thread (a stage owns its tape). A `JSONRef` from `parse` is valid until the next
/// `parse` on the same tape and only while the input buffer is alive — use it inside the scope that owns the bytes.
public final class JSONTape {
    @usableFromInline var nodes: UnsafeMutablePointer<JSONNode>
    @usableFromInline var capacity: Int
    @usableFromInline var count: Int = 0

    /// The deepest nesting accepted; deeper documents are refused with `JSONError.Problem.tooDeep`.
    public let maxDepth: Int

    public init(maxDepth: Int = 64, initialCapacity: Int = 256) {
        self.maxDepth = maxDepth
        self.capacity = max(16, initialCapacity)
        self.nodes = .allocate(capacity: capacity)
    }

    deinit { nodes.deallocate() }

    /// Number of nodes recorded by the last parse.
    public var nodeCount: Int { count }

    /// Parses one JSON document spanning the whole of `input`.
    public func parse(_ input: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONRef {
        count = 0
        guard let base = input.baseAddress, !input.isEmpty else { throw JSONError(.empty, at: 0) }
        guard input.count < Int(UInt32.max) else { throw JSONError(.tooLarge, at: 0) }
        var parser = JSONParser(input: base, length: input.count, nodes: nodes, capacity: capacity, maxDepth: maxDepth)
        defer {
            // The parser may have grown the node buffer: take ownership back even when parsing failed.
            nodes = parser.nodes
            capacity = parser.capacity
            count = parser.count
        }
        try parser.parseDocument()
        return JSONRef(nodes: UnsafePointer(parser.nodes), input: base, index: 0)
    }
}

/// The recursive-descent parser behind `JSONTape`. It owns the node buffer while it runs.
struct JSONParser {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    var nodes: UnsafeMutablePointer<JSONNode>
    var capacity: Int
    var count = 0
    let maxDepth: Int

    init(input: UnsafePointer<UInt8>, length: Int, nodes: UnsafeMutablePointer<JSONNode>, capacity: Int, maxDepth: Int) {
        self.p = input
        self.n = length
        self.nodes = nodes
        self.capacity = capacity
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONError) {
        // A UTF-8 byte order mark is tolerated, as JSONSerialization does.
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        try parseValue(depth: 0)
        skipWhitespace()
        if i != n { throw JSONError(.trailingContent, at: i) }
    }

    @inline(__always)
    mutating func push(_ kind: JSONKind, start: Int, end: Int, flags: UInt8 = 0) -> Int {
        if count == capacity { grow() }
        nodes[count] = JSONNode(start: UInt32(start), end: UInt32(end), next: UInt32(count + 1), kind: kind, flags: flags)
        count += 1
        return count - 1
    }

    mutating func grow() {
        let bigger = UnsafeMutablePointer<JSONNode>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: nodes, count: count)
        nodes.deallocate()
        nodes = bigger
        capacity *= 2
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    mutating func parseValue(depth: Int) throws(JSONError) {
        skipWhitespace()
        guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
        switch p[i] {
        case UInt8(ascii: "{"): try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        case UInt8(ascii: "t"): try parseLiteral("true", .true)
        case UInt8(ascii: "f"): try parseLiteral("false", .false)
        case UInt8(ascii: "n"): try parseLiteral("null", .null)
        case 0x80...0xFF: throw JSONError(Self.isValidUTF8Sequence(p, i, n) ? .unexpectedByte : .invalidUTF8, at: i)
        default: throw JSONError(.unexpectedByte, at: i)
        }
    }

    mutating func parseLiteral(_ word: StaticString, _ kind: JSONKind) throws(JSONError) {
        let length = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<length {
            guard i + k < n else { throw JSONError(.unexpectedEnd, at: n) }
            guard p[i + k] == w[k] else { throw JSONError(.unexpectedByte, at: i + k) }
        }
        _ = push(kind, start: i, end: i + length)
        i += length
    }

    mutating func parseObject(depth: Int) throws(JSONError) {
        guard depth <= maxDepth else { throw JSONError(.tooDeep, at: i) }
        let index = push(.object, start: i, end: i)
        i += 1
        skipWhitespace()
        if i < n && p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
                guard p[i] == UInt8(ascii: "\"") else { throw JSONError(.unexpectedByte, at: i) }
                try parseString()
                skipWhitespace()
                guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
                guard p[i] == UInt8(ascii: ":") else { throw JSONError(.unexpectedByte, at: i) }
                i += 1
                try parseValue(depth: depth)
                skipWhitespace()
                guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                throw JSONError(.unexpectedByte, at: i)
            }
        }
        nodes[index].end = UInt32(i)
        nodes[index].next = UInt32(count)
    }

    mutating func parseArray(depth: Int) throws(JSONError) {
        guard depth <= maxDepth else { throw JSONError(.tooDeep, at: i) }
        let index = push(.array, start: i, end: i)
        i += 1
        skipWhitespace()
        if i < n && p[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                try parseValue(depth: depth)
                skipWhitespace()
                guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "]") { i += 1; break }
                throw JSONError(.unexpectedByte, at: i)
            }
        }
        nodes[index].end = UInt32(i)
        nodes[index].next = UInt32(count)
    }

    mutating func parseString() throws(JSONError) {
        i += 1  // opening quote
        let start = i
        var flags: UInt8 = 0
        while true {
            // Fast path: plain ASCII runs, eight bytes at a time while none of them can end the run (a quote, a
            // backslash, a control byte, a non-ASCII byte). In a word that has one, the lowest flagged byte is the
            // first such byte (the tests flag a harmless byte only above a real one, where a borrow carried), so the
            // scan jumps straight to it; the byte loop below then stops there at once.
            while i &+ 8 <= n {
                let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                let quote = word ^ 0x2222_2222_2222_2222, backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
                let zeroAfterXor = ((quote &- 0x0101_0101_0101_0101) & ~quote)
                    | ((backslash &- 0x0101_0101_0101_0101) & ~backslash)
                let belowSpace = (word &- 0x2020_2020_2020_2020) & ~word
                let flagged = (zeroAfterXor | belowSpace | word) & 0x8080_8080_8080_8080
                if flagged != 0 {
                    i &+= flagged.trailingZeroBitCount &>> 3
                    break
                }
                i &+= 8
            }
            while i < n {
                let c = p[i]
                if c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80 { break }
                i += 1
            }
            guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
            let c = p[i]
            if c == 0x22 { break }
            if c == 0x5C {
                flags = JSONNode.hasEscapes
                try parseEscape()
            } else if c < 0x20 {
                throw JSONError(.controlCharacter, at: i)
            } else {
                let length = Self.utf8SequenceLength(p, i, n)
                guard length > 0 else { throw JSONError(i + 1 >= n && c >= 0xC2 && c <= 0xF4 ? .unexpectedEnd : .invalidUTF8, at: i) }
                i += length
            }
        }
        _ = push(.string, start: start, end: i, flags: flags)
        i += 1  // closing quote
    }

    mutating func parseEscape() throws(JSONError) {
        guard i + 1 < n else { throw JSONError(.unexpectedEnd, at: i) }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i + 2)
            i += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard i + 1 < n, p[i] == 0x5C, p[i + 1] == UInt8(ascii: "u") else { throw JSONError(.badEscape, at: i - 6) }
                let low = try hex4(at: i + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONError(.badEscape, at: i) }
                i += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw JSONError(.badEscape, at: i - 6)
            }
        default:
            throw JSONError(.badEscape, at: i)
        }
    }

    func hex4(at position: Int) throws(JSONError) -> UInt32 {
        guard position + 4 <= n else { throw JSONError(.unexpectedEnd, at: n) }
        var value: UInt32 = 0
        for k in 0..<4 {
            guard let digit = JSONDecoding.hexValue(p[position + k]) else { throw JSONError(.badEscape, at: position + k) }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func parseNumber() throws(JSONError) {
        let start = i
        var flags = JSONNode.isInteger
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { throw JSONError(.unexpectedEnd, at: i) }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else if p[i] >= UInt8(ascii: "1") && p[i] <= UInt8(ascii: "9") {
            while i < n && p[i] >= 0x30 && p[i] <= 0x39 { i += 1 }
        } else {
            throw JSONError(.badNumber, at: i)
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            flags = 0
            i += 1
            let digits = i
            while i < n && p[i] >= 0x30 && p[i] <= 0x39 { i += 1 }
            guard i > digits else { throw JSONError(i == n ? .unexpectedEnd : .badNumber, at: i) }
        }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            flags = 0
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            let digits = i
            while i < n && p[i] >= 0x30 && p[i] <= 0x39 { i += 1 }
            guard i > digits else { throw JSONError(i == n ? .unexpectedEnd : .badNumber, at: i) }
        }
        _ = push(.number, start: start, end: i, flags: flags)
    }

    /// Length of the valid UTF-8 sequence starting at `i` (a non-ASCII lead byte), or 0 when it is invalid.
    @inline(__always)
    static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            k < n && p[k] >= lo && p[k] <= hi
        }
        let c = p[i]
        switch c {
        case 0xC2...0xDF: return cont(i + 1) ? 2 : 0
        case 0xE0: return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF: return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED: return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0
        case 0xF0: return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4: return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0
        default: return 0
        }
    }

    static func isValidUTF8Sequence(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Bool {
        utf8SequenceLength(p, i, n) > 0
    }
}
