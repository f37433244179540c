import Foundation
import MosquittoTestSupport
import Processing
import Reports
import Testing

/// `UsageReport` by local hour and weekday, and `ChargerReport`'s NEVI uptime from known outages.
@Suite struct UsageAndChargerTests {
    static func inputs(in directory: TemporaryDirectory) throws -> (sessions: [ReportSession], anomalies: [ReportAnomaly]) {
        let results = try ResultQueries(dataDirectory: try ReportFixture.write(in: directory))
        return (try ReportSource.sessions(results), try ReportSource.anomalies(results))
    }

    @Test func usageByLocalHourOnTheSpringForwardDay() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-usage")
        defer { directory.remove() }
        let (sessions, _) = try Self.inputs(in: directory)
        // Berlin's 2026-03-29: 00:00 CET (03-28T23:00Z) to 24:00 CEST (03-29T22:00Z), 23 hours; 02:00 does not exist.
        let day = ReportFixture.ms("2026-03-28T23:00:00.000Z")..<ReportFixture.ms("2026-03-29T22:00:00.000Z")
        let scope = ReportScope(fleet: try ReportFixture.fleet(), sessions: sessions, site: "depot")
        let report = UsageReport(sessions: sessions, scope: scope, grouping: .hour, period: day)
        #expect(report.rows.count == 24)
        #expect(report.rows[2].capacitySeconds == 0)
        #expect(report.rows[2].occupancy == nil)
        // s2: 10:00–12:30 local on EVSE 1 (connector 2); two EVSEs at the depot.
        #expect(report.rows[10].sessions == 1)
        #expect(report.rows[10].energyWh == 7_000)
        #expect(report.rows[10].occupiedSeconds == 3600)
        #expect(report.rows[10].occupancy == 0.5)
        #expect(report.rows[12].occupiedSeconds == 1800)
        // s5 12:00Z = 14:00 CEST; s6 (open) 16:00 CEST for its 15 minutes of charging.
        #expect(report.rows[14].sessions == 1 && report.rows[16].sessions == 1)
        let capacity: Double = report.rows.map(\.capacitySeconds).reduce(0, +)
        #expect(capacity == 2 * 23 * 3600)

        let weekdays = UsageReport(sessions: sessions, scope: scope, grouping: .weekday, period: day)
        #expect(weekdays.rows.map(\.key) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        #expect(weekdays.rows[6].sessions == 3)  // s2, s5, s6: Sunday 03-29
        #expect(weekdays.rows[6].capacitySeconds == 2 * 23 * 3600.0)
        #expect(throws: ReportError.unknownGrouping("minute", expected: ["hour", "weekday"])) { try UsageGrouping.named("minute") }
    }

    @Test func neviUptimeFromKnownOutages() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-chargers")
        defer { directory.remove() }
        let (sessions, anomalies) = try Self.inputs(in: directory)
        // March 1 to 31 (UTC): 30 days, 720 hours per EVSE.
        let period = ReportFixture.ms("2026-03-01T00:00:00.000Z")..<ReportFixture.ms("2026-03-31T00:00:00.000Z")
        let scope = ReportScope(fleet: try ReportFixture.fleet(), sessions: sessions)
        let report = ChargerReport(sessions: sessions, anomalies: anomalies, scope: scope, period: period)
        let labels: [String] = report.rows.map { row in row.charger + "/" + (row.evse.map { String($0) } ?? "all") }
        #expect(labels == ["CP-1/all", "CP-1/1", "CP-1/2", "BOS-1/all", "BOS-1/1"])
        let cp1 = report.rows[0], evse1 = report.rows[1], evse2 = report.rows[2]
        // EVSE 1: fault 03-10 10:00–22:00 and the charger's silence 20:00–02:00 overlap by 2 h: 16 h of outage. The
        // 5-minute silence on 03-15 is shorter than offline_after (540 s) and the meter_stuck anomaly is no outage.
        #expect(evse1.uptime.outageSeconds == 16 * 3600)
        #expect(evse1.uptime.ratio == (720.0 - 16) / 720)
        #expect(evse1.uptime.meetsBar)
        // EVSE 2: the same 6 h of silence, and a fault open since 03-29 00:00: 48 h to the end of the period. 54 h.
        #expect(evse2.uptime.outageSeconds == 54 * 3600)
        #expect(evse2.uptime.ratio == (720.0 - 54) / 720)
        #expect(!evse2.uptime.meetsBar)
        #expect(evse2.flags.contains(.belowUptimeBar))
        #expect(cp1.uptime.ratio == (1440.0 - 70) / 1440)
        // Excluded outage comes off the outage: (period − (outage − excluded)) / period.
        #expect(Uptime(periodSeconds: 100, outageSeconds: 10, excludedSeconds: 4).ratio == 0.94)
        // Anomalies started in the period: a1, a5 on EVSE 1; a4 on EVSE 2; all five on the charger.
        #expect(evse1.anomalies == 2 && evse2.anomalies == 1 && cp1.anomalies == 5)
        // EVSE 1 charged 38 kWh in 4 h: 9.5 kW against 22 kW.
        #expect(evse1.averagePowerKW == 9.5)
        #expect(evse1.ratedPowerKW == 22)
        #expect(evse1.flags.contains(.slow))
        #expect(report.rows[4].uptime.ratio == 1)
        // The whole depot charger's revenue: s1 + s2 + s3 (s5 unpriced, s6 open but unpriced).
        let expected = CurrencyAmount(currency: "EUR", exclVAT: Decimal(string: "20.68")!, inclVAT: Decimal(string: "24.61")!)
        #expect(cp1.usage.revenue.amounts == [expected])
    }
}
