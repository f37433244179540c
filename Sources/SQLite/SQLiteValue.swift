/// One SQLite value in one of its five storage classes, for generic rows and parameter lists.
///
/// Literals work where a value is expected: `[42, 2.5, "kWh", .null, .blob([0, 1])]`. There is deliberately no
/// `nil` literal: with `SQLiteValue?` results (see ``Database/scalar(_:_:)``) it would make `== nil` ambiguous;
/// write `.null`. A `Bool` becomes `.integer(0)` or `.integer(1)`, which is how SQLite stores booleans.
///
/// SQLite stores a NaN `Double` as NULL; `.real(.nan)` therefore reads back as `.null`.
public enum SQLiteValue: Sendable, Hashable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

extension SQLiteValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension SQLiteValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .real(value)
    }
}

extension SQLiteValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .text(value)
    }
}

extension SQLiteValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .integer(value ? 1 : 0)
    }
}

extension SQLiteValue: CustomStringConvertible {
    /// SQL-literal-like text: `42`, `2.5`, `'kWh'`, `x'0001'`, `NULL`.
    public var description: String {
        switch self {
        case .integer(let value):
            return String(value)
        case .real(let value):
            return String(value)
        case .text(let value):
            return "'" + value.replacingQuotes() + "'"
        case .blob(let bytes):
            let hexDigits = Array("0123456789ABCDEF".utf8)
            var hex: [UInt8] = []
            hex.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                hex.append(hexDigits[Int(byte >> 4)])
                hex.append(hexDigits[Int(byte & 0x0F)])
            }
            return "x'" + String(decoding: hex, as: UTF8.self) + "'"
        case .null:
            return "NULL"
        }
    }
}

extension String {
    /// Doubles single quotes, as an SQL string literal does.
    fileprivate func replacingQuotes() -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            if character == "'" { result.append("'") }
            result.append(character)
        }
        return result
    }
}
