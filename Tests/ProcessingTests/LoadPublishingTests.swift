import Pipeline
import Testing
@testable import Processing

@Suite struct LoadPublishingTests {
    static func pipeline(_ processors: String) throws -> PipelineDefinition {
        try PipelineDefinition.load(yaml: """
            broker:
              url: mqtt://127.0.0.1:1883
            topics:
              - template: ev/{site}/{charger}/{connector}/{stream}
                format: compact
            \(processors)
            """, fileName: "test.yaml", environment: [:])
    }

    @Test func readsTheTopicAndInterval() throws {
        let publishing = try LoadPublishing.read(Self.pipeline("processors:\n  load:\n    publish_topic: dash/{site}/load\n    interval: 30s"))
        #expect(publishing == LoadPublishing(topicTemplate: "dash/{site}/load", interval: 30_000))
        #expect(publishing?.topic(site: "depot") == "dash/depot/load")
        #expect(try LoadPublishing.read(Self.pipeline("")) == nil)
    }

    /// A topic Wattline's own input would match is refused with its line, as are unknown keys under `processors`.
    @Test func refusesTopicsItWouldReadItself() throws {
        let loop = try Self.pipeline("processors:\n  load:\n    publish_topic: ev/{site}/all/0/load")
        let error = try #require(throws: PipelineError.self) { try LoadPublishing.read(loop) }
        #expect(error.description.contains("test.yaml:8") && error.description.contains("would read its own load"))
        let typo = try Self.pipeline("processors:\n  laod:\n    publish_topic: dash/{site}")
        let unknown = try #require(throws: PipelineError.self) { try LoadPublishing.read(typo) }
        #expect(unknown.description.contains("laod"))
    }
}
