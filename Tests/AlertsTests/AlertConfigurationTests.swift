import Foundation
import MosquittoTestSupport
import Anomalies
import Pipeline
import Testing
@testable import Alerts

/// The pipeline's `alerts:` section: hooks resolved against the pipeline file, events, filters, every problem
/// with its line.
@Suite struct AlertConfigurationTests {
    static let topics = """
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j

        """

    static func load(_ yaml: String, in dir: TemporaryDirectory) throws(PipelineError) -> AlertConfiguration {
        let file = dir.path + "/pipeline.yaml"
        _ = try? dir.write(Array((topics + yaml).utf8), to: file)
        return try AlertConfiguration.read(try PipelineDefinition.load(path: file))
    }

    @Test func hooksAreReadWithTheirSettingsAndPathsRelativeToThePipeline() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts-config")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/hooks", withIntermediateDirectories: true)
        try dir.script("hooks/page.sh", "exit 0")
        let configuration = try Self.load("""
            alerts:
              outbox_quota: 500
              hooks:
                - name: pager
                  run: [hooks/page.sh, --urgent]
                  on:
                    - anomaly.opened:fault
                    - anomaly.resolved
                    - session.ended
                  min_severity: warning
                  sites: [DEPOT]
                  timeout: 5s
                  concurrency: 2
                  retries: 5
                  backoff: 2s
                  max_backoff: 1m
                  batch: 10
                  rate_limit: {events: 3, per: 10m}
            """, in: dir)
        #expect(configuration.outboxQuota == 500)
        let hook = try #require(configuration.hooks.first)
        #expect(hook.name == "pager")
        #expect(hook.command == [dir.path + "/hooks/page.sh", "--urgent"])
        #expect(hook.timeoutMs == 5_000 && hook.concurrency == 2 && hook.retries == 5 && hook.batch == 10)
        #expect(hook.backoff(afterAttempt: 1) == 2_000 && hook.backoff(afterAttempt: 3) == 8_000 && hook.backoff(afterAttempt: 9) == 60_000)
        #expect(hook.rateLimit == RateLimit(events: 3, perMs: 600_000))

        func event(_ type: String, kind: String = "fault", severity: AnomalySeverityText = .critical, site: String = "DEPOT") -> AlertEvent {
            AlertEvent(id: "x", type: type, kind: kind, severity: severity.value, site: site, charger: "CP-1", at: 0, message: "")
        }
        #expect(hook.accepts(event("anomaly.opened")))
        #expect(!hook.accepts(event("anomaly.opened", kind: "meter_stuck")))
        #expect(hook.accepts(event("anomaly.resolved", kind: "meter_stuck")))
        #expect(!hook.accepts(event("anomaly.resolved", kind: "meter_stuck", severity: .info)))
        #expect(!hook.accepts(event("anomaly.updated")))
        #expect(hook.accepts(event("session.ended", kind: "ended", severity: .info)))
        #expect(!hook.accepts(event("session.ended", kind: "ended", severity: .info, site: "HIGHWAY")))
    }

    @Test func everyProblemIsReportedWithItsLine() throws {
        let dir = try TemporaryDirectory(prefix: "wattline-alerts-config")
        defer { dir.remove() }
        try dir.write(Array("#!/bin/sh\n".utf8), to: "not-executable.sh")
        do {
            _ = try Self.load("""
                alerts:
                  hooks:
                    - run: missing.sh
                      on: [anomaly.opend]
                    - run: not-executable.sh
                      on: [session.ended:fault]
                """, in: dir)
            Issue.record("the pipeline loaded")
        } catch {
            let text = error.description
            #expect(text.contains("pipeline.yaml:6: alerts.hooks[0].run"), "\(text)")  // missing.sh
            #expect(text.contains("anomaly.opened"), "\(text)")  // did you mean
            #expect(text.contains("is not executable"), "\(text)")
            #expect(text.contains("only anomaly events can be narrowed"), "\(text)")
        }
    }
}

/// Severities by name, so the test reads as the pipeline does.
enum AnomalySeverityText {
    case info, warning, critical
    var value: AnomalySeverity {
        switch self {
        case .info: .info
        case .warning: .warning
        case .critical: .critical
        }
    }
}
