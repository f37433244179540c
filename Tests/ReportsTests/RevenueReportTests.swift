import Foundation
import MosquittoTestSupport
import Processing
import Reports
import SQLite
import Testing

/// `RevenueReport` over a real `wattline.db`: exact totals per currency, local calendar days (DST included) and
/// utilisation per EVSE.
@Suite struct RevenueReportTests {
    static let period = ReportFixture.ms("2026-03-28T00:00:00.000Z")..<ReportFixture.ms("2026-03-31T00:00:00.000Z")

    static func report(_ grouping: RevenueGrouping, site: String? = nil, timeZone: TimeZone? = nil,
                       data: String) throws -> RevenueReport {
        let results = try ResultQueries(dataDirectory: data)
        let sessions = try ReportSource.sessions(results)
        let scope = ReportScope(fleet: try ReportFixture.fleet(), sessions: sessions, site: site, timeZone: timeZone)
        return RevenueReport(sessions: sessions, scope: scope, grouping: grouping, period: period)
    }

    static func amount(_ row: RevenueRow, _ currency: String) -> CurrencyAmount? {
        row.revenue.amounts.first { $0.currency == currency }
    }

    @Test(arguments: RevenueGrouping.allCases)
    func totalsAreTheExactSumOfTheSessions(grouping: RevenueGrouping) throws {
        let directory = try TemporaryDirectory(prefix: "wattline-revenue")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let report = try Self.report(grouping, data: data)
        // s6 is open: not counted. s5 has no tariff: counted, no revenue. Amounts by hand:
        // EUR 10.00 + 7.35 + 3.33 = 20.68 excl., 11.90 + 8.75 + 3.96 = 24.61 incl.; USD 5.55 + 0.10 = 5.65, 5.55 + 0.30 = 5.85.
        #expect(report.total.sessions == 6)
        #expect(report.total.unpriced == 1)
        #expect(report.total.revenue.amounts == [
            CurrencyAmount(currency: "EUR", exclVAT: Decimal(string: "20.68")!, inclVAT: Decimal(string: "24.61")!),
            CurrencyAmount(currency: "USD", exclVAT: Decimal(string: "5.65")!, inclVAT: Decimal(string: "5.85")!),
        ])
        // The rows add up to the totals, to the cent, per currency.
        var sum = CurrencyTotals()
        for row in report.rows { for amount in row.revenue.amounts { sum.add(amount) } }
        #expect(sum == report.total.revenue)
        #expect(report.rows.map(\.sessions).reduce(0, +) == report.total.sessions)
        #expect(abs(report.rows.map(\.energyWh).reduce(0, +) - report.total.energyWh) < 1e-9)
        #expect(AmountText.format(report.total.revenue.amounts[1].inclVAT, currency: "USD") == "5.85")
    }

    @Test func daysAreTheSitesLocalCalendar() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-revenue")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let local = try Self.report(.day, data: data)
        // s1 23:30 Berlin and s4 23:00 New York are 03-28 locally (03-28T22:30Z, 03-29T03:00Z); s3 is 01:30 on 03-30
        // in Berlin (03-29T23:30Z); s7 11:00 on 03-30 in New York. 03-27 is New York's evening (the period starts at
        // 20:00 EDT there) and 03-31 Berlin's first two hours: rows without sessions.
        let counts = Dictionary(uniqueKeysWithValues: local.rows.map { ($0.key, $0.sessions) })
        #expect(counts == ["2026-03-27": 0, "2026-03-28": 2, "2026-03-29": 2, "2026-03-30": 2, "2026-03-31": 0])
        let byDay = Dictionary(uniqueKeysWithValues: local.rows.map { ($0.key, $0) })
        #expect(Self.amount(byDay["2026-03-28"]!, "EUR")?.inclVAT == Decimal(string: "11.90"))
        #expect(Self.amount(byDay["2026-03-28"]!, "USD")?.inclVAT == Decimal(string: "5.55"))

        let utc = try Self.report(.day, timeZone: TimeZone(identifier: "UTC"), data: data)
        let utcCounts = Dictionary(uniqueKeysWithValues: utc.rows.map { ($0.key, $0.sessions) })
        #expect(utcCounts == ["2026-03-28": 1, "2026-03-29": 4, "2026-03-30": 1])
    }

    @Test func theSpringForwardDayHas23Hours() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-revenue")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let report = try Self.report(.day, site: "depot", data: data)
        let byDay = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.key, $0) })
        // Two EVSEs at the depot. The period starts 03-28T00:00Z = 01:00 CET, so 03-28 has 23 hours in it; 03-29 is
        // the spring-forward day, 23 real hours; 03-30 has 24; 03-31 begins 03-30T22:00Z, 2 hours before the end.
        #expect(byDay["2026-03-28"]?.capacitySeconds == 2 * 23 * 3600.0)
        #expect(byDay["2026-03-29"]?.capacitySeconds == 2 * 23 * 3600.0)
        #expect(byDay["2026-03-30"]?.capacitySeconds == 2 * 24 * 3600.0)
        #expect(byDay["2026-03-31"]?.capacitySeconds == 2 * 2 * 3600.0)
        // 03-29: s2 charged 2 h, s5 1 h: 3 h over 46 EVSE hours.
        #expect(byDay["2026-03-29"]?.utilisation == 3.0 / 46)
        #expect(report.total.capacitySeconds == 2 * 72 * 3600.0)

        // Without --from/--to the period is the depot sessions' whole local days: 03-28 00:00 CET to 03-31 00:00 CEST.
        let results = try ResultQueries(dataDirectory: data)
        let depot = try ReportSource.sessions(results, site: "depot")
        let scope = ReportScope(fleet: try ReportFixture.fleet(), sessions: depot, site: "depot")
        let derived = try ReportSource.period(from: nil, to: nil, sessions: depot, scope: scope)
        #expect(derived == ReportFixture.ms("2026-03-27T23:00:00.000Z")..<ReportFixture.ms("2026-03-30T22:00:00.000Z"))
        #expect(try ReportSource.period(from: nil, to: nil, sessions: [], scope: scope) == nil)
        #expect(throws: ReportError.emptyPeriod(from: 5, to: 5)) { try ReportSource.period(from: 5, to: 5, sessions: [], scope: scope) }
    }

    @Test func utilisationIsPerEVSENotPerConnector() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-revenue")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let byEVSE = try Self.report(.evse, data: data)
        #expect(byEVSE.rows.map(\.key) == ["BOS-1/1", "CP-1/1", "CP-1/2"])
        let evse1 = try #require(byEVSE.rows.first { $0.key == "CP-1/1" })
        // s1 (connector 1), s2 (connector 2) and s5 share one EVSE: 4 h of 72.
        #expect(evse1.sessions == 3)
        #expect(evse1.chargingSeconds == 4 * 3600)
        #expect(evse1.capacitySeconds == 72 * 3600.0)
        #expect(evse1.utilisation == 4.0 / 72)

        let bySite = try Self.report(.site, data: data)
        let depot = try #require(bySite.rows.first { $0.key == "depot" })
        // Two EVSEs (three connectors): 4.5 h of 144.
        #expect(depot.capacitySeconds == 144 * 3600.0)
        #expect(depot.utilisation == 4.5 / 144)
        let byTariff = try Self.report(.tariff, data: data)
        #expect(byTariff.rows.map(\.key) == ["(none)", "standard", "us-standard"])
        #expect(byTariff.rows[0].utilisation == nil)
    }

    @Test func malformedAmountsAndUnknownGroupingsAreClearErrors() throws {
        let directory = try TemporaryDirectory(prefix: "wattline-revenue")
        defer { directory.remove() }
        let data = try ReportFixture.write(in: directory)
        let database = try Database(path: data + "/wattline.db")
        try database.execute("UPDATE sessions SET cost_total = '12,34' WHERE id = '00000000000000s1'")
        database.close()
        let results = try ResultQueries(dataDirectory: data)
        #expect(throws: ReportError.malformedAmount(session: "00000000000000s1", column: "cost_total", text: "12,34")) {
            try ReportSource.sessions(results)
        }
        let error = ReportError.malformedAmount(session: "00000000000000s1", column: "cost_total", text: "12,34")
        #expect(error.description == "session 00000000000000s1: cost_total is '12,34', expected an exact decimal amount such as 12.34")
        #expect(throws: ReportError.unknownGrouping("week", expected: ["site", "charger", "evse", "day", "month", "tariff"])) {
            try RevenueGrouping.named("week")
        }
        for bad in ["1e3", "NaN", "", "12.", "--1", " 1"] { #expect(AmountText.parse(bad) == nil, "\(bad)") }
        #expect(AmountText.parse("-0.50") == Decimal(string: "-0.5"))
        #expect(AmountText.format(Decimal(string: "12.3")!, digits: 2) == "12.30")
        #expect(AmountText.format(Decimal(string: "-0.005")!, digits: 2) == "-0.01")
    }
}
