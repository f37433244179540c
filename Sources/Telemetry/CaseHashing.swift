// The enums of a series' identity have String raw values, and a raw-valued enum's default `hash(into:)`
// (RawRepresentable's) builds and hashes the raw string: three strings per `Series` hash, which the archive and
// the reordering window compute for every reading. These hash the case instead; equality already compares cases.
// Hash values are per process anyway (Hasher is seeded at random), so nothing stored depends on them.

extension Measurand {
    public func hash(into hasher: inout Hasher) { hasher.combine(caseIndex(of: self)) }
}

extension Phase {
    public func hash(into hasher: inout Hasher) { hasher.combine(caseIndex(of: self)) }
}

extension Location {
    public func hash(into hasher: inout Hasher) { hasher.combine(caseIndex(of: self)) }
}

/// The case of a payload-free enum of at most 256 cases: its one byte (the cases in declaration order).
@inlinable @inline(__always)
func caseIndex<T>(of value: T) -> UInt8 {
    assert(MemoryLayout<T>.size == 1, "caseIndex(of:) is for payload-free enums of 2 to 256 cases")
    return withUnsafeBytes(of: value) { $0[0] }
}

extension Series {
    /// The identity's fields other than the site and charger, folded into one word: what to hash a series by among
    /// one charger's series (`SeriesSlots`; equality still compares every field). Lossy: a hash,
    /// never an identity.
    @inlinable
    public var hashWordWithinCharger: UInt64 {
        let kinds = UInt64(caseIndex(of: measurand)) << 16 | UInt64(phase.map { caseIndex(of: $0) } ?? 0xFF) << 8
            | UInt64(caseIndex(of: location))
        return UInt64(truncatingIfNeeded: evse) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: connector) << 24
            ^ kinds
    }
}
