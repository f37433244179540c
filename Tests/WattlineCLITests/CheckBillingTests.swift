import Foundation
import MosquittoTestSupport
import Testing

/// `wattline check` on the billing parts of a pipeline: tariff problems with file and line, and a session progress
/// prefix that Wattline's own input would read back.
@Suite struct CheckBillingTests {
    static let head = """
        broker:
          url: mqtt://127.0.0.1:1883
        topics:
          - template: ev/{site}/{charger}/{connector}/{stream}
            format: compact

        """

    /// A pipeline whose sessions publish under `prefix`.
    static func publishing(_ prefix: String, _ more: String = "") -> String {
        head + "processors:\n  sessions:\n    publish: {topic_prefix: \(prefix), interval: 5s}\n" + more
    }

    static func check(_ yaml: String) throws -> WattlineProcess.Result {
        let directory = try TemporaryDirectory(prefix: "wattline-check")
        defer { directory.remove() }
        let path = try directory.write(yaml, to: "billing.yaml")
        return try WattlineProcess.run(["check", path])
    }

    @Test func aSessionPrefixThatInputFiltersMatchIsRefused() throws {
        let result = try Self.check(Self.publishing("ev"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("billing.yaml:8:"), "\(result.stderr)")
        #expect(result.stderr.contains("'ev' matches the input filter 'ev/+/+/+/+' of topics[0]: Wattline would read its own session progress messages"),
                "\(result.stderr)")
    }

    @Test func aSessionPrefixOutsideTheInputIsAccepted() throws {
        let result = try Self.check(Self.publishing("dash/sessions", "    cost_threshold: 25.00\n"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("publish  session progress on dash/sessions/{site}/{charger}/{evse}/session (QoS 1)"),
                "\(result.stdout)")
    }

    @Test func tariffProblemsAreReportedWithFileAndLine() throws {
        let result = try Self.check(Self.head + """
            tariffs:
              definitions:
                - id: standard
                  currency: EUR
                  elements:
                    - price_components:
                        - {type: ENERGY, pirce: 0.39}
            """)
        #expect(result.status == 1)
        #expect(result.stderr.contains("billing.yaml:12:"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown key 'pirce' (did you mean 'price'?)"), "\(result.stderr)")
    }
}
