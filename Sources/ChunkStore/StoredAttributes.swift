import Telemetry

/// The 32 bits the store keeps beside each sample: quality flags, the reading's context and its decimal digits.
///
/// Layout: bits 0–7 flags (`conflict` 1, `late` 2, `future` 4, as the ingest runtime's sequencer sets them),
/// bits 8–15 the context's index in `ReadingContext.allCases` + 1 (0: unknown), bits 16–23 the decimals as a signed
/// byte. The codec run-length encodes the column, so a series whose readings all look alike pays almost nothing.
public struct StoredAttributes: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let conflictFlag: UInt8 = 1
    public static let lateFlag: UInt8 = 2
    public static let futureFlag: UInt8 = 4

    public init(flags: UInt8, context: ReadingContext?, decimals: Int16) {
        let contextCode = context.map(Self.code(of:)) ?? 0
        let clamped = Int8(clamping: decimals)
        rawValue = UInt32(flags) | contextCode << 8 | UInt32(UInt8(bitPattern: clamped)) << 16
    }

    /// A context's code in bits 8–15: its index in `ReadingContext.allCases` + 1, as the file format says. A switch:
    /// looking the case up in `allCases` built that array for every sample stored.
    static func code(of context: ReadingContext) -> UInt32 {
        switch context {
        case .interruptionBegin: 1
        case .interruptionEnd: 2
        case .other: 3
        case .sampleClock: 4
        case .samplePeriodic: 5
        case .transactionBegin: 6
        case .transactionEnd: 7
        case .trigger: 8
        }
    }

    /// The contexts by code - 1, built once.
    static let contexts = ReadingContext.allCases

    public var flags: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    public var isConflict: Bool { flags & Self.conflictFlag != 0 }

    public var context: ReadingContext? {
        let code = Int((rawValue >> 8) & 0xFF)
        guard code > 0, code <= Self.contexts.count else { return nil }
        return Self.contexts[code - 1]
    }

    public var decimals: Int16 { Int16(Int8(bitPattern: UInt8(truncatingIfNeeded: rawValue >> 16))) }

    func with(flags extra: UInt8) -> StoredAttributes { StoredAttributes(rawValue: rawValue | UInt32(extra)) }

    /// Flag names for exports: "conflict,late".
    public var flagNames: String {
        var names: [String] = []
        if flags & Self.conflictFlag != 0 { names.append("conflict") }
        if flags & Self.lateFlag != 0 { names.append("late") }
        if flags & Self.futureFlag != 0 { names.append("future") }
        return names.joined(separator: ",")
    }
}

/// One stored sample of a series.
public struct StoredSample: Sendable, Equatable {
    public var timestamp: Int64
    public var value: Double
    public var attributes: StoredAttributes

    public init(timestamp: Int64, value: Double, attributes: StoredAttributes) {
        self.timestamp = timestamp
        self.value = value
        self.attributes = attributes
    }

    /// Equal bit for bit: the same instant, value bits and attributes.
    func isIdentical(to other: StoredSample) -> Bool {
        timestamp == other.timestamp && value.bitPattern == other.value.bitPattern && attributes == other.attributes
    }

    public static func == (lhs: StoredSample, rhs: StoredSample) -> Bool { lhs.isIdentical(to: rhs) }
}
