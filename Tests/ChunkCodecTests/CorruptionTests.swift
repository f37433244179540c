import Testing
@testable import ChunkCodec

/// A decoder fed corrupt, truncated or random bytes must throw a `BlockDecodingError`: never crash, never
/// over-allocate, never leave partial output behind.
@Suite struct CorruptionTests {
    /// Decodes `bytes` into arrays holding one sentinel each; returns whether it succeeded, and checks that a
    /// failure leaves them untouched.
    func attempt(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        var t: [Int64] = [-7]
        var v: [Double] = [-7]
        var a: [UInt32] = [7]
        // `withUnsafeBytes` rethrows, which erases the typed error: carry it out in a Result.
        let result: Result<Void, BlockDecodingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(BlockDecodingError) in
                try BlockDecoder.decode(raw, timestamps: &t, values: &v, attributes: &a)
            }
        }
        do {
            try result.get()
            #expect(t.count == v.count && v.count == a.count, sourceLocation: sourceLocation)
            #expect(t.count <= 1 + BlockFormat.maximumSampleCount, sourceLocation: sourceLocation)
            return true
        } catch {
            #expect(t == [-7] && v.map(\.bitPattern) == [(-7.0).bitPattern] && a == [7], sourceLocation: sourceLocation)
            return false
        }
    }

    /// Small blocks of every encoding the codec has.
    func sampleBlocks() -> [[UInt8]] {
        var random = SeededRandom(seed: 77)
        var blocks: [[UInt8]] = []
        let shapes: [(TimeShape, SeriesShape)] = [
            (.regular, .voltage), (.jitter, .register), (.randomWalk, .current), (.regular, .constant),
            (.extremes, .awkward), (.randomBits, .randomBits), (.gap, .mixedDecimal), (.decreasing, .power),
            (.equal, .idleThenCharging),
        ]
        for (timeShape, valueShape) in shapes {
            let n = random.int(5...40)
            blocks.append(Block(timestamps: makeTimestamps(timeShape, count: n, random: &random),
                                values: makeValues(valueShape, count: n, random: &random),
                                attributes: makeAttributes(count: n, random: &random)).encoded())
        }
        return blocks
    }

    @Test func truncationAtEveryOffsetThrows() {
        for block in sampleBlocks() {
            #expect(attempt(block))
            for length in 0..<block.count {
                #expect(!attempt(Array(block[0..<length])), "truncated to \(length) of \(block.count) bytes decoded")
            }
            // Trailing bytes are an error too: a block is exactly its bytes.
            #expect(!attempt(block + [0]))
        }
    }

    @Test func bitFlipsNeverCrash() {
        for block in sampleBlocks() {
            for bit in 0..<(block.count * 8) {
                var corrupt = block
                corrupt[bit / 8] ^= 1 << UInt8(bit % 8)
                _ = attempt(corrupt)
                _ = try? BlockDecoder.summary(corrupt)
            }
        }
    }

    @Test func headerCorruptionIsDetected() throws {
        var random = SeededRandom(seed: 3)
        let block = Block(timestamps: makeTimestamps(.jitter, count: 30, random: &random),
                          values: makeValues(.voltage, count: 30, random: &random),
                          attributes: Array(repeating: 1, count: 30)).encoded()
        var badVersion = block
        badVersion[0] = 2
        #expect(throws: BlockDecodingError(.unsupportedVersion(2), at: 0)) { try decodeBlock(badVersion) }
        var badCount = block
        badCount[1] &+= 1
        #expect(!attempt(badCount))
    }

    @Test(arguments: 0..<20) func randomBytesThrowOrDecode(seed: UInt64) {
        var random = SeededRandom(seed: 500 + seed)
        for _ in 0..<500 {
            var bytes = (0..<random.int(0...200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Mostly a valid version byte, so the fuzzing reaches the columns.
            if !bytes.isEmpty && random.chance(0.9) { bytes[0] = BlockFormat.version }
            if bytes.count > 2 && random.chance(0.7) { bytes[2] = 0 }
            _ = attempt(bytes)
            _ = try? BlockDecoder.summary(bytes)
        }
    }

    @Test func hugeCountsDoNotAllocate() {
        // A header claiming 65,535 samples with columns that are a few bytes: must fail before decoding much.
        var bytes: [UInt8] = [BlockFormat.version, 0xFF, 0xFF, 0, 0, 0]
        bytes += [3, 0, 0, 40]  // timestamp column: deltaFrame, base 0, width 40, then nothing
        #expect(!attempt(bytes))
    }
}
