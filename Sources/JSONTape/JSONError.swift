/// Why a byte sequence is not a JSON document, and where.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Problem: String, Sendable {
        case empty = "the payload is empty"
        case unexpectedEnd = "the document ends too early (truncated JSON)"
        case unexpectedByte = "unexpected character"
        case invalidUTF8 = "invalid UTF-8"
        case controlCharacter = "raw control character inside a string"
        case badEscape = "invalid escape sequence"
        case badNumber = "invalid number"
        case tooDeep = "nesting too deep"
        case trailingContent = "content after the end of the document"
        case tooLarge = "document too large"
    }

    public var problem: Problem
    /// Byte offset of the problem in the input.
    public var offset: Int

    public init(_ problem: Problem, at offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    /// True when the problem is in the encoding rather than the JSON grammar.
    public var isEncodingProblem: Bool { problem == .invalidUTF8 }

    public var description: String { "\(problem.rawValue) at byte \(offset)" }
}
