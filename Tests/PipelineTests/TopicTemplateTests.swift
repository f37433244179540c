import Telemetry
import Testing

@testable import Pipeline

@Suite("Topic templates")
struct TopicTemplateTests {
    @Test(arguments: [
        ("ocpp/{charger}/in", "ocpp/+/in"),
        ("everest-{charger}/modules/{module}/impl/{impl}/var/powermeter", "+/modules/+/impl/+/var/powermeter"),
        ("site/{site}/{charger}/#", "site/+/+/#"),
        ("$share/wattline/ocpp/{charger}/in", "$share/wattline/ocpp/+/in"),
        ("{charger}.meter/{_}/data", "+/+/data"),
        ("ev/{site}/{charger}/{connector}/{stream}", "ev/+/+/+/+"),
    ])
    func compilesToASubscriptionFilter(template: String, filter: String) throws {
        #expect(try TopicTemplate(template, format: .auto).filter == filter)
    }

    @Test func capturesEveryVariable() throws {
        let template = try TopicTemplate(
            "ev/{site}/{charger}/{evse}/{connector}/{stream}/{action}", format: .compact, direction: .backend, index: 3)
        let match = try #require(try template.match(topic: "ev/depot/CP-1/2/1/power/MeterValues"))
        #expect(match == TopicMatch(
            templateIndex: 3, format: .compact, direction: .backend, charger: "CP-1", site: "depot", evse: 2,
            connector: 1, action: "MeterValues", stream: "power"))
    }

    @Test func partialSegmentsMatchPrefixAndSuffix() throws {
        let everest = try TopicTemplate(
            "everest-{charger}/modules/{module}/impl/{impl}/var/powermeter", format: .everest)
        let match = try #require(try everest.match(topic: "everest-CP-DEPOT-03/modules/powermeter_1/impl/main/var/powermeter"))
        #expect(match.charger == "CP-DEPOT-03")
        #expect(match.module == "powermeter_1")
        #expect(match.impl == "main")
        // The filter `+/modules/...` delivers other prefixes too; the matcher refuses them.
        #expect(try everest.match(topic: "everest/modules/powermeter_1/impl/main/var/powermeter") == nil)
        #expect(try everest.match(topic: "other-CP-1/modules/powermeter_1/impl/main/var/powermeter") == nil)

        let suffixed = try TopicTemplate("{charger}.meter/data", format: .compact)
        #expect(try suffixed.match(topic: "CP-7.meter/data")?.charger == "CP-7")
        #expect(try suffixed.match(topic: "CP-7.metre/data") == nil)
    }

    @Test func finalHashMatchesAnyDepthIncludingNone() throws {
        let template = try TopicTemplate("site/{site}/{charger}/#", format: .auto)
        #expect(try template.match(topic: "site/depot/CP-1")?.charger == "CP-1")
        #expect(try template.match(topic: "site/depot/CP-1/a/b/c")?.site == "depot")
        #expect(try template.match(topic: "site/depot") == nil)
    }

    @Test(arguments: ["ocpp/CP-1", "ocpp/CP-1/in/extra", "ocpp/CP-1/inn", "OCPP/CP-1/in", "", "ocpp//in/", "ocpp/CP-1/in/"])
    func topicsOfAnotherShapeDoNotMatch(topic: String) throws {
        let template = try TopicTemplate("ocpp/{charger}/in", format: .ocppJ)
        #expect(try template.match(topic: topic) == nil)
    }

    @Test(arguments: [
        ("ocpp/../in", IdentifierError.Problem.badFirstCharacter(UInt8(ascii: "."))),
        ("ocpp/CP$(reboot)/in", .invalidCharacter(UInt8(ascii: "$"), offset: 2)),
        ("ocpp/CP;rm -rf ~/in", .invalidCharacter(UInt8(ascii: ";"), offset: 2)),
        ("ocpp/CP..%2F..%2Fetc/in", .invalidCharacter(UInt8(ascii: "%"), offset: 4)),
        ("ocpp/" + String(repeating: "A", count: 65) + "/in", .tooLong(65)),
        ("ocpp//in", .empty),
    ])
    func refusesBadChargerIdsWithTheReason(topic: String, problem: IdentifierError.Problem) throws {
        let router = TopicRouter(templates: [try TopicTemplate("ocpp/{charger}/in", format: .ocppJ)])
        let error = try #require(throws: TopicMatchError.self) { try router.match(topic: topic) }
        #expect(error.variable == .charger)
        #expect(error.problem == .invalidIdentifier(IdentifierError(kind: .charger, problem: problem)))
        #expect(error.description.hasPrefix("topic matches topics[0] 'ocpp/{charger}/in', but charger id"))
    }

    @Test func acceptsAChargerIdOfExactly64Bytes() throws {
        let template = try TopicTemplate("ocpp/{charger}/in", format: .ocppJ)
        let id = String(repeating: "A", count: 64)
        #expect(try template.match(topic: "ocpp/\(id)/in")?.charger == id)
    }

    @Test func refusesABadIdInsideAPartialSegment() throws {
        let template = try TopicTemplate("everest-{charger}/modules/{module}/impl/{impl}/var/powermeter", format: .everest)
        let error = try #require(throws: TopicMatchError.self) {
            try template.match(topic: "everest-../modules/pm/impl/main/var/powermeter")
        }
        #expect(error.problem == .invalidIdentifier(IdentifierError(kind: .charger, problem: .badFirstCharacter(0x2E))))
    }

    @Test(arguments: [
        ("ev/depot/CP-1/x/power", TopicVariable.connector, TopicMatchError.Problem.notAnInteger("x")),
        ("ev/depot/CP-1/1000/power", .connector, .outOfRange(1000)),
        ("ev/depot/CP-1/-1/power", .connector, .notAnInteger("-1")),
        ("ev/de pot/CP-1/1/power", .site, .invalidIdentifier(IdentifierError(kind: .site, problem: .invalidCharacter(0x20, offset: 2)))),
    ])
    func refusesBadSitesAndConnectors(topic: String, variable: TopicVariable, problem: TopicMatchError.Problem) throws {
        let template = try TopicTemplate("ev/{site}/{charger}/{connector}/{stream}", format: .compact)
        let error = try #require(throws: TopicMatchError.self) { try template.match(topic: topic) }
        #expect(error.variable == variable)
        #expect(error.problem == problem)
    }

    @Test func evseMustBeAValidIdAndANumber() throws {
        let template = try TopicTemplate("x/{charger}/{evse}", format: .auto)
        #expect(try template.match(topic: "x/CP-1/999")?.evse == 999)
        #expect(try template.match(topic: "x/CP-1/0")?.evse == 0)
        let traversal = try #require(throws: TopicMatchError.self) { try template.match(topic: "x/CP-1/..") }
        #expect(traversal.problem == .invalidIdentifier(IdentifierError(kind: .evse, problem: .badFirstCharacter(0x2E))))
        let word = try #require(throws: TopicMatchError.self) { try template.match(topic: "x/CP-1/main") }
        #expect(word.problem == .notAnInteger("main"))
        #expect(word.description == "topic matches topics[0] 'x/{charger}/{evse}', but evse must be an integer 0...999, found 'main'")
    }

    @Test func controlCharactersInNamesAreRefusedAndShownEscaped() throws {
        let template = try TopicTemplate("ocpp/{charger}/{action}", format: .ocppJ)
        let error = try #require(throws: TopicMatchError.self) { try template.match(topic: "ocpp/CP-1/Meter\u{1B}Values") }
        #expect(error.problem == .invalidName("Meter\\x1BValues"))
    }

    @Test func firstMatchingTemplateWins() throws {
        let router = TopicRouter(templates: [
            try TopicTemplate("ocpp/{charger}/in", format: .ocpp16, index: 0),
            try TopicTemplate("ocpp/{charger}/{action}", format: .ocpp201, index: 1),
        ])
        let specific = try #require(try router.match(topic: "ocpp/CP-1/in"))
        #expect(specific.templateIndex == 0)
        #expect(specific.format == .ocpp16)
        #expect(specific.action == nil)
        let general = try #require(try router.match(topic: "ocpp/CP-1/MeterValues"))
        #expect(general.templateIndex == 1)
        #expect(general.action == "MeterValues")
        #expect(try router.match(topic: "ocpp/CP-1") == nil)
    }

    @Test(arguments: [
        ("ocpp/+/in", TopicTemplateError.wildcard("+")),
        ("ocpp/#/in", .wildcard("#")),
        ("ocpp/in", .missingCharger),
        ("ocpp/{site}/{_}", .missingCharger),
        ("ocpp/{charger}/{charger}", .repeatedVariable(.charger)),
        ("ocpp/{charger}-{evse}", .twoVariablesInSegment("{charger}-{evse}")),
        ("ocpp/{charger/in", .malformedVariable("{charger")),
        ("ocpp/{}/{charger}", .malformedVariable("{}")),
        ("ocpp/{chargers}/in", .unknownVariable("chargers", suggestion: "charger")),
        ("$share/ocpp", .malformedShare),
        ("", .empty),
    ])
    func malformedTemplatesAreRefused(template: String, error: TopicTemplateError) {
        #expect(throws: error) { try TopicTemplate(template, format: .auto) }
    }

    @Test func sharedSubscriptionsNeedStableRouting() {
        let yaml = """
            topics:
              - template: ocpp/{charger}/out
                format: ocpp-j
              - template: $share/wattline/ocpp/{charger}/in
                format: ocpp-j
            """
        let message = "a $share/ subscription needs broker.shared_subscription_routing set to hash_topic or "
            + "hash_clientid: with round-robin delivery (mosquitto's) one connector's messages would be scattered "
            + "across instances"
        #expect(issueLines(yaml) == ["Pipelines/depot.yaml:4: topics[1].template: \(message)"])
        #expect(issueLines("broker:\n  shared_subscription_routing: none\n" + yaml).count == 1)

        let routed = loadValid("broker:\n  shared_subscription_routing: hash_clientid\n" + yaml)
        #expect(routed?.topics[1].filter == "$share/wattline/ocpp/+/in")
        #expect(routed?.topics[1].shareGroup == "wattline")
        // The broker delivers the original topic; the $share prefix is not matched.
        #expect((try? routed?.topicRouter.match(topic: "ocpp/CP-1/in"))??.templateIndex == 1)
    }

    @Test func templatesThatCanNeverMatchAreRefused() {
        let yaml = """
            topics:
              - template: ocpp/{charger}/in
                format: ocpp-j
              - template: ocpp/{charger}/out
                format: ocpp-j
              - template: ocpp/{site}/in
                format: ocpp16
                direction: backend
            """
        // Line 6's template has no {charger}; swap in one that shadows line 2's.
        #expect(issueLines(yaml) == [
            "Pipelines/depot.yaml:6: topics[2].template: the template has no {charger}: a charger's identity comes from its topic",
        ])
        let shadowed = yaml.replacingOccurrences(of: "ocpp/{site}/in", with: "ocpp/{charger}/in")
        #expect(issueLines(shadowed) == [
            "Pipelines/depot.yaml:6: topics[2].template: 'ocpp/{charger}/in' matches the same topics as topics[0] "
                + "'ocpp/{charger}/in'; the first match wins, so this one would never be used",
        ])
    }

    @Test func perTopicQoSOverridesTheBrokerDefault() throws {
        let pipeline = try #require(loadValid("""
            broker:
              qos: 0
            topics:
              - template: ocpp/{charger}/in
                format: ocpp-j
                qos: 2
              - template: ocpp/{charger}/out
                format: ocpp-j
            """))
        #expect(pipeline.topics.map(\.qos) == [2, 0])
        #expect(pipeline.topicRouter.subscriptions.map(\.filter) == ["ocpp/+/in", "ocpp/+/out"])
    }
}
