@testable import Alerts
import Billing
import Foundation
import MosquittoTestSupport
import Pipeline
import SQLite
import Sessions
import Telemetry
import Testing
@testable import Processing

/// Sessions priced in the running stage: cost columns and `session_costs` lines written with the session row.
@Suite struct ProcessorStageBillingTests {
    /// A time-of-use tariff: 0.30/kWh from 09:20 local (08:20Z in November, Berlin is UTC+1), 0.40/kWh before,
    /// a 1.00 flat fee, 19 % VAT.
    static let tariffs = """
        tariffs:
          default: tou
          definitions:
            - id: tou
              currency: EUR
              vat: 19
              valid_from: 2026-01-01T00:00:00+01:00
              elements:
                - price_components:
                    - {type: ENERGY, price: 0.30}
                  restrictions: {start_time: "09:20", end_time: "24:00"}
                - price_components:
                    - {type: ENERGY, price: 0.40}
                    - {type: FLAT, price: 1.00}

        """

    static let costColumns = """
        SELECT tariff_id, currency, cost_energy, cost_time, cost_parking, cost_flat, cost_excl_vat, vat, cost_total,
               cost_status, cost_error FROM sessions
        """

    /// The fixture session (ProcessorStageTests.items): 08:00Z–08:40Z, 20 Wh every 10 s (7.2 kW), 4 800 Wh.
    /// By hand: 08:00–08:20Z is 09:00–09:20 local, 2 400 Wh at 0.40 = 0.96; 08:20–08:40Z, 2 400 Wh at 0.30 = 0.72.
    /// ENERGY 0.96 + 0.72 = 1.68 (one rate, rounded once: 1.68); FLAT 1.00; excl. VAT 2.68; VAT 19 % of 2.68 =
    /// 0.5092 → 0.51; total 3.19.
    @Test func aClosedSessionIsPricedWithItsLines() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try ProcessorStageTests.pipeline(Self.tariffs))
        try ProcessorStageTests.feed(stage, ProcessorStageTests.items())
        stage.close()
        #expect(try ProcessorStageTests.rows(path, Self.costColumns)
            == [["tou", "EUR", "1.68", "0.00", "0.00", "1.00", "2.68", "0.51", "3.19", "priced", "NULL"]])
        let lines = try ProcessorStageTests.rows(path, """
            SELECT period, period_start, period_end, state, dimension, element, price, vat_rate, measured_volume,
                   step_volume, unit FROM session_costs ORDER BY line
            """)
        #expect(Set(lines) == [
            ["0", "2026-11-21T08:00:00.000Z", "2026-11-21T08:20:00.000Z", "charging", "flat", "1", "1", "19", "1", "0", "session"],
            ["0", "2026-11-21T08:00:00.000Z", "2026-11-21T08:20:00.000Z", "charging", "energy", "1", "0.4", "19", "2400", "0", "Wh"],
            ["1", "2026-11-21T08:20:00.000Z", "2026-11-21T08:40:00.000Z", "charging", "energy", "0", "0.3", "19", "2400", "0", "Wh"],
        ])
        #expect(lines.count == 3)
        let json = try #require(try ProcessorStageTests.rows(path, "SELECT cost_breakdown FROM sessions").first?.first)
        let document = try JSONDecoder().decode(CostBreakdownDocument.self, from: Data(json.utf8))
        #expect(document.totalInclVAT == "3.19")
        #expect(document.vat == [CostBreakdownDocument.VAT(rate: "19", base: "2.68", vat: "0.51")])
        #expect(stage.pricingFailures == 0)
    }

    /// Stopped at 08:20:00Z (the 121st reading): the open session's cost so far, up to its charger's clock.
    /// By hand: 2 400 Wh at 0.40 = 0.96, FLAT 1.00, excl. 1.96, VAT 0.3724 → 0.37, total 2.33.
    @Test func anOpenSessionHasItsRunningCost() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try ProcessorStageTests.pipeline(Self.tariffs))
        try ProcessorStageTests.feed(stage, ProcessorStageTests.items(), limit: 122)
        stage.close()
        #expect(try ProcessorStageTests.rows(path, Self.costColumns)
            == [["tou", "EUR", "0.96", "0.00", "0.00", "1.00", "1.96", "0.37", "2.33", "running", "NULL"]])
        #expect(try ProcessorStageTests.rows(path, "SELECT state, power_w FROM sessions") == [["open", "7200.0"]])
        #expect(try ProcessorStageTests.rows(path, "SELECT count(*) FROM session_costs") == [["2"]])
    }

    /// A restart in the middle of the session (the process dies after a commit, the log is read again from a
    /// little before the checkpoint) gives the same cost rows and lines as an uninterrupted run.
    @Test func aRestartMidSessionGivesIdenticalCostRows() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let pipeline = try ProcessorStageTests.pipeline(Self.tariffs)
        let items = ProcessorStageTests.items()
        let whole = directory.path + "/whole.db"
        let stage = try ProcessorStage(databasePath: whole, pipeline: pipeline)
        try ProcessorStageTests.feed(stage, items)
        stage.close()

        let split = directory.path + "/split.db"
        let first = try ProcessorStage(databasePath: split, pipeline: pipeline)
        try ProcessorStageTests.feed(first, items, limit: 157, commitEvery: 37)
        first.close()
        #expect(try ProcessorStageTests.rows(split, "SELECT cost_status FROM sessions") == [["running"]])
        let resumed = try ProcessorStage(databasePath: split, pipeline: pipeline)
        try ProcessorStageTests.feed(resumed, items, from: 120, commitEvery: 23)
        resumed.close()
        let sql = Self.costColumns.replacingOccurrences(of: " FROM", with: ", power_w, time_to_full_s, cost_breakdown FROM")
        #expect(try ProcessorStageTests.rows(split, sql) == ProcessorStageTests.rows(whole, sql))
        #expect(try ProcessorStageTests.rows(split, sql).first?[9] == "priced")
        let lines = "SELECT * FROM session_costs ORDER BY session_id, line"
        #expect(try ProcessorStageTests.rows(split, lines) == ProcessorStageTests.rows(whole, lines))
    }

    /// Without a tariff for the session the row says so, with no amounts.
    @Test func aSessionWithoutTariffIsMarkedNoTariff() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try ProcessorStageTests.pipeline())
        try ProcessorStageTests.feed(stage, ProcessorStageTests.items())
        stage.close()
        #expect(try ProcessorStageTests.rows(path, "SELECT cost_status, cost_total, tariff_id FROM sessions")
            == [["no_tariff", "NULL", "NULL"]])
    }

    /// An open session's unchanged cost (no tariff) is written once, not at every commit: a mark another connection
    /// puts on the row between commits survives the next ones.
    @Test func anUnchangedCostIsNotRewritten() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try ProcessorStageTests.pipeline())
        let items = ProcessorStageTests.items()
        try ProcessorStageTests.feed(stage, items, limit: 50)
        let other = try Database(path: path)
        try other.execute("UPDATE sessions SET cost_error = 'marked'")
        other.close()
        try ProcessorStageTests.feed(stage, items, from: 50, limit: 100)
        #expect(try ProcessorStageTests.rows(path, "SELECT state, cost_status, cost_error FROM sessions")
            == [["open", "no_tariff", "marked"]])
        // Closing changes it: written again.
        try ProcessorStageTests.feed(stage, items, from: 100)
        stage.close()
        #expect(try ProcessorStageTests.rows(path, "SELECT state, cost_status, cost_error FROM sessions")
            == [["closed", "no_tariff", "NULL"]])
    }

    /// A session billing cannot price (its samples go back in time) is recorded as `failed` with the reason, in
    /// the same write as its row; nothing crashes.
    @Test func aFailedPricingIsRecorded() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let pipeline = try ProcessorStageTests.pipeline(Self.tariffs)
        let pricing = try SessionPricing(pipeline: pipeline)
        let start = ProcessorStageTests.start
        let session = BillableSession(id: "s-1", site: "depot", charger: "CP-1", timeZone: pricing.timeZone(site: "depot"),
                                      startedAt: start, samples: [
                                          BillableSample(time: start, energyWh: 0, state: .charging),
                                          BillableSample(time: start - 1, energyWh: 10, state: .charging),
                                      ])
        let cost = pricing.price(session)
        #expect(cost.status == .failed)
        #expect(cost.error == "session s-1 cannot be priced: sample 1 is earlier than the sample before it")

        let record = ResultQueryTests.session("s-1", startedAt: start)
        let store = try ResultStore(path: path)
        try store.write(sessions: [record], costs: ["s-1": cost], anomalies: [], intervals: [], stage: "processors",
                        checkpoint: (1, []))
        store.close()
        #expect(try ProcessorStageTests.rows(path, "SELECT cost_status, cost_error, cost_total FROM sessions")
            == [["failed", "session s-1 cannot be priced: sample 1 is earlier than the sample before it", "NULL"]])
    }

    /// `processors.sessions.cost_threshold: 2.00`: `session.cost_threshold` goes to the outbox once, in the commit
    /// where the running cost first reaches it. Committing after every record, by hand: after n readings (20 Wh
    /// each, before 08:20Z at 0.40/kWh) the total is 1.00 + round(0.008 n) plus 19 % VAT rounded; n = 84 gives
    /// 1.67 + 0.32 = 1.99, n = 85 (08:14:10Z) gives 1.68 + 0.32 = 2.00.
    @Test func theCostThresholdEventIsProducedOnce() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let pipeline = try ProcessorStageTests.pipeline(Self.tariffs + "processors:\n  sessions:\n    cost_threshold: 2.00\n")
        var hook = HookConfiguration(name: "billing", command: ["/bin/true"],
                                     events: [EventSelector.parse("session.cost_threshold").0!])
        hook.timeoutMs = 1_000
        let alerts = AlertConfiguration(hooks: [hook])
        let items = ProcessorStageTests.items()
        let first = try ProcessorStage(databasePath: path, pipeline: pipeline, alerts: alerts)
        try ProcessorStageTests.feed(first, items, limit: 100, commitEvery: 1)
        first.close()
        let resumed = try ProcessorStage(databasePath: path, pipeline: pipeline, alerts: alerts)
        try ProcessorStageTests.feed(resumed, items, from: 100, commitEvery: 1)
        resumed.close()
        let events = try ProcessorStageTests.rows(path, "SELECT event_id, type, created_at, event FROM alert_outbox")
        #expect(events.count == 1)
        let sessionId = try #require(try ProcessorStageTests.rows(path, "SELECT id FROM sessions").first?.first)
        #expect(events.first?[0] == "\(sessionId):session.cost_threshold")
        let event = try #require(events.first?[3])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any])
        #expect(object["at"] as? String == "2026-11-21T08:14:10.000Z")
        let session = try #require(object["session"] as? [String: Any])
        #expect(session["cost_total"] as? String == "2.00")
        #expect(session["cost_threshold"] as? String == "2.00")
        #expect(session["currency"] as? String == "EUR")
        #expect(session["tariff_id"] as? String == "tou")
    }

    /// Time to full from the SoC rate of the last 10 minutes (the session's `SoCRate`, as `near_complete` judges it):
    /// 50 % → 60 % in 10 minutes is 1 %/min, so 40 % to go is 40 minutes; no estimate without a rise.
    @Test func timeToFullFollowsTheRecentSoCRate() throws {
        var tracker = SessionTracker()
        let start = ProcessorStageTests.start
        func soc(_ minute: Int64, _ percent: Double) -> Reading {
            Reading(series: Series(site: "depot", charger: "CP-1", evse: 1, connector: 1, measurand: .soc),
                    timestamp: start + minute * 60_000, value: percent, decimals: 0, transactionId: "T-9")
        }
        tracker.process(TransactionEvent(origin: Origin(site: "depot", charger: "CP-1"), kind: .started, evse: 1,
                                         connector: 1, timestamp: start, transactionId: "T-9", meterStartWh: 0),
                        receivedAt: start)
        for minute in Int64(0)...20 { tracker.process(soc(minute, 40 + Double(minute)), receivedAt: start + minute * 60_000) }
        let record = try #require(tracker.openSessions.first)
        let trace = try #require(tracker.billingTrace(for: record)?.trace)
        #expect(record.timeToFullS == 2_400)
        let pricing = SessionPricing(catalog: TariffCatalog(), fleet: Fleet())
        let cost = pricing.cost(of: record, trace: trace, now: start + 20 * 60_000)
        #expect(cost.status == .noTariff)
        #expect(cost.timeToFullS == 2_400)

        for minute in Int64(21)...40 { tracker.process(soc(minute, 60), receivedAt: start + minute * 60_000) }
        let flat = try #require(tracker.openSessions.first)
        #expect(flat.timeToFullS == nil)
        #expect(pricing.cost(of: flat, trace: tracker.billingTrace(for: flat)?.trace, now: start + 40 * 60_000).timeToFullS == nil)
    }

    /// A session already written finalized with a cost is not priced again (later data only amends it); nor is one
    /// the tracker no longer holds once it has a cost.
    @Test func aFinalizedSessionIsNeverRepriced() throws {
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try ProcessorStageTests.pipeline(Self.tariffs))
        let record = ResultQueryTests.session("f-1", state: .finalized, startedAt: ProcessorStageTests.start)
        let first = try stage.price([record])
        #expect(first["f-1"]?.status == .priced)
        try stage.store.write(sessions: [record], costs: first, anomalies: [], intervals: [], stage: "test",
                              checkpoint: (1, []))
        #expect(try stage.price([record]).isEmpty)
        // A closed session the tracker no longer holds (no trace) keeps the cost it was written with.
        let closed = ResultQueryTests.session("c-1", state: .closed, startedAt: ProcessorStageTests.start)
        try stage.store.write(sessions: [closed], costs: try stage.price([closed]), anomalies: [], intervals: [],
                              stage: "test", checkpoint: (1, []))
        #expect(try stage.price([closed]).isEmpty)
        var amended = record
        amended.amended = 1
        amended.energyWh = 9_999
        try stage.store.write(sessions: [amended], costs: try stage.price([amended]), anomalies: [], intervals: [],
                              stage: "test", checkpoint: (2, []))
        stage.close()
        #expect(try ProcessorStageTests.rows(path, "SELECT amended, energy_wh, cost_status, cost_total FROM sessions WHERE id = 'f-1'")
            == [["1", "9999.0", "priced", first["f-1"]?.breakdown.map { $0.currency.text($0.totalInclVAT) } ?? "?"]])
    }

    /// `min_current` prices by the current summed over the phases: 0.50/kWh while the car draws at least 16 A,
    /// 0.30/kWh below. The fixture session draws 3 × 10.4 A (31.2 A) until 08:20Z, then 3 × 4 A (12 A).
    /// By hand: 2 400 Wh at 0.50 = 1.20, 2 400 Wh at 0.30 = 0.72; ENERGY 1.92 (one dimension, rounded once);
    /// VAT 19 % of 1.92 = 0.3648 → 0.36; total 2.28.
    @Test func aCurrentRestrictionSplitsWhereTheCurrentDrops() throws {
        let tariffs = """
            tariffs:
              default: amps
              definitions:
                - id: amps
                  currency: EUR
                  vat: 19
                  valid_from: 2026-01-01T00:00:00+01:00
                  elements:
                    - price_components:
                        - {type: ENERGY, price: 0.50}
                      restrictions: {min_current: 16}
                    - price_components:
                        - {type: ENERGY, price: 0.30}

            """
        let directory = try TemporaryDirectory(prefix: "billing")
        defer { directory.remove() }
        let path = directory.path + "/wattline.db"
        let stage = try ProcessorStage(databasePath: path, pipeline: try ProcessorStageTests.pipeline(tariffs))
        var items = ProcessorStageTests.items()
        for index in items.indices {
            guard var output = items[index].output, let register = output.readings.first else { continue }
            let amps = register.timestamp < ProcessorStageTests.start + 1_200_000 ? 10.4 : 4.0
            for phase in [Phase.l1, .l2, .l3] {
                output.readings.append(Reading(
                    series: Series(site: "depot", charger: "CP-1", evse: 1, connector: 1, measurand: .currentImport,
                                   phase: phase),
                    timestamp: register.timestamp, value: amps, decimals: 1, transactionId: "T-1"))
            }
            items[index].output = output
        }
        try ProcessorStageTests.feed(stage, items)
        stage.close()
        #expect(try ProcessorStageTests.rows(path, Self.costColumns)
            == [["amps", "EUR", "1.92", "0.00", "0.00", "0.00", "1.92", "0.36", "2.28", "priced", "NULL"]])
        let lines = try ProcessorStageTests.rows(path, """
            SELECT period_start, element, price, measured_volume FROM session_costs ORDER BY line
            """)
        #expect(Set(lines) == [["2026-11-21T08:00:00.000Z", "0", "0.5", "2400"],
                               ["2026-11-21T08:20:00.000Z", "1", "0.3", "2400"]])
    }
}
