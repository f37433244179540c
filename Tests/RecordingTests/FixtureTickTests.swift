import Foundation
import Recording
import Telemetry
import Testing

/// Tick lines and the tick header (docs/fixture-format.md, "Ticks"): their canonical form, how they are read, the
/// problems a reader reports, and the writer that records them.
@Suite("Fixture ticks")
struct FixtureTickTests {
    static let message = InboundMessage(receivedAt: 1_795_262_400_123, topic: "ocpp/CP-1/in", qos: 1, text: "x")

    @Test func aTickLineAndTheHeaderHaveOneCanonicalForm() throws {
        #expect(String(decoding: FixtureLine.encodeTick(at: 1_795_262_401_374), as: UTF8.self)
            == #"{"received_at":"2026-11-21T12:00:01.374Z","tick":true}"#)
        #expect(String(decoding: FixtureLine.encodeTick(at: 253_402_300_800_000), as: UTF8.self)
            == #"{"received_at":253402300800000,"tick":true}"#, "outside years 0000-9999 the integer form")
        #expect(FixtureLine.tickHeader == #"{"ticks":"recorded"}"#)
        #expect(try FixtureLine.decodeLine(FixtureLine.encodeTick(at: 1_795_262_401_374)) == .tick(at: 1_795_262_401_374))
        #expect(try FixtureLine.decodeLine(Array(FixtureLine.tickHeader.utf8)) == .tickHeader)
        #expect(try FixtureLine.decodeLine(FixtureLine.encode(Self.message)) == .message(Self.message))
    }

    @Test func readingATickLineIsAsLenientAsReadingAMessage() throws {
        for line in [#"{ "tick" : true, "received_at" : "2026-11-21T13:00:01.374+01:00" }"#,
                     #"{"received_at":1795262401374,"tick":true}"#,
                     #"{"received_at":"2026-11-21T12:00:01.374999Z","\u0074ick":true}"#] {
            #expect(try FixtureLine.decodeLine(Array(line.utf8)) == .tick(at: 1_795_262_401_374), "\(line)")
        }
    }

    @Test(
        "malformed tick lines and headers",
        arguments: [
            (#"{"received_at":0,"tick":false}"#, "wrongType(tick)"),
            (#"{"received_at":0,"tick":1}"#, "wrongType(tick)"),
            (#"{"tick":true}"#, "missingKey(received_at)"),
            (#"{"received_at":0,"tick":true,"topic":"t"}"#, "notInTickLine(topic)"),
            (#"{"received_at":0,"tick":true,"payload":"x"}"#, "notInTickLine(payload)"),
            (#"{"received_at":0,"tick":true,"tick":true}"#, "duplicateKey(tick)"),
            (#"{"received_at":"2026-11-21T12:00:00","tick":true}"#, "invalidTimestamp"),
            (#"{"ticks":"synthesized"}"#, "wrongType(ticks)"),
            (#"{"ticks":true}"#, "wrongType(ticks)"),
            (#"{"ticks":"recorded","received_at":0}"#, "notInTickHeader(received_at)"),
            (#"{"ticks":"recorded","tick":true}"#, "notInTickHeader(tick)"),
            (#"{"received_at":0,"tick":true,"colour":"red"}"#, "unknownKey(colour)"),
        ])
    func malformed(line: String, expected: String) {
        let error = #expect(throws: FixtureLineError.self) { try FixtureLine.decodeLine(Array(line.utf8)) }
        guard let error else { return }
        #expect(FixtureLineTests.summary(error) == expected, "\(line) -> \(error)")
    }

    /// `FixtureLine.decode` reads messages: a tick line or the header is not one.
    @Test func decodingAMessageRefusesATickLine() {
        let tick = #expect(throws: FixtureLineError.self) { try FixtureLine.decode(FixtureLine.encodeTick(at: 0)) }
        #expect(tick == .notAMessage("a tick line"))
        #expect(tick?.description == "a tick line, not a message")
        let header = #expect(throws: FixtureLineError.self) { try FixtureLine.decode(Array(FixtureLine.tickHeader.utf8)) }
        #expect(header == .notAMessage("the tick header"))
    }

    /// A file that starts with the header records its ticks: `nextEntry()` gives them back in place, `next()` steps
    /// over them (counting them), and a repeated header (two exports concatenated) is accepted.
    @Test func aFileWithTheHeaderGivesItsTicksBackInPlace() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.file("ticks.jsonl", """
            # exported
            {"ticks":"recorded"}
            {"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"x"}
            {"received_at":"2026-11-21T12:00:01.374Z","tick":true}

            {"received_at":"2026-11-21T12:00:02.401Z","tick":true}
            {"ticks":"recorded"}
            {"received_at":"2026-11-21T12:00:03.000Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"x"}

            """)
        let entries = try FixtureReader(path: path)
        let records = try entries.readAllEntries()
        #expect(records.map(\.line) == [3, 4, 6, 8])
        #expect(records.map(\.entry) == [
            .message(Self.message), .tick(at: 1_795_262_401_374), .tick(at: 1_795_262_402_401),
            .message(InboundMessage(receivedAt: 1_795_262_403_000, topic: "ocpp/CP-1/in", qos: 1, text: "x")),
        ])
        #expect(entries.recordsTicks && entries.ticksRead == 2 && entries.problems == [])

        let messages = try FixtureReader(path: path)
        #expect(try messages.readAll().map(\.line) == [3, 8])
        #expect(messages.recordsTicks && messages.ticksRead == 2 && messages.problems == [])
    }

    /// Without the header first, tick lines are problems (the file says nothing of its ticks), and so is a header
    /// after messages; the messages are read as always.
    @Test func ticksWithoutTheHeaderAndAMisplacedHeaderAreProblems() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.file("mixed.jsonl", """
            {"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"x"}
            {"received_at":"2026-11-21T12:00:01.374Z","tick":true}
            {"ticks":"recorded"}
            {"received_at":"2026-11-21T12:00:02.401Z","tick":true}

            """)
        let reader = try FixtureReader(path: path)
        let records = try reader.readAllEntries()
        #expect(records.map(\.line) == [1] && records.map(\.entry) == [.message(Self.message)])
        #expect(!reader.recordsTicks && reader.ticksRead == 0)
        #expect(reader.problems == [
            .malformedLine(line: 2, reason: .tickWithoutHeader),
            .malformedLine(line: 3, reason: .misplacedTickHeader),
            .malformedLine(line: 4, reason: .tickWithoutHeader),
        ])
        #expect(reader.problems[0].description == #"line 2: skipped: a tick line in a fixture that does not record its "#
            + #"ticks: its first line must be the tick header {"ticks":"recorded"}"#)
    }

    /// The writer's header and tick lines, plain and zstd, read back as written; a file with the header and nothing
    /// else records its ticks (there were none) and holds no entry.
    @Test(arguments: ["exported.jsonl", "exported.jsonl.zst"])
    func theWriterRecordsTicks(name: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path(name)
        let writer = try FixtureWriter(path: path, recordsTicks: true)
        #expect(writer.recordsTicks)
        try writer.write(Self.message)
        try writer.writeTick(at: 1_795_262_401_374)
        try writer.flushFrame()
        try writer.writeTick(at: 1_795_262_402_401)
        try writer.close()
        let reader = try FixtureReader(path: path)
        #expect(try reader.readAllEntries().map(\.entry) == [
            .message(Self.message), .tick(at: 1_795_262_401_374), .tick(at: 1_795_262_402_401),
        ])
        #expect(reader.recordsTicks && reader.problems == [])
        if !name.hasSuffix(".zst") {
            #expect(String(decoding: try directory.contents(path), as: UTF8.self) == FixtureLine.tickHeader + "\n"
                + String(decoding: FixtureLine.encode(Self.message), as: UTF8.self) + "\n"
                + #"{"received_at":"2026-11-21T12:00:01.374Z","tick":true}"# + "\n"
                + #"{"received_at":"2026-11-21T12:00:02.401Z","tick":true}"# + "\n")
        }

        let empty = directory.path("empty-" + name)
        try FixtureWriter(path: empty, recordsTicks: true).close()
        let emptyReader = try FixtureReader(path: empty)
        #expect(try emptyReader.readAllEntries() == [])
        #expect(emptyReader.recordsTicks)

        let plain = directory.path("plain-" + name)
        let messagesOnly = try FixtureWriter(path: plain)
        try messagesOnly.write(Self.message)
        try messagesOnly.close()
        let plainReader = try FixtureReader(path: plain)
        #expect(try plainReader.readAllEntries().map(\.entry) == [.message(Self.message)])
        #expect(!plainReader.recordsTicks)
    }
}
