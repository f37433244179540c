import Foundation
import Recording
import Telemetry
import Testing

/// The fast decoder (JSONTape) against a plain Foundation decode (JSONSerialization) over every fixture and over
/// fuzzed variants of them: both must accept and refuse the same messages and produce the same readings and events.
@Suite struct DifferentialDecodingTests {
    static let fixtureDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func fixtureMessages() throws -> [InboundMessage] {
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)
            .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".jsonl.zst") }.sorted()
        var messages: [InboundMessage] = []
        for file in files {
            let reader = try FixtureReader(path: fixtureDirectory.appendingPathComponent(file).path)
            messages += try reader.readAll().map(\.message)
        }
        return messages
    }

    /// The topic conventions of Pipelines/default.yaml, reduced to what the decoder needs.
    static func source(for topic: String) -> MessageSource {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func origin(_ charger: String, site: String = "test") -> Origin { Origin(site: site, charger: charger) }
        if parts.first == "ocpp", parts.count == 3 {
            return MessageSource(origin: origin(parts[1]), format: .ocppJ, fromBackend: parts[2] == "out")
        }
        if let first = parts.first, first.hasPrefix("everest-") {
            return MessageSource(origin: origin(String(first.dropFirst(8))), format: .everest)
        }
        if parts.count >= 3, parts[1] == "everest_api" {
            return MessageSource(origin: origin(parts[0]), format: .everest)
        }
        if parts.first == "ev", parts.count == 5 {
            return MessageSource(origin: origin(parts[2], site: parts[1]), format: .compact, connector: Int(parts[3]))
        }
        return MessageSource(origin: origin("unknown"), format: .auto)
    }

    struct Pair {
        var fast = TelemetryDecoder()
        var reference = TelemetryDecoder()
        var compared = 0
        var accepted = 0
        var skipped = 0
        var mismatches: [String] = []

        mutating func compare(_ message: InboundMessage) {
            let source = DifferentialDecodingTests.source(for: message.topic)
            var fastOutput = DecodeOutput()
            var fastError: DecodeError?
            do throws(DecodeError) {
                try fast.decode(message, source: source, into: &fastOutput)
            } catch {
                fastError = error
            }
            var referenceOutput = DecodeOutput()
            var referenceError: DecodeError?
            if message.payload.count > reference.maxPayloadBytes {
                referenceError = DecodeError(.payloadTooLarge, path: "", "too large")
            } else {
                switch FoundationJSON.parse(message.payload) {
                case .failure(let error):
                    referenceError = error
                case .success(let tree):
                    do throws(DecodeError) {
                        try reference.decode(document: tree, message: message, source: source, into: &referenceOutput)
                    } catch {
                        referenceError = error
                    }
                }
            }
            if referenceError == FoundationJSON.unrepresentable {
                // Foundation could not read this one, so the two decoders' correlation state may now differ:
                // start both afresh.
                skipped += 1
                fast = TelemetryDecoder()
                reference = TelemetryDecoder()
                return
            }
            compared += 1
            let payload = String(decoding: message.payload.prefix(300), as: UTF8.self)
            switch (fastError, referenceError) {
            case (nil, nil):
                accepted += 1
                if !Self.same(fastOutput, referenceOutput, payload: message.payload) {
                    mismatches.append("outputs differ for \(payload)\nfast: \(fastOutput)\nreference: \(referenceOutput)")
                }
            case (let f?, let r?):
                // Both refused. The reason must agree once both got past JSON syntax (Foundation refuses some
                // valid JSON itself, e.g. 1e400, and cannot tell one syntax problem from another).
                let syntax: Set<RejectReason> = [.malformedJSON, .invalidUTF8]
                if !syntax.contains(r.reason) && f.reason != r.reason {
                    mismatches.append("reasons differ for \(payload): fast \(f), reference \(r)")
                }
                if r.reason == .invalidUTF8 && f.reason != .invalidUTF8 {
                    mismatches.append("invalid UTF-8 not named for \(payload): \(f)")
                }
            case (let f?, nil):
                mismatches.append("only the fast decoder refused \(payload): \(f)")
            case (nil, let r?):
                mismatches.append("only the reference refused \(payload): \(r)")
            }
        }

        /// Equal, except `decimals` where the payload wrote JSON numbers Foundation cannot give back verbatim.
        static func same(_ a: DecodeOutput, _ b: DecodeOutput, payload: [UInt8]) -> Bool {
            if a == b { return true }
            guard a.events == b.events, a.signedValues == b.signedValues, a.messageType == b.messageType,
                  a.readings.count == b.readings.count else { return false }
            let lossyNumbers = payload.contains(UInt8(ascii: "e")) || payload.contains(UInt8(ascii: "E"))
                || String(decoding: payload, as: UTF8.self).range(of: #"[0-9]\.[0-9]*0(?![0-9])"#, options: .regularExpression) != nil
            return zip(a.readings, b.readings).allSatisfy { x, y in
                var x = x
                if lossyNumbers { x.decimals = y.decimals }
                return x == y
            }
        }
    }

    @Test func agreesOnEveryFixture() throws {
        let messages = try Self.fixtureMessages()
        #expect(messages.count > 80)
        var pair = Pair()
        for message in messages { pair.compare(message) }
        #expect(pair.mismatches.isEmpty, "\(pair.mismatches.prefix(3).joined(separator: "\n\n"))")
        #expect(pair.accepted > 60, "most fixture messages are valid")
    }

    @Test func agreesOnFuzzedFixtures() throws {
        let messages = try Self.fixtureMessages()
        var generator = SeededGenerator(seed: 0x5EED_1234)
        var pair = Pair()
        let replacements = [#""abc""#, #""NaN""#, #"" 12.50 ""#, "1e999", "-0.0", "null", "true", "[]", "{}",
                            #""2026-11-21T12:00:00""#, #""L4""#, "12345678901234567890123", #""\u00e9\ud83d\ude00""#,
                            "0.1e-400", "-1", "0", #""Faulted""#, #""kWh""#, "1.5", #""""#, "99999999999999"]
        let bytesAlphabet = Array(#"{}[]",:0123456789.-+eE \"\\tfnru"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xFF]
        for round in 0..<40 {
            for original in messages {
                var payload = original.payload
                if round % 2 == 0 {
                    // Structure-aware: replace one scalar value with something hostile.
                    let text = String(decoding: payload, as: UTF8.self)
                    let scalars = Self.scalarRanges(in: text)
                    if let range = scalars.randomElement(using: &generator) {
                        var copy = text
                        copy.replaceSubrange(range, with: replacements.randomElement(using: &generator)!)
                        payload = Array(copy.utf8)
                    }
                } else if !payload.isEmpty {
                    for _ in 0..<Int.random(in: 1...2, using: &generator) {
                        let position = Int.random(in: 0..<payload.count, using: &generator)
                        switch Int.random(in: 0..<3, using: &generator) {
                        case 0: payload[position] = bytesAlphabet.randomElement(using: &generator)!
                        case 1: payload.remove(at: position)
                        default: payload.insert(bytesAlphabet.randomElement(using: &generator)!, at: position)
                        }
                        if payload.isEmpty { break }
                    }
                }
                var message = original
                message.payload = payload
                pair.compare(message)
            }
        }
        #expect(pair.compared > 3000)
        #expect(pair.skipped < pair.compared / 20, "few cases are beyond Foundation")
        #expect(pair.mismatches.isEmpty, "\(pair.mismatches.count) mismatches:\n\(pair.mismatches.prefix(3).joined(separator: "\n\n"))")
    }

    /// Ranges of string and number literals that are values (not keys) in a JSON text.
    static func scalarRanges(in text: String) -> [Range<String.Index>] {
        guard let regex = try? NSRegularExpression(pattern: #"(?<=[:\[,])\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)(?=\s*[,\]}])"#) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { Range($0.range(at: 1), in: text) }
    }
}

/// A small deterministic generator (SplitMix64), so a failing fuzz case can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
