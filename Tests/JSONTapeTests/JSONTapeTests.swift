import Testing
import JSONTape

@Suite struct JSONTapeTests {
    func parse(_ text: String, _ body: (JSONRef) -> Void = { _ in }) throws(JSONError) {
        let bytes = Array(text.utf8)
        let tape = JSONTape()
        let result: Result<Void, JSONError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONError) {
                body(try tape.parse(buffer))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    @Test func walksObjectsArraysAndScalars() throws {
        try parse(#"{"a":[1,-2.5e3,"x\ny",true,false,null],"b":{"c":{}},"d":"\u00e9\ud83d\ude00"}"#) { root in
            #expect(root.kind == .object)
            var keys: [String] = []
            root.forEachMember { (name, _) in keys.append(String(decoding: name, as: UTF8.self)) }
            #expect(keys == ["a", "b", "d"])
            let array = root["a"]!
            #expect(array.elementCount == 6)
            var kinds: [JSONKind] = []
            array.forEachElement { (_, element) in kinds.append(element.kind) }
            #expect(kinds == [.number, .number, .string, .true, .false, .null])
            var texts: [String] = []
            array.forEachElement { (_, element) in
                if let t = element.withNumberBytes({ String(decoding: $0, as: UTF8.self) }) { texts.append(t) }
                if let s = element.string { texts.append(s) }
            }
            #expect(texts == ["1", "-2.5e3", "x\ny"])
            #expect(root["b"]?["c"]?.kind == .object)
            #expect(root["d"]?.string == "é😀")
            #expect(root["missing"] == nil)
        }
    }

    @Test func theLastOfRepeatedKeysWins() throws {
        try parse(#"{"k":1,"k":2}"#) { root in
            #expect(root["k"]?.withNumberBytes { String(decoding: $0, as: UTF8.self) } == "2")
        }
    }

    @Test(arguments: [
        ("", JSONError.Problem.empty), ("{", .unexpectedEnd), ("[1,]", .unexpectedByte), ("{\"a\" 1}", .unexpectedByte),
        ("\"abc", .unexpectedEnd), ("\"a\u{01}b\"", .controlCharacter), ("\"\\q\"", .badEscape), ("\"\\ud800\"", .badEscape),
        ("\"\\udc00\"", .badEscape), ("01", .trailingContent), ("-", .unexpectedEnd), ("1.", .unexpectedEnd),
        ("1.e5", .badNumber), ("[1] [2]", .trailingContent), ("tru", .unexpectedEnd), ("nulL", .unexpectedByte),
        ("+1", .unexpectedByte), ("NaN", .unexpectedByte),
    ])
    func refusesInvalidDocuments(text: String, problem: JSONError.Problem) {
        do throws(JSONError) {
            try parse(text)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.problem == problem, "\(text.debugDescription): \(error)")
        }
    }

    @Test func refusesInvalidUTF8InStrings() {
        for bad: [UInt8] in [[0xC3, 0x28], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xC0, 0xAF]] {
            let bytes: [UInt8] = [0x22] + bad + [0x22]
            let tape = JSONTape()
            let problem: JSONError.Problem? = bytes.withUnsafeBufferPointer { buffer in
                do throws(JSONError) { _ = try tape.parse(buffer); return nil } catch { return error.problem }
            }
            #expect(problem == .invalidUTF8, "\(bad)")
        }
    }

    /// Strings of every length up to 40 with one byte that ends a plain run (a quote, an escape, a control byte, a
    /// non-ASCII character, an invalid byte) at every position: the word-at-a-time scan hands over to the byte loop
    /// at the right place whatever the alignment.
    @Test func eachSpecialByteIsFoundAtEveryPosition() throws {
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            try parse("\"" + String(decoding: plain, as: UTF8.self) + "\"") { root in
                #expect(root.string == String(decoding: plain, as: UTF8.self), "length \(length)")
            }
            for position in 0..<max(length, 1) where length > 0 {
                var escaped = plain
                escaped.replaceSubrange(position..<(position + 1), with: Array(#"\n"#.utf8))
                var expected = plain
                expected[position] = UInt8(ascii: "\n")
                try parse("\"" + String(decoding: escaped, as: UTF8.self) + "\"") { root in
                    #expect(root.string == String(decoding: expected, as: UTF8.self), "escape at \(position) of \(length)")
                }
                var accented = plain
                accented.replaceSubrange(position..<(position + 1), with: Array("é".utf8))
                try parse("\"" + String(decoding: accented, as: UTF8.self) + "\"") { root in
                    #expect(root.string == String(decoding: accented, as: UTF8.self), "é at \(position) of \(length)")
                }
                var early = plain
                early[position] = UInt8(ascii: "\"")
                #expect(throws: JSONError.self, "quote at \(position) of \(length)") {
                    try parse("\"" + String(decoding: early, as: UTF8.self) + "\"")
                }
                for bad: UInt8 in [0x01, 0x1F, 0xFF] {
                    var broken = plain
                    broken[position] = bad
                    let tape = JSONTape()
                    #expect(throws: JSONError.self, "byte \(bad) at \(position) of \(length)") {
                        _ = try ([0x22] + broken + [0x22]).withUnsafeBufferPointer { try tape.parse($0) }
                    }
                }
            }
        }
    }

    /// Every escape (short ones, `\u` of one to three UTF-8 bytes, surrogate pairs) after plain text of every
    /// length up to 9, then next to or a few bytes from every other escape, then before text or at the end: each
    /// decodes to the text it was made from, wherever the runs between escapes start and end.
    @Test func escapesDecodeWhereverTheyFall() throws {
        let escapes: [(escaped: String, text: String)] = [
            (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\b"#, "\u{08}"), (#"\f"#, "\u{0C}"),
            (#"\n"#, "\n"), (#"\r"#, "\r"), (#"\t"#, "\t"), (#"\u0041"#, "A"), (#"\u00e9"#, "é"),
            (#"\u20AC"#, "€"), (#"\ud83d\ude00"#, "😀"), (#"\u0000"#, "\u{00}"),
        ]
        let plain = "ab{é€:,[ ]"
        for length in 0...9 {
            let lead = String(plain.prefix(length))
            for first in escapes {
                for second in escapes {
                    for (middle, tail) in [("", ""), ("", "z"), ("q", ""), ("é€", "x"), ("qq", "é")] {
                        let escaped = lead + first.escaped + middle + second.escaped + tail
                        let text = lead + first.text + middle + second.text + tail
                        try parse("\"" + escaped + "\"") { root in #expect(root.string == text, "\(escaped)") }
                    }
                }
            }
        }
    }

    @Test func depthIsLimited() {
        #expect(throws: JSONError.self) { try parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) }
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) }
    }

    @Test func theTapeGrowsAndIsReused() throws {
        let big = "[" + (0..<10_000).map { "{\"i\":\($0)}" }.joined(separator: ",") + "]"
        try parse(big) { root in #expect(root.elementCount == 10_000) }
    }

    /// RFC 8259 is strict where JSONSerialization on Linux is lenient (it takes trailing commas); the tape follows
    /// the RFC. Agreement with Foundation on everything else is checked by TelemetryTests.DifferentialDecodingTests.
    @Test(arguments: ["[1,]", "{\"a\":1,}", "[1 , ]"])
    func trailingCommasAreRefused(text: String) {
        #expect(throws: JSONError.self) { try parse(text) }
    }
}
