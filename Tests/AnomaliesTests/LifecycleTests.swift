import Anomalies
import Foundation
import Pipeline
import Sessions
import Telemetry
import Testing

@Suite struct LifecycleTests {
    @Test func openedUpdatedResolvedWithStableId() {
        var h = Harness()
        h.feed([pwr(s(0), 13_000), pwr(s(10), 12_500), pwr(s(20), 14_000), pwr(s(30), 11_000)])
        // Back above within clear_after (1 min): the same anomaly goes on, no flapping.
        h.feed([pwr(s(50), 12_800), pwr(s(60), 10_000)])
        for k in stride(from: Int64(70), through: 130, by: 10) { h.feed(pwr(s(k), 10_000)) }
        let steps = h.of(.overpower)
        #expect(steps.map(\.kind) == [.opened, .updated, .resolved])
        let ids = Set(steps.map(\.anomaly.id))
        #expect(ids.count == 1)
        #expect(ids.first == Anomaly.makeId(kind: .overpower, site: "S1", charger: "CP-1", evse: 1, connector: 1,
                                            startedAt: s(0)))
        #expect(ids.first?.count == 16)
        #expect(steps[1].at == s(20) && steps[1].anomaly.value == 14_000 && steps[1].anomaly.count == 3)
        let resolved = steps[2].anomaly
        #expect(resolved.startedAt == s(0) && resolved.resolvedAt == s(60) && steps[2].at == s(120))
        #expect(resolved.count == 4 && resolved.value == 14_000 && resolved.lastValue == 12_800)
        #expect(resolved.message == "charger CP-1 EVSE 1: power 14000 W above the limit of 12100 W (4 observations)")
        #expect(h.detector.openAnomalies.isEmpty)
    }

    @Test func deduplicatedPerChargerEVSEAndKind() {
        var h = Harness()
        let evse2 = Reading(series: Series(site: site, charger: "CP-1", evse: 2, connector: 1,
                                           measurand: .powerActiveImport),
                            timestamp: s(0), value: 0, decimals: 0)
        h.feed([pwr(s(0), 13_000), pwr(s(10), 13_000), pwr(s(0), 13_000, charger: "CP-2")])
        var e = evse2
        e.value = 500
        h.feed(e)
        h.feed(status(s(5), .faulted, evse: 2, errorCode: "OverCurrentFailure"))
        h.feed(status(s(6), .faulted, evse: 2, errorCode: "OverCurrentFailure"))
        let opened = h.out.filter { $0.kind == .opened }.map(\.anomaly)
        #expect(opened.count == 3)
        #expect(Set(opened.map(\.id)).count == 3)
        #expect(h.detector.openAnomalies.count == 3)
        let fault = h.detector.openAnomalies.first { $0.kind == .fault }
        #expect(fault?.evse == 2 && fault?.count == 2 && fault?.detail == "OverCurrentFailure")
    }

    @Test func updatesAreRateLimited() {
        var h = Harness { $0.updateIntervalMs = 60_000 }
        for (k, w) in [(0, 13_000.0), (10, 13_100), (20, 13_200), (70, 13_300), (80, 13_400)] {
            h.feed(pwr(s(Int64(k)), w))
        }
        #expect(h.of(.overpower).map(\.kind) == [.opened, .updated])
        #expect(h.of(.overpower).last?.at == s(70))
        // The pending worsening (13400 W) goes out on a tick once the interval passed.
        h.advance(to: s(131))
        #expect(h.of(.overpower).map(\.kind) == [.opened, .updated, .updated])
        #expect(h.of(.overpower).last?.anomaly.value == 13_400)
    }

    @Test func sessionIdAttached() {
        var h = Harness()
        h.feed(SessionEvent(kind: .started, sessionId: "0123456789abcdef", site: site, charger: "CP-1", evse: 1,
                            at: s(0)))
        h.feed(pwr(s(10), 13_000))
        #expect(h.kinds(.opened, .overpower).first?.sessionId == "0123456789abcdef")
        h.feed(SessionEvent(kind: .ended, sessionId: "0123456789abcdef", site: site, charger: "CP-1", evse: 1,
                            at: s(20), figures: SessionFigures(reason: "unplugged")))
        h.feed(pwr(s(30), 10), )
        h.feed(status(s(40), .faulted))
        #expect(h.kinds(.opened, .fault).first?.sessionId == nil)
    }

    @Test func disabledRuleNeverFires() {
        var h = Harness { $0.overpower.enabled = false }
        h.feed([pwr(s(0), 20_000), pwr(s(10), 20_000)])
        #expect(h.of(.overpower).isEmpty)
        var off = Harness { $0.enabled = false }
        off.feed([pwr(s(0), 20_000), reg(s(0), 10), reg(s(10), 5)])
        #expect(off.out.isEmpty)
    }

    @Test func irrelevantReadingsAreDismissed() {
        var h = Harness()
        h.feed(reading(.temperature, s(0), 40))
        h.feed(reading(.frequency, s(0), 50))
        h.feed(reading(.powerActiveImport, s(0), 1, location: .ev))
        #expect(h.detector.counters.dismissed == 3 && h.detector.counters.readings == 3)
    }
}

@Suite struct ConfigurationTests {
    let header = """
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
        processors:
          power_levels:
            interval: 15m
          anomalies:
            update_interval: 1m
            overpower:
              tolerance: 0.2
              for: 30s
              severity: critical
            telemetry_gap:
              after: 10m
            bay_blocked:
              enabled: false
              after: 45m
            phase_imbalance:
              limit_kva: 4.6
            clock_skew:
              threshold: 5m

        """

    @Test func readsSettingsOverDefaults() throws {
        let pipeline = try PipelineDefinition.load(yaml: header, fileName: "Pipelines/depot.yaml")
        let c = try AnomalyConfiguration.read(pipeline)
        #expect(c.updateIntervalMs == 60_000)
        #expect(c.overpower.tolerance == 0.2 && c.overpower.forMs == 30_000 && c.overpower.severity == .critical)
        #expect(c.telemetryGap.afterMs == 600_000)
        #expect(c.bayBlocked.enabled == false && c.bayBlocked.afterMs == 2_700_000)
        #expect(c.phaseImbalance.limitKVA == 4.6)
        #expect(c.clockSkew.thresholdMs == 300_000)
        #expect(c.meterStuck == AnomalyConfiguration.MeterStuck())
    }

    @Test func noSectionGivesDefaults() throws {
        let pipeline = try PipelineDefinition.load(yaml: """
            topics:
              - template: ocpp/{charger}/in
                format: ocpp-j
            """, fileName: "p.yaml")
        #expect(try AnomalyConfiguration.read(pipeline) == AnomalyConfiguration())
    }

    @Test func typoReportedWithItsLine() throws {
        let yaml = header + """
                charging_stalled:
                  treshold_w: 50
                  for: 5
                soc_jmp:
                  threshold: 5
                fault:
                  severity: fatal
            """
        let pipeline = try PipelineDefinition.load(yaml: yaml, fileName: "Pipelines/depot.yaml")
        #expect(throws: PipelineError.self) { try AnomalyConfiguration.read(pipeline) }
        do {
            _ = try AnomalyConfiguration.read(pipeline)
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines == [
                "Pipelines/depot.yaml:23: unknown key 'treshold_w' (did you mean 'threshold_w'?)",
                "Pipelines/depot.yaml:24: processors.anomalies.charging_stalled.for: expected a duration such as 30s, 5m, 1h or 1d, found '5'",
                "Pipelines/depot.yaml:25: unknown key 'soc_jmp' (did you mean 'soc_jump'?)",
                "Pipelines/depot.yaml:28: processors.anomalies.fault.severity: unknown value 'fatal'; expected one of: info, warning, critical",
            ])
        }
    }
}

@Suite struct SnapshotTests {
    /// A stream that exercises every rule on several chargers.
    static func stream() -> [(Int64, (inout AnomalyDetector) -> Void)] {
        var steps: [(Int64, (inout AnomalyDetector) -> Void)] = []
        func add(_ r: Int64, _ f: @escaping (inout AnomalyDetector) -> Void) { steps.append((r, f)) }
        for k in stride(from: Int64(0), through: 3_600, by: 10) {
            let t = s(k)
            let r = t + 150
            add(r) { d in
                d.process(reg(t, (10_000 + 7_000 * Double(k) / 3_600).rounded(.down) - (k == 1_200 ? 500 : 0)),
                          receivedAt: r)
                d.process(pwr(t, k == 2_300 ? 30_000 : (k > 1_500 && k < 1_850 ? 0 : 7_000)), receivedAt: r)
                d.process(reading(.voltage, t, k < 600 ? 200 : 230, phase: .l1n), receivedAt: r)
                d.process(reading(.soc, t, 20 + Double(k) / 100 + (k == 900 ? 30 : 0), location: .ev), receivedAt: r)
                d.process(reading(.currentImport, t - 200_000, 32, charger: "CP-2", phase: .l1), receivedAt: r)
                d.process(reg(t - 200_000, 5_000, charger: "CP-2"), receivedAt: r)
                d.process(pwr(t - 200_000, 7_000, charger: "CP-2"), receivedAt: r)
                d.noteSiteLoad(site: "S1", loadW: k > 2_400 && k < 2_700 ? 30_000 : 14_000, at: t)
                d.noteBrokerDropped(total: UInt64(k / 1_000), receivedAt: r)
            }
            if k == 1_500 { add(r) { d in d.process(status(t, .charging), receivedAt: r) } }
            if k == 1_900 { add(r) { d in d.process(status(t, .faulted, errorCode: "HighTemperature"), receivedAt: r) } }
            if k == 2_100 {
                add(r) { d in
                    d.process(status(t, .suspendedEV), receivedAt: r)
                    d.process(SessionEvent(kind: .chargingComplete, sessionId: "s1", site: site, charger: "CP-1",
                                           evse: 1, at: t, figures: SessionFigures(chargingEndedAt: t - 1_700_000)))
                }
            }
            if k % 30 == 0 { add(r) { d in d.advance(to: r) } }
        }
        add(s(3_700)) { d in d.process(status(s(3_650), .available), receivedAt: s(3_700)) }
        add(s(5_000)) { d in d.advance(to: s(5_000)) }
        return steps
    }

    func run(restartAt split: Int?) throws -> ([AnomalyTransition], [Anomaly], AnomalyCounters) {
        var d = AnomalyDetector(configuration: AnomalyConfiguration(), fleet: testFleet())
        var out: [AnomalyTransition] = []
        for (n, step) in Self.stream().enumerated() {
            if n == split {
                let data = try JSONEncoder().encode(d)
                d = try JSONDecoder().decode(AnomalyDetector.self, from: data)
            }
            step.1(&d)
            out += d.drainTransitions()
        }
        return (out, d.openAnomalies, d.counters)
    }

    @Test func restoreGivesIdenticalResults() throws {
        let reference = try run(restartAt: nil)
        let kinds = Set(reference.0.map(\.anomaly.kind))
        #expect(kinds.isSuperset(of: [.meterRegression, .voltageOutOfRange, .socJump, .overpower, .powerSpike,
                                      .chargingStalled, .fault, .bayBlocked, .phaseImbalance, .siteOverload,
                                      .clockSkew, .brokerDrops]), "\(kinds)")
        let count = Self.stream().count
        for split in [1, count / 5, count / 3, count / 2, 2 * count / 3, count - 2] {
            let resumed = try run(restartAt: split)
            #expect(resumed.0 == reference.0, "split \(split)")
            #expect(resumed.1 == reference.1, "split \(split)")
            #expect(resumed.2 == reference.2, "split \(split)")
        }
    }
}

/// `reconfigure` after a restore: the new settings count from then on, a changed window restarts its baseline
/// (the ring buffers are sized by it), and a newly declared charger is watched for silence.
@Suite struct ReconfigureTests {
    func restored(_ h: Harness) throws -> AnomalyDetector {
        try JSONDecoder().decode(AnomalyDetector.self, from: JSONEncoder().encode(h.detector))
    }

    @Test func aLargerSpikeWindowRestartsTheBaselineAndStillFires() throws {
        var h = Harness()
        for k in stride(from: Int64(0), to: 400, by: 10) { h.feed(pwr(s(k), k % 20 == 0 ? 6_950 : 7_050)) }
        var configuration = h.detector.configuration
        configuration.powerSpike.window = 64
        h.detector = try restored(h)
        h.detector.reconfigure(configuration: configuration, fleet: testFleet())
        // The baseline starts over: a jump right after the restart is not judged yet (too few samples) ...
        h.feed(pwr(s(400), 15_000))
        #expect(h.of(.powerSpike).isEmpty)
        // ... and, once the 64-sample window has its minimum again, a spike fires as before.
        for k in stride(from: Int64(410), to: 1_100, by: 10) { h.feed(pwr(s(k), k % 20 == 0 ? 6_950 : 7_050)) }
        h.feed(pwr(s(1_100), 15_000))
        h.feed(pwr(s(1_110), 7_000))
        #expect(h.kinds(.opened, .powerSpike).count == 1)
        #expect(h.kinds(.opened, .powerSpike).first?.startedAt == s(1_100))
    }

    @Test func aNewlyDeclaredChargerIsWatchedForSilenceAndRatingsChange() throws {
        var h = Harness()
        h.advance(to: s(0))
        h.feed(pwr(s(10), 9_000))
        let old = testFleet()
        let fleet = Fleet(sites: old.sites, chargers: [
            Charger(id: "CP-1", site: "S1", offlineAfter: .seconds(120), evses: [
                EVSE(id: 1, connectors: [Connector(id: 1, standard: .type2, powerType: .ac3Phase, ratedPowerKW: 7.4)]),
            ]),
            Charger(id: "CP-NEW", site: "S2", offlineAfter: .seconds(60), evses: [
                EVSE(id: 1, connectors: [Connector(id: 1, standard: .type2, powerType: .ac3Phase, ratedPowerKW: 11)]),
            ]),
        ] + old.chargers.dropFirst())
        h.detector = try restored(h)
        h.detector.reconfigure(configuration: h.detector.configuration, fleet: fleet)
        h.feed(pwr(s(20), 9_000))
        h.feed(pwr(s(30), 9_000))
        #expect(h.kinds(.opened, .overpower).first?.threshold == 7_400 * 1.1, "CP-1 re-rated to 7.4 kW")
        h.advance(to: s(200))
        #expect(h.kinds(.opened, .telemetryGap).contains { $0.charger == "CP-NEW" })
    }

    /// A declared charger that was never heard from and is taken out of the fleet: the silence anomaly it had
    /// open resolves (nothing could ever end it otherwise); one still declared stays open.
    @Test func aChargerTakenOutOfTheFleetEndsItsSilence() throws {
        var h = Harness()
        h.advance(to: s(0))
        h.advance(to: s(3_600))
        let open = Set(h.kinds(.opened, .telemetryGap).compactMap(\.charger))
        #expect(open.isSuperset(of: ["CP-2", "DC-1"]))
        let old = testFleet()
        let fleet = Fleet(sites: old.sites, chargers: old.chargers.filter { $0.id != "CP-2" })
        h.detector = try restored(h)
        h.detector.reconfigure(configuration: h.detector.configuration, fleet: fleet)
        h.out += h.detector.drainTransitions()
        #expect(h.kinds(.resolved, .telemetryGap).map(\.charger) == ["CP-2"])
        h.advance(to: s(7_200))
        #expect(h.kinds(.opened, .telemetryGap).filter { $0.charger == "CP-2" }.count == 1, "not opened again")
        #expect(h.detector.openAnomalies.contains { $0.kind == .telemetryGap && $0.charger == "DC-1" })
    }
}
