import Recording
import Telemetry
import Testing
import Zstd

@Suite("Fixture reader problems")
struct FixtureReaderProblemTests {
    @Test func handWrittenFixtureWithCommentsAndBlankLines() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.file(
            "hand.jsonl",
            """
            # A heartbeat, then a retained status.
            {"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"[2,\\"19\\",\\"Heartbeat\\",{}]"}

               \t
            {"topic":"sites/a/status","payload":"online","retain":true,"received_at":1795262400500}
            # trailing comment\r
            {"received_at":"2026-11-21T12:00:01.000Z","topic":"crlf","payload":"x"}\r

            """)
        let reader = try FixtureReader(path: path)
        let records = try reader.readAll()
        #expect(reader.problems == [])
        #expect(records.map(\.line) == [2, 5, 7])
        #expect(records[0].message.topic == "ocpp/CP-1/in")
        #expect(records[0].message.payload == Array(#"[2,"19","Heartbeat",{}]"#.utf8))
        #expect(records[1].message == InboundMessage(receivedAt: 1_795_262_400_500, topic: "sites/a/status", qos: 0, retained: true, text: "online"))
        #expect(records[2].message.topic == "crlf")
    }

    /// A file that is not a fixture at all costs a count, not a problem per line: the first
    /// `maxProblemsKept` are kept, every one is counted, and the messages among them are still read.
    @Test func problemsAreCountedAllButKeptUpToALimit() throws {
        let directory = try TemporaryDirectory()
        let bad = FixtureReader.maxProblemsKept + 5
        let good = #"{"received_at":1795262400500,"topic":"t","payload":"x"}"#
        let text = Array(repeating: "not a fixture line", count: bad).joined(separator: "\n") + "\n" + good + "\n"
        let path = try directory.file("noise.jsonl", text)
        let reader = try FixtureReader(path: path)
        let records = try reader.readAll()
        #expect(records.count == 1)
        #expect(records.first?.line == bad + 1)
        #expect(reader.problemCount == bad)
        #expect(reader.problems.count == FixtureReader.maxProblemsKept)
        guard case .malformedLine(let line, _)? = reader.problems.first else {
            Issue.record("the first problem is not the first line: \(String(describing: reader.problems.first))")
            return
        }
        #expect(line == 1)
    }

    /// The worked example of docs/fixture-format.md, with the results the document shows.
    @Test func documentedWorkedExample() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.file(
            "example.jsonl",
            """
            # Boot of CP-1, then a binary frame on a vendor topic.
            {"received_at":"2026-11-21T12:00:00.123Z","topic":"ocpp/CP-1/in","qos":1,"retain":false,"payload":"[2,\\"19\\",\\"Heartbeat\\",{}]"}

            {"topic":"vendor/CP-1/raw","received_at":1795262400500,"payload_base64":"/wDDKA=="}
            {"received_at":"2026-11-21T13:00:01+01:00","topic":"ocpp/CP-1/in","payload":"y"}
            {"received_at":"2026-11-21T12:00:01.000Z","topic":"ocpp/CP-1/in","payload":"x","colour":"red"}
            {"received_at":"2026-11-21T12:00:02.000Z","topic":"ocpp/CP-1/in","pay
            """)
        let reader = try FixtureReader(path: path)
        let records = try reader.readAll()
        #expect(records.map(\.line) == [2, 4, 5])
        #expect(records.map(\.message) == [
            InboundMessage(receivedAt: 1_795_262_400_123, topic: "ocpp/CP-1/in", qos: 1, text: #"[2,"19","Heartbeat",{}]"#),
            InboundMessage(receivedAt: 1_795_262_400_500, topic: "vendor/CP-1/raw", qos: 0, payload: [0xFF, 0x00, 0xC3, 0x28]),
            InboundMessage(receivedAt: 1_795_262_401_000, topic: "ocpp/CP-1/in", qos: 0, text: "y"),
        ])
        #expect(reader.problems.map(\.description) == [
            #"line 6: skipped: unknown key "colour"; the keys are received_at, topic, qos, retain, payload, payload_base64"#,
            "line 7: torn last line (69 bytes, no final newline), skipped: not valid JSON:"
                + " the document ends too early (truncated JSON) at byte 69",
        ])
        #expect(records.dropFirst().map { String(decoding: FixtureLine.encode($0.message), as: UTF8.self) } == [
            #"{"received_at":"2026-11-21T12:00:00.500Z","topic":"vendor/CP-1/raw","qos":0,"retain":false,"payload_base64":"/wDDKA=="}"#,
            #"{"received_at":"2026-11-21T12:00:01.000Z","topic":"ocpp/CP-1/in","qos":0,"retain":false,"payload":"y"}"#,
        ])
    }

    @Test func everyMalformedLineIsReportedWithItsNumberAndReadingGoesOn() throws {
        let directory = try TemporaryDirectory()
        let good = #"{"received_at":0,"topic":"ok","payload":"x"}"#
        let path = try directory.file(
            "bad.jsonl",
            [
                good,  // 1
                #"{"received_at":0,"topic":"t","payload":"x","colour":"red"}"#,  // 2
                #"not json"#,  // 3
                good,  // 4
                #"{"received_at":"yesterday","topic":"t","payload":"x"}"#,  // 5
                #"{"received_at":0,"topic":"t","payload":"x","qos":5}"#,  // 6
                #"{"received_at":0,"payload":"x"}"#,  // 7
                #"# comment"#,  // 8
                #"{"received_at":0,"topic":"t","payload_base64":"***"}"#,  // 9
                good,  // 10
            ].joined(separator: "\n") + "\n")
        let reader = try FixtureReader(path: path)
        let records = try reader.readAll()
        #expect(records.map(\.line) == [1, 4, 10])
        let lines = reader.problems.compactMap { problem -> Int? in
            if case .malformedLine(let line, _) = problem { return line }
            return nil
        }
        #expect(lines == [2, 3, 5, 6, 7, 9])
        #expect(reader.problems.count == 6)
        #expect(reader.problems.contains(.malformedLine(line: 2, reason: .unknownKey("colour"))))
        #expect(reader.problems.contains(.malformedLine(line: 5, reason: .invalidTimestamp("yesterday"))))
        #expect(reader.problems.contains(.malformedLine(line: 6, reason: .qosOutOfRange(5))))
        #expect(reader.problems.contains(.malformedLine(line: 7, reason: .missingKey("topic"))))
        #expect(reader.problems.contains(.malformedLine(line: 9, reason: .invalidBase64)))
        #expect(reader.problems[0].description.hasPrefix("line 2: skipped: unknown key \"colour\""))
    }

    @Test func tornLastLineIsReportedAndSkipped() throws {
        let directory = try TemporaryDirectory()
        let good = #"{"received_at":0,"topic":"ok","payload":"x"}"#
        let torn = #"{"received_at":0,"topic":"ok","pay"#
        let path = try directory.file("torn.jsonl", good + "\n" + good + "\n" + torn)
        let reader = try FixtureReader(path: path)
        #expect(try reader.readAll().map(\.line) == [1, 2])
        #expect(reader.problems.count == 1)
        guard case .tornLastLine(let line, let byteCount, _)? = reader.problems.first else {
            Issue.record("expected a torn last line, got \(reader.problems)")
            return
        }
        #expect(line == 3)
        #expect(byteCount == torn.utf8.count)
    }

    @Test func unterminatedLastLineThatParsesIsRead() throws {
        let directory = try TemporaryDirectory()
        let good = #"{"received_at":0,"topic":"ok","payload":"x"}"#
        let path = try directory.file("no-newline.jsonl", good + "\n" + good)
        let reader = try FixtureReader(path: path)
        #expect(try reader.readAll().map(\.line) == [1, 2])
        #expect(reader.problems == [])
    }

    @Test func overlongLineIsSkippedWithinTheLimit() throws {
        let directory = try TemporaryDirectory()
        let good = #"{"received_at":0,"topic":"ok","payload":"x"}"#
        let long = #"{"received_at":0,"topic":"ok","payload":""# + String(repeating: "y", count: 300_000) + #""}"#
        let path = try directory.file("long.jsonl", [good, long, good, long].joined(separator: "\n"))
        let reader = try FixtureReader(path: path, maxLineBytes: 1000)
        #expect(try reader.readAll().map(\.line) == [1, 3])
        #expect(reader.problems == [
            .malformedLine(line: 2, reason: .lineTooLong(limit: 1000)),
            .malformedLine(line: 4, reason: .lineTooLong(limit: 1000)),
        ])
    }

    @Test func zstdIsDetectedByMagicNotByName() throws {
        let directory = try TemporaryDirectory()
        let text = #"{"received_at":0,"topic":"a","payload":"x"}"# + "\n"
        let compressedAsText = try directory.file("misnamed.jsonl", try Zstd.compress(Array(text.utf8)))
        let textAsCompressed = try directory.file("misnamed.jsonl.zst", text)
        let noExtension = try directory.file("recording", try Zstd.compress(Array(text.utf8)))
        for (path, expected) in [(compressedAsText, FixtureCompression.zstd), (textAsCompressed, .none), (noExtension, .zstd)] {
            let reader = try FixtureReader(path: path)
            #expect(reader.compression == expected, "\(path)")
            #expect(try reader.readAll().map(\.message.topic) == ["a"], "\(path)")
            #expect(reader.problems == [], "\(path)")
        }
    }

    @Test func compressedRecordingCutAtManyOffsetsKeepsCompleteLines() throws {
        let directory = try TemporaryDirectory()
        let full = directory.path("full.jsonl.zst")
        let writer = try FixtureWriter(path: full)
        var messages: [InboundMessage] = []
        // File size after each flushFrame (a frame boundary) -> messages complete at that point.
        var boundaries: [Int: Int] = [0: 0]
        for i in 0..<40 {
            let message = InboundMessage(
                receivedAt: 1_795_262_400_000 + Int64(i) * 250, topic: "ocpp/CP-\(i % 3)/in",
                text: #"[2,"\#(i)","MeterValues",{"connectorId":1,"meterValue":[{"sampledValue":[{"value":"\#(7000 + i)"}]}]}]"#)
            messages.append(message)
            try writer.write(message)
            if i % 4 == 3 {  // as the recorder does every second
                try writer.flushFrame()
                boundaries[try directory.contents(full).count] = i + 1
            }
        }
        try writer.close()
        let bytes = try directory.contents(full)
        #expect(boundaries.count == 11)
        #expect(boundaries[bytes.count] == 40)

        for cut in stride(from: 0, through: bytes.count, by: 7) + [1, 2, 3, 4, 5, bytes.count - 1] + Array(boundaries.keys) {
            let path = try directory.file("cut-\(cut).jsonl.zst", Array(bytes[..<cut]))
            let reader = try FixtureReader(path: path)
            let records = try reader.readAll()
            let completeBefore = boundaries.filter { $0.key <= cut }.map(\.value).max() ?? 0
            #expect(records.count >= completeBefore, "cut \(cut): lines of complete frames are read")
            #expect(records.map(\.message) == Array(messages.prefix(records.count)), "cut \(cut)")
            #expect(records.map(\.line) == Array(0..<records.count).map { $0 + 1 }, "cut \(cut)")
            let truncated = reader.problems.contains {
                if case .truncatedCompressedFrame = $0 { return true }
                return false
            }
            #expect(truncated == (boundaries[cut] == nil), "cut \(cut): \(reader.problems)")
            for problem in reader.problems {
                switch problem {
                case .truncatedCompressedFrame: break
                case .tornLastLine(let line, _, _): #expect(line == records.count + 1, "cut \(cut)")
                case .malformedLine: Issue.record("cut \(cut): unexpected \(problem)")
                }
            }
        }
    }

    @Test func corruptCompressedDataThrowsAfterTheGoodLines() throws {
        let directory = try TemporaryDirectory()
        let line = #"{"received_at":0,"topic":"a","payload":"x"}"# + "\n"
        let good = try Zstd.compress(Array(String(repeating: line, count: 3).utf8))
        var bad = try Zstd.compress(Array(String(repeating: line, count: 3).utf8))
        bad[bad.count - 1] ^= 0xFF  // break the checksum
        let path = try directory.file("corrupt.jsonl.zst", good + bad)
        let reader = try FixtureReader(path: path)
        var read = 0
        let error = #expect(throws: FixtureError.self) {
            while try reader.next() != nil { read += 1 }
        }
        #expect(read == 3)
        guard case .corruptCompressedData(let errorPath, let afterLine, let zstdError)? = error else {
            Issue.record("expected corrupt data, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(afterLine == 3)
        #expect(zstdError.message.lowercased().contains("checksum"))
    }
}
