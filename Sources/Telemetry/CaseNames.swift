/// An enum's case names as UTF-8, grouped by length, built once per type: a name in a payload is compared only with
/// the names of its length, a word at a time (`memcmpEqual`), and no `String` is made. (Matching through `allCases`
/// built an array per call, and each case's `rawValue` a string.)
public struct CaseNames<Value: Sendable>: Sendable {
    /// Index: a name's length in bytes.
    @usableFromInline let byLength: [[Entry]]

    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline let name: [UInt8]
        @usableFromInline let value: Value
    }

    public init(_ names: [(String, Value)]) {
        var byLength: [[Entry]] = []
        for (name, value) in names {
            let bytes = Array(name.utf8)
            while byLength.count <= bytes.count { byLength.append([]) }
            byLength[bytes.count].append(Entry(name: bytes, value: value))
        }
        self.byLength = byLength
    }

    /// The value whose name is exactly `bytes`, nil when none is.
    @inlinable
    public func match(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard bytes.count < byLength.count else { return nil }
        return byLength[bytes.count].withUnsafeBufferPointer { entries in
            for k in entries.indices where entries[k].name.withUnsafeBufferPointer({ memcmpEqual($0, bytes) }) {
                return entries[k].value
            }
            return nil
        }
    }
}

/// A String-valued enum whose names are matched in payload bytes through a `CaseNames` table.
public protocol NamedCases: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    static var caseNames: CaseNames<Self> { get }
}

extension NamedCases {
    /// The table of every case by its raw value.
    public static func makeCaseNames() -> CaseNames<Self> {
        CaseNames(allCases.map { ($0.rawValue, $0) })
    }
}

extension Measurand: NamedCases {
    public static let caseNames = makeCaseNames()
}

extension Phase: NamedCases {
    public static let caseNames = makeCaseNames()
}

extension Location: NamedCases {
    public static let caseNames = makeCaseNames()
}

extension ReadingContext: NamedCases {
    public static let caseNames = makeCaseNames()
}
