import Foundation
import MosquittoTestSupport
import Testing

@Suite struct DecodeCommandTests {
    static func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(arguments: ["ocpp16-session.jsonl", "ocpp16-status.jsonl", "ocpp201-session.jsonl", "ocpp201-offline.jsonl",
                      "everest.jsonl", "compact.jsonl"])
    func validFixturesDecodeWithoutRejections(fixture: String) throws {
        let result = try WattlineProcess.run(["decode", "--strict", "Fixtures/\(fixture)"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try Self.objects(result.stdout)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0["type"] as? String != "rejected" })
        #expect(result.stderr.contains("rejected 0"))
    }

    /// Each malformed case is preceded by `# expect: <reason>`; the rejection must carry exactly that reason.
    @Test func malformedFixturesAreRejectedWithTheExpectedReasons() throws {
        let fixture = WattlineProcess.repository.appendingPathComponent("Fixtures/malformed.jsonl")
        let lines = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var expected: [Int: String] = [:]
        for (index, line) in lines.enumerated() where line.hasPrefix("# expect: ") {
            expected[index + 2] = String(line.dropFirst("# expect: ".count))
        }
        #expect(expected.count >= 18)
        let result = try WattlineProcess.run(["decode", "Fixtures/malformed.jsonl"])
        #expect(result.status == 0)
        let rejections = try Self.objects(result.stdout)
        #expect(rejections.count == expected.count)
        for rejection in rejections {
            let line = try #require(rejection["line"] as? Int)
            #expect(rejection["type"] as? String == "rejected")
            #expect(rejection["reason"] as? String == expected[line], "line \(line): \(rejection)")
            #expect((rejection["error"] as? String)?.isEmpty == false)
        }
        let strict = try WattlineProcess.run(["decode", "--strict", "Fixtures/malformed.jsonl"])
        #expect(strict.status == 1)
    }

    @Test func readingsAreInCanonicalUnits() throws {
        let result = try WattlineProcess.run(["decode", "Fixtures/ocpp16-session.jsonl"])
        let readings = try Self.objects(result.stdout).filter { $0["type"] as? String == "reading" }
        let energy = try #require(readings.first { $0["measurand"] as? String == "Energy.Active.Import.Register" })
        #expect(energy["unit"] as? String == "Wh")
        #expect(energy["value"] as? Double == 1_250_184)  // "1250.184" kWh in the fixture
        #expect(energy["transaction_id"] as? String == "4711")
        let assigned = try Self.objects(result.stdout).first { $0["event"] as? String == "idAssigned" }
        #expect(assigned?["transaction_id"] as? String == "4711")
    }

    @Test func standardInputAndTornLastLine() throws {
        let fixture = WattlineProcess.repository.appendingPathComponent("Fixtures/compact.jsonl")
        var data = try Data(contentsOf: fixture)
        data.append(contentsOf: Array(#"{"received_at":"2026-11-21T14:00:00.000Z","topic":"ev/x/M/1/meter","payl"#.utf8))
        let result = try WattlineProcess.run(["decode", "-"], stdin: data)
        #expect(result.status == 0)
        #expect(result.stderr.contains("torn"), "\(result.stderr)")
        #expect(try Self.objects(result.stdout).count > 5)
    }

    /// An exported log's tick lines carry nothing to decode: they are counted, not rejected, and the line numbers of
    /// the messages around them stay those of the file.
    @Test func tickLinesAreCountedNotDecoded() throws {
        let fixture = WattlineProcess.repository.appendingPathComponent("Fixtures/ocpp16-session.jsonl")
        let lines = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        let exported = ([#"{"ticks":"recorded"}"#] + lines.prefix(3) + [#"{"received_at":"2026-11-21T08:00:01.374Z","tick":true}"#]
            + lines.dropFirst(3) + [#"{"received_at":"2026-12-01T00:00:00Z","tick":true}"#]).joined(separator: "\n") + "\n"
        let result = try WattlineProcess.run(["decode", "--strict", "-"], stdin: Data(exported.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("messages 30: decoded 30, rejected 0; readings "), "\(result.stderr)")
        #expect(result.stderr.contains("; tick lines 2 (nothing to decode)"), "\(result.stderr)")
        #expect(!result.stderr.contains("skipped"), "\(result.stderr)")
        let plain = try WattlineProcess.run(["decode", "--strict", "Fixtures/ocpp16-session.jsonl"])
        let shifted = try plain.stdout.split(separator: "\n").map { line -> String in
            let number = try #require(Int(line.components(separatedBy: #""line":"#)[1].prefix { $0.isNumber }))
            return line.replacingOccurrences(of: #""line":\#(number),"#, with: #""line":\#(number + (number > 3 ? 2 : 1)),"#)
        }
        #expect(!shifted.isEmpty)
        #expect(result.stdout.split(separator: "\n").map(String.init) == shifted)
    }

    /// A zstd-compressed stream on standard input is recognised by its magic bytes. (Reading standard input is
    /// tested through the real binary, never by swapping the test process's own descriptor 0, which would race
    /// with every other test that starts a process.)
    @Test func compressedStandardInput() throws {
        let fixture = WattlineProcess.repository.appendingPathComponent("Fixtures/ocpp16-session.jsonl")
        let compressed = Data(try ChildProcess.capture("/usr/bin/zstd", ["-q", "-c", fixture.path]).stdout)
        #expect(compressed.prefix(4) == Data([0x28, 0xB5, 0x2F, 0xFD]))
        let result = try WattlineProcess.run(["decode", "--strict", "-"], stdin: compressed)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("messages 30: decoded 30, rejected 0"), "\(result.stderr)")
    }
}
