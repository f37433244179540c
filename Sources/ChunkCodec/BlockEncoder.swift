/// Encodes one block of samples. Pure: no I/O, no global state; safe to call from any thread.
///
/// Block layout (all integers little-endian; varints are LEB128, "svarint" a zigzagged varint):
///
///     u8      version (1)
///     u16     sample count n (0 ... 65,535); an empty block ends here
///     svarint first timestamp
///     varint  first - min timestamp (wrapping)
///     varint  max - first timestamp (wrapping)
///     varint  timestamp column length, then the column (`TimestampColumn`)
///     varint  value column length, then the column (`ValueColumn`)
///     varint  attribute column length, then the column (run-length: varint runs; per run varint value, varint length)
public enum BlockEncoder {
    /// Appends one block holding the samples to `output`. The three columns must have the same count, at most
    /// `BlockFormat.maximumSampleCount`.
    public static func encode(timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>,
                              attributes: UnsafeBufferPointer<UInt32>, into output: inout [UInt8]) {
        let n = timestamps.count
        precondition(values.count == n && attributes.count == n, "a block's columns must have the same count")
        precondition(n <= BlockFormat.maximumSampleCount, "a block holds at most 65,535 samples")
        output.append(BlockFormat.version)
        output.append(UInt8(truncatingIfNeeded: n))
        output.append(UInt8(truncatingIfNeeded: n >> 8))
        guard n > 0 else { return }

        let first = timestamps[0]
        var minimum = first
        var maximum = first
        for t in timestamps {
            minimum = min(minimum, t)
            maximum = max(maximum, t)
        }
        output.appendSignedVarint(first)
        output.appendVarint(UInt64(bitPattern: first &- minimum))
        output.appendVarint(UInt64(bitPattern: maximum &- first))

        let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 2 * n)
        let integers = UnsafeMutableBufferPointer<Int64>.allocate(capacity: n)
        defer {
            scratch.deallocate()
            integers.deallocate()
        }
        let a = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
        let b = UnsafeMutableBufferPointer(rebasing: scratch[n..<(2 * n)])
        var column: [UInt8] = []
        column.reserveCapacity(n * 2 + 64)

        TimestampColumn.encode(timestamps, scratch: a, best: b, into: &column)
        output.appendVarint(UInt64(column.count))
        output.append(contentsOf: column)

        column.removeAll(keepingCapacity: true)
        ValueColumn.encode(values, integers: integers, scratch: a, best: b, into: &column)
        output.appendVarint(UInt64(column.count))
        output.append(contentsOf: column)

        column.removeAll(keepingCapacity: true)
        AttributeColumn.encode(attributes, into: &column)
        output.appendVarint(UInt64(column.count))
        output.append(contentsOf: column)
    }

    /// Appends one block holding the samples to `output` (array convenience).
    public static func encode(timestamps: [Int64], values: [Double], attributes: [UInt32], into output: inout [UInt8]) {
        timestamps.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                attributes.withUnsafeBufferPointer { a in
                    encode(timestamps: t, values: v, attributes: a, into: &output)
                }
            }
        }
    }

    /// One block holding the samples (array convenience).
    public static func encode(timestamps: [Int64], values: [Double], attributes: [UInt32]) -> [UInt8] {
        var output: [UInt8] = []
        encode(timestamps: timestamps, values: values, attributes: attributes, into: &output)
        return output
    }
}

/// The attribute column: runs of equal 32-bit attributes (the store's reading context, usually one run a block).
///
///     varint run count r (1 ... n)
///     r × (varint attribute, varint run length ≥ 1); the lengths sum to n
enum AttributeColumn {
    static func encode(_ a: UnsafeBufferPointer<UInt32>, into output: inout [UInt8]) {
        var runs = 0
        var index = 0
        while index < a.count {
            var end = index + 1
            while end < a.count && a[end] == a[index] { end += 1 }
            runs += 1
            index = end
        }
        output.appendVarint(UInt64(runs))
        index = 0
        while index < a.count {
            var end = index + 1
            while end < a.count && a[end] == a[index] { end += 1 }
            output.appendVarint(UInt64(a[index]))
            output.appendVarint(UInt64(end - index))
            index = end
        }
    }

    static func decode(_ reader: inout BlockReader, count n: Int, into a: UnsafeMutablePointer<UInt32>) throws(BlockDecodingError) {
        let runs = try reader.count(atMost: n)
        var filled = 0
        for _ in 0..<runs {
            let valueAt = reader.offset
            let value = try reader.varint()
            guard value <= UInt64(UInt32.max) else { throw BlockDecodingError(.invalidField, at: reader.origin + valueAt) }
            let lengthAt = reader.offset
            let length = try reader.count(atMost: n - filled)
            guard length > 0 else { throw BlockDecodingError(.invalidField, at: reader.origin + lengthAt) }
            (a + filled).update(repeating: UInt32(value), count: length)
            filled += length
        }
        guard filled == n else { throw reader.error(.lengthMismatch) }
    }
}
