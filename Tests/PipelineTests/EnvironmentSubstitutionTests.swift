import Testing

@testable import Pipeline

@Suite("${NAME} substitution")
struct EnvironmentSubstitutionTests {
    let yaml = """
        broker:
          url: mqtt://${BROKER_HOST}:1883
          username: ${MQTT_USER}
          password: ${MQTT_PASSWORD}
          client_id: wl-$${literal}
        \(minimalTopics)
        """

    @Test func substitutesFromTheGivenEnvironment() throws {
        let pipeline = try #require(loadValid(yaml, environment: [
            "BROKER_HOST": "broker.internal", "MQTT_USER": "fleet", "MQTT_PASSWORD": "s3cret",
        ]))
        #expect(pipeline.broker.url.host == "broker.internal")
        #expect(pipeline.broker.username == "fleet")
        #expect(pipeline.broker.password?.value == "s3cret")
        #expect(pipeline.broker.clientID == "wl-${literal}")
    }

    @Test func passwordsDoNotPrint() throws {
        let pipeline = try #require(loadValid(yaml, environment: [
            "BROKER_HOST": "h", "MQTT_USER": "u", "MQTT_PASSWORD": "s3cret",
        ]))
        #expect(!"\(pipeline.broker)".contains("s3cret"))
        #expect(!String(reflecting: pipeline.broker).contains("s3cret"))
    }

    @Test func unsetVariablesNameTheKeyAndTheVariable() {
        #expect(issueLines(yaml, environment: ["BROKER_HOST": "h"]) == [
            "Pipelines/depot.yaml:3: broker.username: environment variable 'MQTT_USER' is not set",
            "Pipelines/depot.yaml:4: broker.password: environment variable 'MQTT_PASSWORD' is not set",
        ])
    }

    @Test func anUnsetVariableDoesNotCauseASecondComplaint() {
        // Without the guard, the unexpanded URL would also be reported as malformed.
        #expect(issueLines(yaml, environment: ["MQTT_USER": "u", "MQTT_PASSWORD": "p"]) == [
            "Pipelines/depot.yaml:2: broker.url: environment variable 'BROKER_HOST' is not set",
        ])
    }

    @Test(arguments: [
        ("a ${B", "malformed variable reference in 'a ${B' (write ${NAME}, or $${ for a literal ${)"),
        ("${1X}", "malformed variable reference in '${1X}' (write ${NAME}, or $${ for a literal ${)"),
        ("${}", "malformed variable reference in '${}' (write ${NAME}, or $${ for a literal ${)"),
    ])
    func malformedReferencesAreReported(value: String, message: String) {
        let yaml = "data_dir: \"\(value)\"\n\(minimalTopics)"
        #expect(issueLines(yaml) == ["Pipelines/depot.yaml:1: data_dir: \(message)"])
    }

    @Test(arguments: [
        ("cost $5", "cost $5"),
        ("$${HOME}", "${HOME}"),
        ("${A}${B}", "12"),
        ("x${A}y$${A}z", "x1y${A}z"),
        ("$$", "$$"),
        ("ünïcode ${A} ✓", "ünïcode 1 ✓"),
    ])
    func expansion(text: String, expected: String) throws {
        #expect(try DocumentLoader.expand(text, environment: ["A": "1", "B": "2"]).get() == expected)
    }

    @Test func rawSectionsAreSubstitutedToo() throws {
        let pipeline = try #require(loadValid(minimalTopics + "\nstorage:\n  path: ${STORE}/x\n", environment: ["STORE": "/srv"]))
        #expect(pipeline.storage?["path"]?.scalar == "/srv/x")
    }
}

