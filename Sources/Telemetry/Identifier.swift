/// Validation of identifiers that arrive from the network (site, charger and EVSE ids in topics and payloads).
///
/// An identifier is 1 to 64 bytes of `A-Z a-z 0-9 . _ : -`, starting with a letter or digit. That set keeps
/// identifiers safe as SQLite text, JSON, log fields, environment variables and (after hashing) file names, and
/// it rules out path traversal (`..`, `/`), shell metacharacters and leading dashes that could read as options.
/// Identifiers are never used as file paths or shell text even so.
public enum Identifier {
    /// The longest identifier accepted, in bytes.
    public static let maxLength = 64

    /// Returns `text` when it is a valid identifier, otherwise throws the reason.
    @discardableResult
    public static func validate(_ text: String, kind: IdentifierKind) throws(IdentifierError) -> String {
        try check(text.utf8, kind: kind)
        return text
    }

    /// Validates bytes (a slice of a payload or topic) as an identifier.
    @inlinable
    public static func check<Bytes: Collection<UInt8>>(_ bytes: Bytes, kind: IdentifierKind) throws(IdentifierError) {
        guard !bytes.isEmpty else { throw IdentifierError(kind: kind, problem: .empty) }
        let count = bytes.count
        guard count <= maxLength else { throw IdentifierError(kind: kind, problem: .tooLong(count)) }
        var offset = 0
        for byte in bytes {
            let alnum = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            if offset == 0 && !alnum {
                throw IdentifierError(kind: kind, problem: .badFirstCharacter(byte))
            }
            if !alnum && byte != 0x2E && byte != 0x5F && byte != 0x3A && byte != 0x2D {
                throw IdentifierError(kind: kind, problem: .invalidCharacter(byte, offset: offset))
            }
            offset += 1
        }
    }

    /// True when `text` is a valid identifier.
    public static func isValid(_ text: String) -> Bool {
        (try? validate(text, kind: .charger)) != nil
    }
}

/// What an identifier names, for error messages.
public enum IdentifierKind: String, Sendable {
    case site, charger, evse, connector, tariff, group
}

/// Why an identifier was refused.
public struct IdentifierError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case empty
        case tooLong(Int)
        case badFirstCharacter(UInt8)
        case invalidCharacter(UInt8, offset: Int)
    }

    public var kind: IdentifierKind
    public var problem: Problem

    public init(kind: IdentifierKind, problem: Problem) {
        self.kind = kind
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .empty:
            return "\(kind.rawValue) id is empty"
        case .tooLong(let n):
            return "\(kind.rawValue) id is \(n) bytes long; at most \(Identifier.maxLength) are allowed"
        case .badFirstCharacter(let b):
            return "\(kind.rawValue) id must start with a letter or digit, not \(Self.show(b))"
        case .invalidCharacter(let b, let offset):
            return "\(kind.rawValue) id has \(Self.show(b)) at byte \(offset); allowed are A-Z a-z 0-9 . _ : -"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}
