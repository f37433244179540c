import Foundation
import Recording
import Telemetry
import Testing
import Zstd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading `-` (standard input). The suite swaps the process's descriptor 0 for a pipe while it runs, so it is
/// serialized; no other test reads standard input.
@Suite("Fixture reader on standard input", .serialized)
struct FixtureStandardInputTests {
    /// Runs `body` with standard input reading `bytes` (at most a pipe buffer, 64 KiB), then restores it.
    func withStandardInput(_ bytes: [UInt8], _ body: () throws -> Void) throws {
        precondition(bytes.count < 60_000)
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(bytes))
        try pipe.fileHandleForWriting.close()
        let saved = dup(STDIN_FILENO)
        #expect(saved >= 0)
        #expect(dup2(pipe.fileHandleForReading.fileDescriptor, STDIN_FILENO) == STDIN_FILENO)
        defer {
            dup2(saved, STDIN_FILENO)
            close(saved)
        }
        try body()
    }

    @Test("plain and compressed", arguments: [false, true])
    func readsStandardInput(compressed: Bool) throws {
        let messages: [InboundMessage] = (0..<50).map {
            InboundMessage(receivedAt: Int64($0), topic: "stdin/\($0)", text: "m\($0)")
        }
        var text: [UInt8] = []
        for message in messages { text += FixtureLine.encode(message) + [0x0A] }
        let bytes = compressed ? try Zstd.compress(text) : text
        var records: [FixtureRecord] = []
        var compression = FixtureCompression.none
        var problems: [FixtureProblem] = []
        try withStandardInput(bytes) {
            let reader = try FixtureReader(path: "-")
            records = try reader.readAll()
            compression = reader.compression
            problems = reader.problems
            reader.close()
        }
        #expect(compression == (compressed ? .zstd : .none))
        #expect(records.map(\.message) == messages)
        #expect(problems == [])
    }
}
