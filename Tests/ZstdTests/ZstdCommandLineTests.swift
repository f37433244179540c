import Foundation
import Testing
import Zstd

/// Interoperability with the reference `zstd` command-line tool.
@Suite("Zstd and the zstd command-line tool")
struct ZstdCommandLineTests {
    @Test func toolReadsOneShotOutput() throws {
        let directory = try ZstdTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = TestBytes(seed: 7)
        let input = TestBytes.telemetryText(lines: 5000) + rng.random(100_000)
        let file = directory.appendingPathComponent("one.zst")
        try Data(try Zstd.compress(input, level: 5)).write(to: file)
        #expect(try ZstdTool.run(["-q", "-dc", file.path]) == input)
    }

    @Test func toolReadsStreamedFramesWithoutContentSize() throws {
        let directory = try ZstdTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let compressor = try ZstdCompressor()
        var stream: [UInt8] = []
        var input: [UInt8] = []
        for i in 0..<5 {
            let chunk = TestBytes.telemetryText(lines: 300 * i + 1)
            input += chunk
            stream += try compressor.compress(chunk)
            if i % 2 == 0 { stream += try compressor.flush() }
            stream += try compressor.endFrame()
        }
        let file = directory.appendingPathComponent("streamed.zst")
        try Data(stream).write(to: file)
        #expect(try ZstdTool.run(["-q", "-dc", file.path]) == input)
    }

    @Test("our decoder reads the tool's output", arguments: [["-1"], ["-19"], ["-3", "--no-check"]])
    func weReadToolOutput(options: [String]) throws {
        let directory = try ZstdTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rng = TestBytes(seed: 11)
        let first = TestBytes.telemetryText(lines: 4000)
        let second = rng.random(70_000)
        let a = directory.appendingPathComponent("a")
        let b = directory.appendingPathComponent("b")
        try Data(first).write(to: a)
        try Data(second).write(to: b)
        // Two files compressed to stdout give two concatenated frames.
        let stream = try ZstdTool.run(["-q", "-c"] + options + [a.path, b.path])
        #expect(try Zstd.decompress(stream) == first + second)

        let decompressor = try ZstdDecompressor()
        var output: [UInt8] = []
        var offset = 0
        while offset < stream.count {
            let end = min(offset + 1000, stream.count)
            output += try decompressor.decompress(stream[offset..<end])
            offset = end
        }
        #expect(output == first + second)
        #expect(try decompressor.finish() == .complete)
    }
}
