import Testing
import Zstd

@Suite("Zstd streaming")
struct ZstdStreamingTests {
    @Test func chunkedCompressionRoundTrips() throws {
        let input = TestBytes.telemetryText(lines: 30_000)
        let compressor = try ZstdCompressor()
        var compressed: [UInt8] = []
        var offset = 0
        var size = 1
        while offset < input.count {  // chunk sizes 1, 2, 4, ... 64 KiB, repeating
            let end = min(offset + size, input.count)
            compressed += try compressor.compress(input[offset..<end])
            offset = end
            size = size >= 65_536 ? 1 : size * 2
        }
        compressed += try compressor.endFrame()
        #expect(try Zstd.decompress(compressed) == input)
    }

    @Test func endFrameMakesEveryPrefixDecodable() throws {
        let compressor = try ZstdCompressor(level: 1)
        var stream: [UInt8] = []
        var written: [UInt8] = []
        var boundaries: [(compressed: Int, plain: Int)] = []
        for i in 0..<6 {
            let chunk = TestBytes.telemetryText(lines: 50 * (i + 1))
            stream += try compressor.compress(chunk)
            written += chunk
            stream += try compressor.endFrame()
            boundaries.append((stream.count, written.count))
        }
        #expect(try Zstd.decompress(stream) == written)
        for boundary in boundaries {
            // Each prefix ending at a frame boundary is a complete zstd stream on its own.
            #expect(try Zstd.decompress(stream[..<boundary.compressed]) == Array(written[..<boundary.plain]))
        }
    }

    @Test func endFrameWithoutInputWritesNothing() throws {
        let compressor = try ZstdCompressor()
        #expect(try compressor.endFrame() == [])
        #expect(try compressor.flush() == [])
        _ = try compressor.compress([1, 2, 3])
        #expect(try compressor.endFrame().isEmpty == false)
        #expect(try compressor.endFrame() == [])
    }

    @Test func flushMakesDataDecodableWithoutEndingTheFrame() throws {
        let compressor = try ZstdCompressor()
        let first = Array("first half;".utf8)
        var stream = try compressor.compress(first)
        stream += try compressor.flush()
        let decompressor = try ZstdDecompressor()
        #expect(try decompressor.decompress(stream) == first)
        #expect(try decompressor.finish() == .truncatedFrame(bytesInFrame: stream.count))

        let second = Array("second half".utf8)
        stream += try compressor.compress(second)
        stream += try compressor.endFrame()
        #expect(try Zstd.decompress(stream) == first + second)
    }

    @Test func decompressorAcceptsOneByteAtATime() throws {
        let parts = [TestBytes.telemetryText(lines: 40), Array("tail".utf8)]
        let stream = try Zstd.compress(parts[0]) + Zstd.compress(parts[1])
        let decompressor = try ZstdDecompressor()
        var output: [UInt8] = []
        for byte in stream { output += try decompressor.decompress([byte]) }
        #expect(output == parts[0] + parts[1])
        #expect(try decompressor.finish() == .complete)
    }

    @Test func boundedOutputKeepsMemoryBounded() throws {
        // 8 MiB of zeros compresses to a few hundred bytes; decode it 4 KiB at a time.
        let input = [UInt8](repeating: 0, count: 8 << 20)
        let stream = try Zstd.compress(input)
        let decompressor = try ZstdDecompressor()
        var position = 0
        var total = 0
        var largest = 0
        while true {
            let step = try decompressor.decompress(stream[position...], maxOutput: 4096)
            position += step.consumed
            total += step.output.count
            largest = max(largest, step.output.count)
            #expect(step.output.allSatisfy { $0 == 0 })
            if step.output.isEmpty && step.consumed == 0 { break }
        }
        #expect(position == stream.count)
        #expect(total == input.count)
        #expect(largest == 4096)
        #expect(try decompressor.finish() == .complete)
    }

    @Test func truncationAtEveryOffsetIsReportedNotFatal() throws {
        let compressor = try ZstdCompressor()
        let parts = [Array("hello, ".utf8), TestBytes.telemetryText(lines: 20), Array("bye".utf8)]
        var stream: [UInt8] = []
        var frameEnds: [Int: [UInt8]] = [0: []]
        var plain: [UInt8] = []
        for part in parts {
            stream += try compressor.compress(part)
            stream += try compressor.endFrame()
            plain += part
            frameEnds[stream.count] = plain
        }
        for cut in 0...stream.count {
            let decompressor = try ZstdDecompressor()
            let output = try decompressor.decompress(stream[..<cut])
            #expect(plain.starts(with: output), "cut at \(cut): output is not a prefix of the input")
            let end = try decompressor.finish()
            if let expected = frameEnds[cut] {
                #expect(end == .complete, "cut at \(cut) is a frame boundary")
                #expect(output == expected)
            } else {
                let frameStart = frameEnds.keys.filter { $0 < cut }.max()!
                #expect(end == .truncatedFrame(bytesInFrame: cut - frameStart), "cut at \(cut)")
                #expect(output.count >= frameEnds[frameStart]!.count, "complete frames before the cut are decoded")
                #expect(throws: ZstdError.self) { try Zstd.decompress(stream[..<cut]) }
            }
        }
    }

    @Test func corruptionThrowsAndNeverYieldsWrongData() throws {
        let input = TestBytes.telemetryText(lines: 30)
        let stream = try Zstd.compress(input)
        var thrown = 0
        for offset in 0..<stream.count {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var corrupt = stream
                corrupt[offset] ^= flip
                do {
                    let output = try Zstd.decompress(corrupt)
                    // A flip in a field that does not change the content (e.g. the window size) may decode fine.
                    #expect(output == input, "flip \(flip) at \(offset) decoded to different data without an error")
                } catch {
                    thrown += 1
                }
            }
        }
        #expect(thrown > stream.count * 3 * 9 / 10)
    }

    @Test func goodDataBeforeCorruptionIsReturnedThenTheErrorIsThrown() throws {
        let good = TestBytes.telemetryText(lines: 10)
        var bad = try Zstd.compress(Array("will be corrupt".utf8))
        bad[bad.count - 1] ^= 0xFF  // the content checksum
        let stream = try Zstd.compress(good) + bad

        let whole = try ZstdDecompressor()
        #expect(try whole.decompress(stream) == good)
        #expect(throws: ZstdError.self) { try whole.finish() }

        let bounded = try ZstdDecompressor()
        let step = try bounded.decompress(stream, maxOutput: 1 << 20)
        #expect(step.output == good)
        #expect(throws: ZstdError.self) { try bounded.decompress(stream[step.consumed...], maxOutput: 1 << 20) }
    }

    @Test func checksumCatchesACorruptPayload() throws {
        let input = [UInt8](repeating: 0x61, count: 100) + Array("distinct tail 12345".utf8)
        let stream = try Zstd.compress(input, level: 1)
        var corrupt = stream
        corrupt[corrupt.count - 2] ^= 0x10  // inside the 4-byte content checksum
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(corrupt) }
        #expect(error?.message.lowercased().contains("checksum") == true)
    }

    @Test func decompressorIsReusableAfterFinish() throws {
        let decompressor = try ZstdDecompressor()
        let stream = try Zstd.compress(Array("abc".utf8))
        _ = try decompressor.decompress(stream.prefix(5))
        #expect(try decompressor.finish() == .truncatedFrame(bytesInFrame: 5))
        #expect(try decompressor.decompress(stream) == Array("abc".utf8))
        #expect(try decompressor.finish() == .complete)
    }
}
