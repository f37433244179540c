import Testing
@testable import Telemetry

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-21T12:00:00Z", Int64(1_795_262_400_000)),
        ("2026-11-21T12:00:00.123Z", 1_795_262_400_123),
        ("2026-11-21T12:00:00.123456789Z", 1_795_262_400_123),
        ("2026-11-21T13:00:00+01:00", 1_795_262_400_000),
        ("2026-11-21T07:00:00-0500", 1_795_262_400_000),
        ("2026-11-21t12:00:00.5z", 1_795_262_400_500),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("1970-01-01T00:00:00Z", 0),
    ])
    func parses(text: String, expected: Int64) throws {
        #expect(try Timestamp.parse(text) == expected)
    }

    @Test(arguments: ["2026-11-21T12:00:00", "2026-11-21T12:00:00.123"])
    func refusesAMissingZone(text: String) {
        #expect(throws: Timestamp.Failure.missingZone) { try Timestamp.parse(text) }
    }

    @Test(arguments: ["2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21",
                      "yesterday", "2026-11-21T12:00:00Q", "2026-11-21T12:00:00+25:00", "2026-11-21T12:00:00.Z"])
    func refusesMalformed(text: String) {
        #expect(throws: Timestamp.Failure.malformed) { try Timestamp.parse(text) }
    }

    @Test func formatRoundTrips() throws {
        for ms: Int64 in [0, 1, 999, 1_795_262_400_123, 951_782_400_000, -1, -86_400_001, 4_102_444_799_999] {
            #expect(try Timestamp.parse(Timestamp.format(ms)) == ms)
        }
        #expect(Timestamp.format(1_795_262_400_123) == "2026-11-21T12:00:00.123Z")
    }
}
