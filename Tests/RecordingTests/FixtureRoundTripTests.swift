import Foundation
import MosquittoTestSupport
import Recording
import Telemetry
import Testing
import Zstd

@Suite("Fixture write and read")
struct FixtureRoundTripTests {
    static func sampleMessages() -> [InboundMessage] {
        var big: [UInt8] = []
        big.reserveCapacity(1 << 20)
        for i in 0..<(1 << 20) { big.append(UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13)) }  // not UTF-8
        return [
            InboundMessage(receivedAt: 1_795_262_400_123, topic: "ocpp/CP-1/in", qos: 1, text: #"[2,"19","Heartbeat",{}]"#),
            InboundMessage(receivedAt: 1_795_262_400_124, topic: "ocpp/CP-1/out", qos: 0, retained: true, text: "{}"),
            InboundMessage(receivedAt: 1_795_262_400_200, topic: "sites/Zürich/ladestation/⚡️/状态", qos: 2, text: "ok"),
            InboundMessage(receivedAt: 1_795_262_401_000, topic: "bin", payload: [0xFF, 0xFE, 0x00, 0x80]),
            InboundMessage(receivedAt: 1_795_262_401_001, topic: "text/with/newline", text: "line1\nline2\r\n\u{2028}"),
            InboundMessage(receivedAt: 1_795_262_402_000, topic: "empty", payload: []),
            InboundMessage(receivedAt: 1_795_262_403_000, topic: "big/binary", payload: big),
            InboundMessage(
                receivedAt: 1_795_262_404_000, topic: "big/text",
                text: String(repeating: #"{"power_w":7400,"note":"\"quoted\""}"#, count: 30_000)),
        ]
    }

    @Test("round trip", arguments: ["plain.jsonl", "compressed.jsonl.zst"])
    func roundTrip(name: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path(name)
        let messages = Self.sampleMessages()
        let writer = try FixtureWriter(path: path)
        #expect(writer.compression == (name.hasSuffix(".zst") ? .zstd : .none))
        for message in messages { try writer.write(message) }
        try writer.close()

        let reader = try FixtureReader(path: path)
        #expect(reader.compression == writer.compression)
        let records = try reader.readAll()
        #expect(records.map(\.message) == messages)
        #expect(records.map(\.line) == Array(1...messages.count))
        #expect(reader.problems == [])
        #expect(try reader.next() == nil)
    }

    @Test func plainFileIsExactlyTheEncodedLines() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("exact.jsonl")
        let messages = Array(Self.sampleMessages().prefix(3))
        let writer = try FixtureWriter(path: path)
        for message in messages { try writer.write(message) }
        try writer.close()
        #expect(try directory.contents(path) == messages.flatMap { FixtureLine.encode($0) + [0x0A] })
    }

    @Test func compressedFileIsReadableByTheZstdTool() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tool.jsonl.zst")
        let messages = Self.sampleMessages()
        let writer = try FixtureWriter(path: path)
        for (i, message) in messages.enumerated() {
            try writer.write(message)
            if i % 3 == 0 { try writer.flushFrame() }
        }
        try writer.close()
        let result = try ChildProcess.capture("/usr/bin/env", ["zstd", "-q", "-dc", path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdout == messages.flatMap { FixtureLine.encode($0) + [0x0A] })
    }

    @Test func emptyCompressedFixtureIsStillValidZstd() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.jsonl.zst")
        try FixtureWriter(path: path).close()
        let bytes = try directory.contents(path)
        #expect(Zstd.startsWithFrame(bytes))
        #expect(try Zstd.decompress(bytes) == [])
        let reader = try FixtureReader(path: path)
        #expect(try reader.readAll() == [])
        #expect(reader.problems == [])
    }

    @Test func flushFrameMakesWrittenMessagesReadableBeforeClose() throws {
        let directory = try TemporaryDirectory()
        for name in ["live.jsonl", "live.jsonl.zst"] {
            let path = directory.path(name)
            let writer = try FixtureWriter(path: path)
            let messages = Array(Self.sampleMessages().prefix(3))
            for message in messages { try writer.write(message) }
            #expect(try FixtureReader(path: path).readAll().isEmpty, "\(name): buffered until flushFrame")
            try writer.flushFrame()
            let reader = try FixtureReader(path: path)
            #expect(try reader.readAll().map(\.message) == messages, "\(name)")
            #expect(reader.problems == [], "\(name)")
            try writer.flushFrame()  // nothing new: writes nothing
            let size = try directory.contents(path).count
            try writer.flushFrame()
            #expect(try directory.contents(path).count == size)
            try writer.close()
        }
    }

    @Test func writerRefusesToOverwriteUnlessAsked() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.file("exists.jsonl", "# old\n")
        let error = #expect(throws: FixtureError.self) { try FixtureWriter(path: path) }
        #expect(error == .alreadyExists(path: path))
        let writer = try FixtureWriter(path: path, overwrite: true)
        try writer.write(InboundMessage(receivedAt: 0, topic: "t", text: "new"))
        try writer.close()
        #expect(try FixtureReader(path: path).readAll().map(\.message.payload) == [Array("new".utf8)])
    }

    @Test func writeAfterCloseThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("closed.jsonl")
        let writer = try FixtureWriter(path: path)
        try writer.close()
        try writer.close()  // twice is fine
        #expect(throws: FixtureError.closed(path: path)) {
            try writer.write(InboundMessage(receivedAt: 0, topic: "t", text: ""))
        }
    }

    @Test func explicitCompressionOverridesTheExtension() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("named-plain.jsonl")
        let writer = try FixtureWriter(path: path, compression: .zstd, level: 9)
        try writer.write(InboundMessage(receivedAt: 0, topic: "t", text: "x"))
        try writer.close()
        #expect(Zstd.startsWithFrame(try directory.contents(path)))
        let reader = try FixtureReader(path: path)
        #expect(reader.compression == .zstd)
        #expect(try reader.readAll().count == 1)
    }

    @Test func openingAMissingFileNamesThePathAndReason() {
        let error = #expect(throws: FixtureError.self) { try FixtureReader(path: "/nonexistent/dir/x.jsonl") }
        #expect(error?.description.contains("/nonexistent/dir/x.jsonl") == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }
}

extension FixtureRoundTripTests {
    @Test func closedReaderReturnsNothingMore() throws {
        let directory = try TemporaryDirectory()
        let line = #"{"received_at":0,"topic":"a","payload":"x"}"# + "\n"
        let path = try directory.file("two.jsonl", line + line)
        let reader = try FixtureReader(path: path)
        #expect(try reader.next()?.line == 1)
        reader.close()
        #expect(try reader.next() == nil)
    }
}
