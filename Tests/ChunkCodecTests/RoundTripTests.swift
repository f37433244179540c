import Testing
@testable import ChunkCodec

@Suite struct RoundTripTests {
    func roundTrip(_ block: Block, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = block.encoded()
        let decoded = try decodeBlock(bytes)
        #expect(decoded == block, sourceLocation: sourceLocation)
        let summary = try BlockDecoder.summary(bytes)
        #expect(summary.count == block.timestamps.count, sourceLocation: sourceLocation)
        if let minimum = block.timestamps.min(), let maximum = block.timestamps.max() {
            #expect(summary.minTimestamp == minimum && summary.maxTimestamp == maximum, sourceLocation: sourceLocation)
        }
    }

    @Test func everyShapeCombination() throws {
        var random = SeededRandom(seed: 1)
        for timeShape in TimeShape.allCases {
            for valueShape in SeriesShape.allCases {
                for count in [1, 2, 3, 7, 64, 1000] {
                    let block = Block(timestamps: makeTimestamps(timeShape, count: count, random: &random),
                                      values: makeValues(valueShape, count: count, random: &random),
                                      attributes: makeAttributes(count: count, random: &random))
                    try roundTrip(block)
                }
            }
        }
    }

    @Test(arguments: 0..<120) func randomSeries(seed: UInt64) throws {
        var random = SeededRandom(seed: 1000 + seed)
        let count = random.chance(0.2) ? random.int(0...5) : random.int(1...2000)
        var timestamps = makeTimestamps(random.pick(TimeShape.allCases), count: count, random: &random)
        var values = makeValues(random.pick(SeriesShape.allCases), count: count, random: &random)
        // Splice in a second shape part way, and sprinkle awkward values and timestamps.
        if count > 10 && random.chance(0.5) {
            let cut = random.int(1...count - 1)
            let tail = makeValues(random.pick(SeriesShape.allCases), count: count - cut, random: &random)
            values.replaceSubrange(cut..., with: tail)
        }
        for _ in 0..<random.int(0...3) where count > 0 {
            values[random.int(0...count - 1)] = random.pick(awkwardValues)
            if random.chance(0.3) { timestamps[random.int(0...count - 1)] = random.pick(awkwardTimestamps) }
        }
        try roundTrip(Block(timestamps: timestamps, values: values, attributes: makeAttributes(count: count, random: &random)))
    }

    @Test func emptyBlock() throws {
        let block = Block(timestamps: [], values: [], attributes: [])
        #expect(block.encoded() == [BlockFormat.version, 0, 0])
        try roundTrip(block)
        #expect(try BlockDecoder.summary(block.encoded()) == BlockSummary(count: 0, minTimestamp: 0, maxTimestamp: 0))
    }

    @Test func singleSamples() throws {
        for t in awkwardTimestamps {
            for v in awkwardValues {
                try roundTrip(Block(timestamps: [t], values: [v], attributes: [UInt32.max]))
            }
        }
    }

    @Test func extremeTimestampDeltas() throws {
        // Deltas that overflow Int64 both ways, equal and decreasing timestamps.
        let cases: [[Int64]] = [
            [.min, .max, .min, .max], [.max, .min], [0, .max, .min, 0], [.min, .min, .min], [.max, .max - 1, .max - 2],
            [5, 5, 5, 4, 4, 3, .max, 3], [-1, 0, 1, .min, .max, -1], Array(repeating: .max, count: 100),
        ]
        for timestamps in cases {
            let values = timestamps.indices.map { Double($0) }
            try roundTrip(Block(timestamps: timestamps, values: values, attributes: timestamps.map { _ in 7 }))
        }
    }

    @Test func awkwardValuesTogether() throws {
        let n = awkwardValues.count
        let timestamps = (0..<Int64(n)).map { 1_000 * $0 }
        try roundTrip(Block(timestamps: timestamps, values: awkwardValues, attributes: Array(repeating: 0, count: n)))
        // Each awkward value alone in a block of decimals: it is an exception of the decimal encoding.
        for (index, value) in awkwardValues.enumerated() {
            var values = (0..<200).map { Double(2300 + $0 % 17) / 10 }
            values[index % 200] = value
            try roundTrip(Block(timestamps: (0..<200).map { Int64($0) }, values: values,
                                attributes: Array(repeating: 1, count: 200)))
        }
    }

    @Test func largestBlock() throws {
        var random = SeededRandom(seed: 99)
        let n = BlockFormat.maximumSampleCount
        try roundTrip(Block(timestamps: makeTimestamps(.jitter, count: n, random: &random),
                            values: makeValues(.mixedDecimal, count: n, random: &random),
                            attributes: makeAttributes(count: n, random: &random)))
    }

    @Test func longConstantRunsCostAlmostNothing() throws {
        let n = 4000
        let block = Block(timestamps: (0..<Int64(n)).map { 1_795_000_000_000 + 10_000 * $0 },
                          values: Array(repeating: 123_456_789, count: n), attributes: Array(repeating: 3, count: n))
        let bytes = block.encoded()
        #expect(bytes.count < 40)
        try roundTrip(block)
    }

    @Test func decimalsPackTightly() throws {
        var random = SeededRandom(seed: 5)
        let n = 2000
        // Voltage: 0.1 V steps, ±2.8 V: 57 levels, 6 bits; regular timestamps cost nothing.
        let voltage = Block(timestamps: makeTimestamps(.regular, count: n, random: &random),
                            values: makeValues(.voltage, count: n, random: &random), attributes: Array(repeating: 0, count: n))
        #expect(voltage.encoded().count < n * 6 / 8 + 40)
        // A monotonic register rising 0 ... 45 Wh a reading: deltas of 6 bits.
        let register = Block(timestamps: makeTimestamps(.regular, count: n, random: &random),
                             values: makeValues(.register, count: n, random: &random), attributes: Array(repeating: 0, count: n))
        #expect(register.encoded().count < n * 6 / 8 + 40)
    }

    @Test func decodeAppends() throws {
        let block = Block(timestamps: [1, 2, 3], values: [1.5, 2.5, -0.0], attributes: [1, 1, 2])
        var t: [Int64] = [9]
        var v: [Double] = [9]
        var a: [UInt32] = [9]
        try block.encoded().withUnsafeBytes { raw in
            try BlockDecoder.decode(raw, timestamps: &t, values: &v, attributes: &a)
        }
        #expect(t == [9, 1, 2, 3])
        #expect(v.map(\.bitPattern) == [9, 1.5, 2.5, -0.0].map(\.bitPattern))
        #expect(a == [9, 1, 1, 2])
    }
}
