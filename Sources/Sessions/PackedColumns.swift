import Foundation

extension CodingUserInfoKey {
    /// Set to `true` in the `userInfo` of the encoder that writes a checkpoint snapshot: the bulky per-session
    /// series (the power curve, the billing trace's points) are then written as one packed binary value each
    /// (`PackedColumns`, base64 in JSON) instead of JSON arrays, which encode ten times faster. Decoding reads
    /// either form, so snapshots written before the change still restore.
    public static let compactSnapshot = CodingUserInfoKey(rawValue: "wattline.compactSnapshot")!
}

extension Encoder {
    /// True when encoding a checkpoint snapshot (`CodingUserInfoKey.compactSnapshot`).
    var isCompactSnapshot: Bool { userInfo[.compactSnapshot] as? Bool == true }
}

/// Little-endian fixed-width packing of a session's numeric series for snapshots: a version byte, a count, then
/// each item's fields in a fixed order. Optional doubles carry a presence bit in a flags byte written before them.
struct PackedWriter {
    private(set) var bytes: [UInt8] = []

    init(version: UInt8, count: Int, bytesPerItem: Int) {
        bytes.reserveCapacity(5 + count * bytesPerItem)
        bytes.append(version)
        uint32(UInt32(count))
    }

    mutating func uint8(_ value: UInt8) { bytes.append(value) }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func double(_ value: Double) { int64(Int64(bitPattern: value.bitPattern)) }

    var data: Data { Data(bytes) }
}

/// Reads what `PackedWriter` wrote; every read is bounds-checked and a short or malformed value throws.
struct PackedReader {
    struct Malformed: Error, CustomStringConvertible {
        var what: String
        var description: String { "a packed \(what) in the snapshot is malformed" }
    }

    private let bytes: [UInt8]
    private var offset = 0
    private let what: String
    /// The item count from the header.
    private(set) var count = 0

    /// `minItemBytes`: the fewest bytes one item takes, so a damaged count cannot make the caller reserve room for
    /// billions of items.
    init(_ data: Data, version: UInt8, what: String, minItemBytes: Int) throws {
        bytes = [UInt8](data)
        self.what = what
        guard try uint8() == version else { throw Malformed(what: what) }
        count = Int(try uint32())
        guard count <= (bytes.count - offset) / max(1, minItemBytes) else { throw Malformed(what: what) }
    }

    private mutating func take(_ n: Int) throws -> Int {
        guard n <= bytes.count - offset else { throw Malformed(what: what) }
        defer { offset += n }
        return offset
    }

    mutating func uint8() throws -> UInt8 { bytes[try take(1)] }

    mutating func uint32() throws -> UInt32 {
        let at = try take(4)
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    mutating func int64() throws -> Int64 {
        let at = try take(8)
        return bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
    }

    mutating func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: try int64())) }

    /// Throws unless every byte was read.
    func finish() throws {
        guard offset == bytes.count else { throw Malformed(what: what) }
    }
}
