import Pipeline
import Testing

@Suite struct TopicFilterTests {
    @Test(arguments: [
        ("ocpp/+/in", "ocpp/CP-1/in", true), ("ocpp/+/in", "ocpp/CP-1/out", false), ("ocpp/#", "ocpp/a/b/c", true),
        ("#", "wattline/w/status", true), ("+/+/status", "wattline/w/status", true), ("+", "a/b", false),
        ("a/+", "a", false), ("a/#", "a", true), ("#", "$SYS/broker/uptime", false), ("$SYS/#", "$SYS/broker/uptime", true),
        ("$share/g/ocpp/+/in", "ocpp/x/in", true), ("a//b", "a//b", true), ("a/+/b", "a//b", true),
    ])
    func matchesAsABrokerDoes(filter: String, topic: String, expected: Bool) {
        #expect(TopicFilter.matches(filter: filter, topic: topic) == expected)
    }

    @Test func anAvailabilityTopicInsideTheInputIsRefused() throws {
        let yaml = """
        broker:
          url: mqtt://127.0.0.1:1883
          availability_topic: ocpp/wattline/in
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
        """
        #expect(throws: PipelineError.self) { try PipelineDefinition.load(yaml: yaml, fileName: "p.yaml", environment: [:]) }
        do {
            _ = try PipelineDefinition.load(yaml: yaml, fileName: "p.yaml", environment: [:])
        } catch {
            #expect(error.description.contains("p.yaml:3:"), "\(error)")
            #expect(error.description.contains("would read its own status"))
        }
    }
}
