import ChunkCodec

/// A block's samples as the codec takes them: three parallel columns.
struct BlockColumns {
    var timestamps: [Int64] = []
    var values: [Double] = []
    var attributes: [UInt32] = []

    var count: Int { timestamps.count }
    var isEmpty: Bool { timestamps.isEmpty }

    mutating func append(_ sample: StoredSample) {
        timestamps.append(sample.timestamp)
        values.append(sample.value)
        attributes.append(sample.attributes.rawValue)
    }

    mutating func removeAll() {
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        attributes.removeAll(keepingCapacity: true)
    }

    func sample(at index: Int) -> StoredSample {
        StoredSample(timestamp: timestamps[index], value: values[index],
                     attributes: StoredAttributes(rawValue: attributes[index]))
    }

    var samples: [StoredSample] { (0..<count).map(sample(at:)) }

    /// Appends the encoded block to `output`.
    func encode(into output: inout [UInt8]) {
        timestamps.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                attributes.withUnsafeBufferPointer { a in
                    BlockEncoder.encode(timestamps: t, values: v, attributes: a, into: &output)
                }
            }
        }
    }

    /// Encodes `samples[range]` as one block.
    static func encode(_ samples: ArraySlice<StoredSample>, into output: inout [UInt8]) {
        var columns = BlockColumns()
        columns.timestamps.reserveCapacity(samples.count)
        columns.values.reserveCapacity(samples.count)
        columns.attributes.reserveCapacity(samples.count)
        for sample in samples { columns.append(sample) }
        columns.encode(into: &output)
    }

    /// Appends the samples of one encoded block.
    mutating func decode(_ block: UnsafeRawBufferPointer) throws(BlockDecodingError) {
        try BlockDecoder.decode(block, timestamps: &timestamps, values: &values, attributes: &attributes)
    }

    static func decode(_ block: [UInt8]) throws(BlockDecodingError) -> [StoredSample] {
        var columns = BlockColumns()
        let result: Result<Void, BlockDecodingError> = block.withUnsafeBytes { raw in
            Result { () throws(BlockDecodingError) in try columns.decode(raw) }
        }
        try result.get()
        return columns.samples
    }
}
