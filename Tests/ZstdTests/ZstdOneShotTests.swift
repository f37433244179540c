import Foundation
import Testing
import Zstd

@Suite("Zstd one-shot")
struct ZstdOneShotTests {
    static let inputs: [(String, [UInt8])] = {
        var rng = TestBytes(seed: 1)
        return [
            ("empty", []),
            ("one byte", [0x42]),
            ("random 1 MB", rng.random(1 << 20)),
            ("compressible", TestBytes.telemetryText(lines: 20_000)),
            ("zeros 3 MB", [UInt8](repeating: 0, count: 3 << 20)),
        ]
    }()

    @Test("round trip", arguments: 0..<ZstdOneShotTests.inputs.count)
    func roundTrip(index: Int) throws {
        let (name, input) = Self.inputs[index]
        let compressed = try Zstd.compress(input)
        #expect(Zstd.startsWithFrame(compressed), "\(name)")
        #expect(try Zstd.decompress(compressed) == input, "\(name)")
    }

    @Test func compressibleDataShrinks() throws {
        let input = TestBytes.telemetryText(lines: 20_000)
        let compressed = try Zstd.compress(input)
        #expect(compressed.count * 10 < input.count)
    }

    @Test("levels", arguments: [Int32(-5), 1, 3, 19])
    func levels(level: Int32) throws {
        let input = TestBytes.telemetryText(lines: 1000)
        #expect(try Zstd.decompress(Zstd.compress(input, level: level)) == input)
    }

    @Test func levelOutOfRangeIsAnError() throws {
        let error = #expect(throws: ZstdError.self) { try Zstd.compress([1, 2, 3], level: 99) }
        #expect(error?.reason == .invalidArgument)
        #expect(error?.description.contains("99") == true)
    }

    @Test func acceptsNonArrayCollections() throws {
        let input = TestBytes.telemetryText(lines: 100)
        let viaData = try Zstd.compress(Data(input))
        let viaSlice = try Zstd.compress(input[10...])
        let viaLazy = try Zstd.compress(input.lazy.map { $0 })  // not contiguous: copied
        #expect(try Zstd.decompress(Data(viaData)) == input)
        #expect(try Zstd.decompress(viaSlice) == Array(input[10...]))
        #expect(try Zstd.decompress(viaLazy) == input)
    }

    @Test func concatenatedFramesDecodeAsOneStream() throws {
        let parts: [[UInt8]] = [Array("first ".utf8), [], Array("second ".utf8), TestBytes.telemetryText(lines: 500)]
        var stream: [UInt8] = []
        for part in parts { stream += try Zstd.compress(part) }
        #expect(try Zstd.decompress(stream) == parts.flatMap { $0 })
    }

    @Test func skippableFramesAreIgnored() throws {
        // Skippable frame: magic 0x184D2A5?, 4-byte little-endian length, then that many bytes of anything.
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 0xAA, 0xBB, 0xCC]
        let data = skippable + (try Zstd.compress(Array("payload".utf8)))
        #expect(Zstd.startsWithFrame(data))
        #expect(try Zstd.decompress(data) == Array("payload".utf8))
    }

    @Test func emptyInputDecodesToNothing() throws {
        #expect(try Zstd.decompress([UInt8]()) == [])
    }

    @Test func truncatedInputThrowsTruncatedFrame() throws {
        let compressed = try Zstd.compress(TestBytes.telemetryText(lines: 100))
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(compressed.dropLast(3)) }
        #expect(error?.reason == .truncatedFrame(bytesInFrame: compressed.count - 3))
        #expect(error?.operation == .decompress)
    }

    @Test func garbageIsALibraryError() throws {
        let error = #expect(throws: ZstdError.self) { try Zstd.decompress(Array("not zstd at all".utf8)) }
        guard case .library(let code)? = error?.reason else {
            Issue.record("expected a library error, got \(String(describing: error))")
            return
        }
        #expect(code != 0)
        #expect(error?.message == "Unknown frame descriptor")
        #expect(error?.description == "zstd error \(code): Unknown frame descriptor - while decompressing")
    }

    @Test func magicDetection() {
        #expect(Zstd.startsWithFrame([0x28, 0xB5, 0x2F, 0xFD]))
        #expect(Zstd.startsWithFrame([0x5F, 0x2A, 0x4D, 0x18, 0]))
        #expect(!Zstd.startsWithFrame([0x28, 0xB5, 0x2F]))
        #expect(!Zstd.startsWithFrame(Array("{\"a\":1}".utf8)))
    }
}
