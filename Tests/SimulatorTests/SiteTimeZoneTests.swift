@testable import Simulator
import Telemetry
import Testing

@Suite struct SiteTimeZoneTests {
    static let berlin = SiteTimeZone.catalog[0]
    static let london = SiteTimeZone.catalog[3]

    static func at(_ text: String) throws -> Int64 {
        try Timestamp.parse(text)
    }

    @Test func localHoursFollowTheEUSummerTimeRule() throws {
        #expect(Self.berlin.identifier == "Europe/Berlin")
        #expect(Self.berlin.localHour(at: try Self.at("2026-11-21T10:00:00Z")) == 11)
        #expect(Self.berlin.localHour(at: try Self.at("2026-07-01T10:00:00Z")) == 12)
        #expect(Self.london.localHour(at: try Self.at("2026-07-01T10:00:00Z")) == 11)
        #expect(Self.london.localHour(at: try Self.at("2026-01-01T23:30:00Z")) == 23)
        #expect(Self.berlin.localHour(at: try Self.at("2026-01-01T23:30:00Z")) == 0)
        // 2026: summer time from 29 March to 25 October, switching at 01:00 UTC.
        #expect(Self.berlin.offsetSeconds(at: try Self.at("2026-03-29T00:59:59Z")) == 3600)
        #expect(Self.berlin.offsetSeconds(at: try Self.at("2026-03-29T01:00:00Z")) == 7200)
        #expect(Self.berlin.offsetSeconds(at: try Self.at("2026-10-25T00:59:59Z")) == 7200)
        #expect(Self.berlin.offsetSeconds(at: try Self.at("2026-10-25T01:00:00Z")) == 3600)
        // 2024: 31 March and 27 October.
        #expect(Self.london.offsetSeconds(at: try Self.at("2024-03-31T01:00:00Z")) == 3600)
        #expect(Self.london.offsetSeconds(at: try Self.at("2024-10-27T00:30:00Z")) == 3600)
        #expect(Self.london.offsetSeconds(at: try Self.at("2024-10-27T01:00:00Z")) == 0)
    }
}
