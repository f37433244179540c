import Testing
import Telemetry

@testable import Pipeline

@Suite struct TopicRoutesTests {
    static let yaml = """
        broker:
          url: mqtt://127.0.0.1:1883
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
          - template: ev/{site}/{charger}/{connector}/{stream}
            format: compact
        """

    func answer(_ body: () throws(DecodeError) -> MessageSource) -> Result<MessageSource, DecodeError> {
        Result { () throws(DecodeError) in try body() }
    }

    @Test func remembersTheSameAnswersAsThePipeline() throws {
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "routes.yaml", environment: [:])
        let routes = TopicRoutes(pipeline: pipeline)
        let topics = ["ocpp/CP-1/in", "ev/depot/CP-2/1/power", "nowhere/CP-3", "ocpp/CP-1/in", "ocpp/bad id/in",
                      "nowhere/CP-3", "ev/depot/CP-2/1/power"]
        for topic in topics {
            let cached = answer { () throws(DecodeError) in try routes.source(forTopic: topic) }
            let direct = answer { () throws(DecodeError) in try pipeline.source(forTopic: topic) }
            #expect(cached == direct, "\(topic)")
        }
        // Rejections are remembered with their reason, and each topic is matched once.
        guard case .failure(let error) = answer({ () throws(DecodeError) in try routes.source(forTopic: "nowhere/CP-3") })
        else { Issue.record("an unmatched topic was routed"); return }
        #expect(error.reason == .unmatchedTopic)
        #expect(routes.count == 4)
    }

    /// "K" and the Kelvin sign (U+212A) are equal Strings; routing checks identifiers byte by byte, so each topic
    /// keeps its own answer whichever came first.
    @Test func canonicallyEqualTopicsWithOtherBytesAreRoutedApart() throws {
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "routes.yaml", environment: [:])
        let plain = "ocpp/CP-K1/in", kelvin = "ocpp/CP-\u{212A}1/in"
        #expect(plain == kelvin)
        for order in [[plain, kelvin], [kelvin, plain]] {
            let routes = TopicRoutes(pipeline: pipeline)
            for topic in order + order {
                let cached = answer { () throws(DecodeError) in try routes.source(forTopic: topic) }
                let direct = answer { () throws(DecodeError) in try pipeline.source(forTopic: topic) }
                #expect(cached == direct, "\(Array(topic.utf8))")
            }
            #expect(try routes.source(forTopic: plain).origin.charger == "CP-K1")
            guard case .failure(let error) = answer({ () throws(DecodeError) in try routes.source(forTopic: kelvin) })
            else { Issue.record("the Kelvin sign passed as an identifier"); continue }
            #expect(error.reason == .invalidIdentifier)
        }
    }

    /// Topics whose hashes collide (here all of them) keep their own answers: the first one keeps the entry, the
    /// others are routed each time.
    @Test func topicsWithTheSameHashKeepTheirOwnAnswers() throws {
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "routes.yaml", environment: [:])
        let routes = TopicRoutes(pipeline: pipeline, capacity: 100, hash: { _ in 7 })
        let topics = ["ocpp/CP-1/in", "ev/depot/CP-2/1/power", "nowhere/CP-3", "ocpp/CP-4/in"]
        for topic in topics + topics.reversed() {
            let cached = answer { () throws(DecodeError) in try routes.source(forTopic: topic) }
            let direct = answer { () throws(DecodeError) in try pipeline.source(forTopic: topic) }
            #expect(cached == direct, "\(topic)")
        }
        #expect(try routes.source(forTopic: "ocpp/CP-4/in").origin.charger == "CP-4")
        #expect(routes.count == 1)
    }

    /// A topic read from the log is bytes: known bytes give back the remembered String and answer; bytes that are
    /// not UTF-8 are routed (and refused) each time, never remembered under the repaired String's bytes.
    @Test func topicBytesGiveTheRememberedTopicAndAnswer() throws {
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "routes.yaml", environment: [:])
        let routes = TopicRoutes(pipeline: pipeline)
        for topic in ["ocpp/CP-1/in", "ev/depot/CP-2/1/power", "nowhere/CP-3"] {
            let byString = routes.routed(topic: topic)
            let byBytes = Array(topic.utf8).withUnsafeBytes { routes.routed(topicBytes: $0) }
            #expect(byBytes.topic == topic && byString.topic == topic)
            #expect(byBytes.route == answer { () throws(DecodeError) in try pipeline.source(forTopic: topic) })
        }
        #expect(routes.count == 3)
        let invalid: [UInt8] = Array("ocpp/CP-".utf8) + [0xFF] + Array("/in".utf8)
        for _ in 0..<2 {
            let routed = invalid.withUnsafeBytes { routes.routed(topicBytes: $0) }
            #expect(routed.topic == "ocpp/CP-\u{FFFD}/in")
            guard case .failure = routed.route else { Issue.record("a topic that is not UTF-8 was routed"); continue }
        }
        #expect(routes.count == 3)
    }

    @Test func startsOverPastItsCapacity() throws {
        let pipeline = try PipelineDefinition.load(yaml: Self.yaml, fileName: "routes.yaml", environment: [:])
        let routes = TopicRoutes(pipeline: pipeline, capacity: 3)
        for n in 0..<10 {
            let source = try routes.source(forTopic: "ocpp/CP-\(n)/in")
            #expect(source.origin.charger == "CP-\(n)")
            #expect(routes.count <= 3)
        }
        #expect(try routes.source(forTopic: "ocpp/CP-9/in").origin.charger == "CP-9")
    }
}
