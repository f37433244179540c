/// Decodes blocks written by `BlockEncoder`, validating everything: a corrupt, truncated or hostile block throws a
/// `BlockDecodingError` and never crashes, reads out of bounds or allocates more than its stated count (at most
/// 65,535 samples) implies.
public enum BlockDecoder {
    /// The block's count and timestamp range, from its header alone (no column is decoded or checked).
    public static func summary(_ bytes: UnsafeRawBufferPointer) throws(BlockDecodingError) -> BlockSummary {
        var reader = BlockReader(bytes)
        return try readHeader(&reader).summary
    }

    /// The block's count and timestamp range (array convenience).
    public static func summary(_ bytes: [UInt8]) throws(BlockDecodingError) -> BlockSummary {
        let result: Result<BlockSummary, BlockDecodingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(BlockDecodingError) -> BlockSummary in try summary(raw) }
        }
        return try result.get()
    }

    /// Decodes the block in `bytes` (exactly one block, nothing after it) and appends its samples to the three
    /// arrays. On error the arrays are left as they were.
    public static func decode(_ bytes: UnsafeRawBufferPointer, timestamps: inout [Int64], values: inout [Double],
                              attributes: inout [UInt32]) throws(BlockDecodingError) {
        var reader = BlockReader(bytes)
        let header = try readHeader(&reader)
        let n = header.summary.count
        guard n > 0 else {
            try reader.expectEnd()
            return
        }
        let oldT = timestamps.count
        let oldV = values.count
        let oldA = attributes.count
        timestamps.append(contentsOf: repeatElement(0, count: n))
        values.append(contentsOf: repeatElement(0, count: n))
        attributes.append(contentsOf: repeatElement(0, count: n))
        do throws(BlockDecodingError) {
            let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
            defer { scratch.deallocate() }
            try timestamps.withUnsafeMutableBufferPointer { (t) throws(BlockDecodingError) in
                let out = t.baseAddress! + oldT
                out[0] = header.first
                var column = try reader.section(try reader.count(atMost: reader.remaining))
                try TimestampColumn.decode(&column, count: n, into: out, scratch: scratch)
                try column.expectEnd()
                var minimum = out[0]
                var maximum = out[0]
                for i in 0..<n {
                    minimum = min(minimum, out[i])
                    maximum = max(maximum, out[i])
                }
                guard minimum == header.summary.minTimestamp, maximum == header.summary.maxTimestamp else {
                    throw BlockDecodingError(.summaryMismatch, at: column.origin)
                }
            }
            try values.withUnsafeMutableBufferPointer { (v) throws(BlockDecodingError) in
                var column = try reader.section(try reader.count(atMost: reader.remaining))
                try ValueColumn.decode(&column, count: n, into: v.baseAddress! + oldV, scratch: scratch)
                try column.expectEnd()
            }
            try attributes.withUnsafeMutableBufferPointer { (a) throws(BlockDecodingError) in
                var column = try reader.section(try reader.count(atMost: reader.remaining))
                try AttributeColumn.decode(&column, count: n, into: a.baseAddress! + oldA)
                try column.expectEnd()
            }
            try reader.expectEnd()
        } catch {
            timestamps.removeLast(timestamps.count - oldT)
            values.removeLast(values.count - oldV)
            attributes.removeLast(attributes.count - oldA)
            throw error
        }
    }

    /// Decodes one block (array convenience).
    public static func decode(_ bytes: [UInt8]) throws(BlockDecodingError) -> (timestamps: [Int64], values: [Double], attributes: [UInt32]) {
        var timestamps: [Int64] = []
        var values: [Double] = []
        var attributes: [UInt32] = []
        let result: Result<Void, BlockDecodingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(BlockDecodingError) in
                try decode(raw, timestamps: &timestamps, values: &values, attributes: &attributes)
            }
        }
        try result.get()
        return (timestamps, values, attributes)
    }

    struct Header {
        var summary: BlockSummary
        var first: Int64
    }

    static func readHeader(_ reader: inout BlockReader) throws(BlockDecodingError) -> Header {
        let version = try reader.byte()
        guard version == BlockFormat.version else { throw BlockDecodingError(.unsupportedVersion(version), at: 0) }
        let n = Int(try reader.uint16())
        guard n > 0 else { return Header(summary: BlockSummary(count: 0, minTimestamp: 0, maxTimestamp: 0), first: 0) }
        let first = try reader.signedVarint()
        let belowAt = reader.offset
        let below = try reader.varint()
        let aboveAt = reader.offset
        let above = try reader.varint()
        // min ≤ first ≤ max without wrapping.
        guard below <= UInt64(bitPattern: first) &- UInt64(bitPattern: Int64.min) else {
            throw BlockDecodingError(.invalidField, at: belowAt)
        }
        guard above <= UInt64(bitPattern: Int64.max) &- UInt64(bitPattern: first) else {
            throw BlockDecodingError(.invalidField, at: aboveAt)
        }
        let summary = BlockSummary(count: n, minTimestamp: first &- Int64(bitPattern: below),
                                   maxTimestamp: first &+ Int64(bitPattern: above))
        return Header(summary: summary, first: first)
    }
}
