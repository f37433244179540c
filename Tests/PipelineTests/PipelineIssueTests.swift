import Testing

@testable import Pipeline

@Suite("Issues name file, line and key path")
struct PipelineIssueTests {
    @Test func collectsEveryIssueInFileOrder() {
        let yaml = """
            broker:
              url: http://broker:1883
              qos: 3
              protocol: mqtt4
              keepalive: abc
            topics:
              - template: ocpp/{chrager}/in
                format: ocpp-j
              - template: ocpp/{charger}/out
                format: ocpp17
            undeclared_chargers: maybe
            fleet:
              sites:
                - id: depot
                  timezone: Europe/Berlin
                  coordinates: {lat: 95, lon: 13}
                - id: depot
                  timezone: Europe/Paris
                - id: moon
                  timezone: Mars/Olympus
                - name: No id
                  timezone: UTC
              chargers:
                - id: CP-1
                  site: depot
                - id: CP-1
                  site: depot
                - id: "../etc"
                  site: depot
                - id: CP-2
                  site: depot-9
                  evses:
                    - id: 0
                      connectors:
                        - id: 1
                          standard: IEC_62196_T2
                          power_type: DC
                          phases: 3
                          rated_power_kw: -5
            alerts: [1, 2]
            """
        let expected = [
            "Pipelines/depot.yaml:2: broker.url: 'http://broker:1883': unsupported scheme 'http'; expected mqtt or mqtts",
            "Pipelines/depot.yaml:3: broker.qos: 3 is out of range (expected 0...2)",
            "Pipelines/depot.yaml:4: broker.protocol: unknown value 'mqtt4'; expected one of: mqtt311, mqtt5 (did you mean 'mqtt5'?)",
            "Pipelines/depot.yaml:5: broker.keepalive: expected an integer, found 'abc'",
            "Pipelines/depot.yaml:7: topics[0].template: unknown variable '{chrager}' (did you mean '{charger}'?); expected one of: {site}, {charger}, {evse}, {connector}, {action}, {stream}, {module}, {impl}, {_}",
            "Pipelines/depot.yaml:10: topics[1].format: unknown value 'ocpp17'; expected one of: ocpp16, ocpp201, ocpp-j, everest, compact, auto (did you mean 'ocpp16'?)",
            "Pipelines/depot.yaml:11: undeclared_chargers: unknown value 'maybe'; expected one of: accept, reject",
            "Pipelines/depot.yaml:16: fleet.sites[0].coordinates.lat: 95 is out of range (expected -90...90)",
            "Pipelines/depot.yaml:17: fleet.sites[1].id: duplicate site id 'depot' (first declared at Pipelines/depot.yaml:14)",
            "Pipelines/depot.yaml:20: fleet.sites[2].timezone: 'Mars/Olympus' is not an IANA time zone such as Europe/Berlin",
            "Pipelines/depot.yaml:21: fleet.sites[3]: missing required key 'id'",
            "Pipelines/depot.yaml:26: fleet.chargers[1].id: duplicate charger id 'CP-1' (first declared at Pipelines/depot.yaml:24)",
            "Pipelines/depot.yaml:28: fleet.chargers[2].id: '../etc' is not a valid id: charger id must start with a letter or digit, not '.'",
            "Pipelines/depot.yaml:31: fleet.chargers[3].site: 'depot-9' is not a declared site",
            "Pipelines/depot.yaml:33: fleet.chargers[3].evses[0].id: 0 is out of range (expected 1...999)",
            "Pipelines/depot.yaml:38: fleet.chargers[3].evses[0].connectors[0].phases: phases applies to AC connectors only (power_type is DC)",
            "Pipelines/depot.yaml:39: fleet.chargers[3].evses[0].connectors[0].rated_power_kw: -5 is out of range (expected a number greater than 0)",
            "Pipelines/depot.yaml:40: alerts: expected a mapping, found a list",
        ]
        let lines = issueLines(yaml)
        #expect(lines == expected)
        if lines != expected {
            // Show the difference line by line when the lists disagree.
            for (got, want) in zip(lines, expected) where got != want {
                Issue.record("got  \(got)\nwant \(want)")
            }
        }
    }

    @Test func unknownKeysSuggestTheClosestAllowedKey() {
        let yaml = """
            broker:
              url: mqtt://localhost:1883
              keepalve: 30
            topics:
              - template: ocpp/{charger}/in
                format: ocpp-j
                qso: 1
            data_dri: /var/lib/wattline
            colour: red
            """
        #expect(issueLines(yaml) == [
            "Pipelines/depot.yaml:3: unknown key 'keepalve' (did you mean 'keepalive'?)",
            "Pipelines/depot.yaml:7: unknown key 'qso' (did you mean 'qos'?)",
            "Pipelines/depot.yaml:8: unknown key 'data_dri' (did you mean 'data_dir'?)",
            "Pipelines/depot.yaml:9: unknown key 'colour'",
        ])
    }

    @Test func unknownKeyIssueKeepsItsPathAndColumn() throws {
        let found = issues("""
            topics:
              - template: ocpp/{charger}/in
                format: ocpp-j
                qso: 1
            """)
        let issue = try #require(found.first)
        #expect(found.count == 1)
        #expect(issue.problem == .unknownKey("qso", suggestion: "qos"))
        #expect(issue.path.description == "topics[0].qso")
        #expect(issue.location == SourceLocation(file: "Pipelines/depot.yaml", line: 4, column: 5))
    }

    @Test func duplicateKeyPointsAtTheRepeat() {
        let yaml = """
            broker:
              url: mqtt://a:1883
              qos: 1
              url: mqtt://b:1883
            \(minimalTopics)
            """
        #expect(issueLines(yaml) == ["Pipelines/depot.yaml:4: duplicate key 'url' (first given at line 2)"])
    }

    @Test func yamlSyntaxErrorsCarryYamsLine() throws {
        let found = issues("""
            topics:
              - template: ocpp/{charger}/in
                format: [ocpp-j
            data_dir: data
            """)
        let issue = try #require(found.first)
        #expect(found.count == 1)
        guard case .yamlSyntax = issue.problem else {
            Issue.record("expected a syntax error, got \(issue)")
            return
        }
        #expect(issue.location.line == 4)
    }

    @Test func missingTopicsIsReportedAtTheRoot() {
        #expect(issueLines("data_dir: data\n") == ["Pipelines/depot.yaml:1: missing required key 'topics'"])
    }

    @Test(arguments: [
        ("qos: high", "broker.qos: expected an integer, found 'high'"),
        ("qos: [1]", "broker.qos: expected an integer, found a list"),
        ("session: sticky", "broker.session: unknown value 'sticky'; expected one of: persistent, clean"),
        ("session_expiry: 1 day", "broker.session_expiry: expected a duration such as 30s, 5m, 1h or 1d, found '1 day'"),
        ("session_expiry: 200000d", "broker.session_expiry: 200000d is out of range (expected 0s...49710d6h28m15s)"),
        ("keepalive: 70000", "broker.keepalive: 70000 is out of range (expected 0...65535)"),
        ("url: mqtt://user:pw@host", "broker.url: 'mqtt://user:pw@host': credentials do not belong in the URL; set broker.username and broker.password"),
        ("url: mqtt://host:99999", "broker.url: 'mqtt://host:99999': port '99999' is not a number in 1...65535"),
        ("client_id: a/b", "broker.client_id: 'a/b' must not contain '+', '#' or '/' (it names the availability topic)"),
        ("availability_topic: status/+", "broker.availability_topic: 'status/+' must be a plain topic: no wildcards, and {client_id} is the only variable"),
        ("shared_subscription_routing: sticky", "broker.shared_subscription_routing: unknown value 'sticky'; expected one of: none, hash_topic, hash_clientid"),
        ("tls: {verify: false}", "broker.tls: tls is set but the url uses mqtt://; write mqtts://host:8883"),
    ])
    func brokerValuesAreChecked(line: String, message: String) {
        let yaml = "broker:\n  \(line)\n\(minimalTopics)"
        #expect(issueLines(yaml) == ["Pipelines/depot.yaml:2: \(message)"])
    }

    @Test func brokerKeysTakeTheirValues() throws {
        let pipeline = try #require(loadValid("""
            broker:
              url: mqtts://broker.example.com
              client_id: depot-1
              keepalive: 1m
              protocol: mqtt311
              qos: 2
              session: clean
              availability_topic: fleet/{client_id}/up
            \(minimalTopics)
            """))
        #expect(pipeline.broker.url == BrokerURL(scheme: .mqtts, host: "broker.example.com", port: 8883))
        #expect(pipeline.broker.tls == BrokerTLS(verify: true))
        #expect(pipeline.broker.keepaliveSeconds == 60)
        #expect(pipeline.broker.protocolVersion == .mqtt311)
        #expect(pipeline.broker.session == .clean)
        #expect(pipeline.broker.availabilityTopic == "fleet/depot-1/up")
        #expect(pipeline.topics[0].qos == 2)
    }

    @Test func ipv6BrokerURL() throws {
        #expect(try BrokerURL.parse("mqtt://[::1]:1884").get() == BrokerURL(scheme: .mqtt, host: "::1", port: 1884))
        #expect(BrokerURL(scheme: .mqtt, host: "::1", port: 1884).description == "mqtt://[::1]:1884")
    }

    @Test func rawSectionsAreKeptWithTheirLines() throws {
        let pipeline = try #require(loadValid("""
            \(minimalTopics)
            alerts:
              offline:
                treshold: 9m
            tariffs: {}
            """))
        let alerts = try #require(pipeline.alerts)
        #expect(alerts.location.line == 5)
        #expect(alerts["offline"]?["treshold"]?.scalar == "9m")
        #expect(alerts["offline"]?["treshold"]?.location.line == 6)
        #expect(pipeline.tariffs?.entries == [])
        #expect(pipeline.processors == nil)

        // Their owners read them with the same machinery and get the same kind of messages.
        let collector = IssueCollector()
        let node = ConfigNode(try #require(alerts["offline"]), path: ConfigPath().appending("alerts").appending("offline"), issues: collector)
        let offline = node.mapping(allowedKeys: ["threshold"])
        #expect(offline?.optional("threshold") == nil)
        #expect(collector.issues.map(\.description) == [
            "Pipelines/depot.yaml:6: unknown key 'treshold' (did you mean 'threshold'?)",
        ])
    }

    @Test func errorDescriptionHasOneLinePerIssue() throws {
        let error = try #require(throws: PipelineError.self) {
            try PipelineDefinition.load(yaml: "topics: 3\nfleet: []\n", fileName: "p.yaml", environment: [:])
        }
        #expect(error.description == """
            p.yaml:1: topics: expected a list, found '3'
            p.yaml:2: fleet: expected a mapping, found a list
            """)
    }
}
