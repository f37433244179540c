import Testing

@testable import Pipeline

@Suite("Durations")
struct DurationTextTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)),
        ("5m", .seconds(300)),
        ("1h", .seconds(3_600)),
        ("1d", .seconds(86_400)),
        ("400d", .seconds(400 * 86_400)),
        ("1h30m", .seconds(5_400)),
        ("250ms", .milliseconds(250)),
        ("0s", .zero),
    ])
    func parses(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["", "30", "s", "1 h", "5x", "1m1h", "1s1s", "-5s", "1.5h", "1H", "99999999999999999999d"])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: ["30s", "5m", "1h", "1d", "400d", "1h30m", "250ms", "1d2h3m4s5ms", "0s"])
    func formatsTheWayItParses(text: String) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(DurationText.format(duration) == text)
    }

    @Test func normalisesWhenFormatting() {
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.seconds(86_400 * 2)) == "2d")
    }
}

@Suite("Did you mean")
struct SuggestionTests {
    @Test(arguments: [
        ("treshold", ["threshold", "thresholds"], "threshold"),
        ("qso", ["qos", "tls"], "qos"),
        ("keepalve", ["keepalive", "client_id"], "keepalive"),
        ("colour", ["broker", "topics"], nil),
        ("URL", ["url"], "url"),
    ] as [(String, [String], String?)])
    func suggestsOnlyNearWords(word: String, candidates: [String], expected: String?) {
        #expect(Suggestion.closest(to: word, in: candidates) == expected)
    }
}
