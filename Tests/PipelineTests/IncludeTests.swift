import Foundation
import Testing

@testable import Pipeline

@Suite("Included files")
struct IncludeTests {
    let main = """
        include:
          - broker.yaml
        topics:
          - template: ocpp/{charger}/in
            format: ocpp-j
        fleet:
          include: fleet/sites.yaml
          chargers:
            - id: CP-1
              site: depot
        """

    /// Loads `Pipelines/main.yaml` from a directory holding `files`.
    func load(_ files: [String: String], environment: [String: String] = [:]) throws -> Result<PipelineDefinition, PipelineError> {
        let directory = try TemporaryDirectory(files: files)
        defer { directory.cleanup() }
        let text = files["main.yaml"] ?? ""
        do {
            return .success(try PipelineDefinition.load(
                yaml: text, fileName: "Pipelines/main.yaml", baseDirectory: directory.path, environment: environment))
        } catch {
            return .failure(error)
        }
    }

    func lines(_ result: Result<PipelineDefinition, PipelineError>) -> [String] {
        switch result {
        case .success: return []
        case .failure(let error): return error.issues.map(\.description)
        }
    }

    @Test func mergesTopLevelAndFleetIncludes() throws {
        let pipeline = try load([
            "main.yaml": main,
            "broker.yaml": "broker:\n  url: mqtt://broker.example:1883\n  qos: 2\n",
            "fleet/sites.yaml": "sites:\n  - id: depot\n    timezone: Europe/Berlin\n",
        ]).get()
        #expect(pipeline.broker.url.host == "broker.example")
        #expect(pipeline.broker.qos == 2)
        #expect(pipeline.fleet.sites.map(\.id) == ["depot"])
        #expect(pipeline.fleet.charger(id: "CP-1")?.site == "depot")
    }

    @Test func issuesInAnIncludedFileNameThatFile() throws {
        let result = try load([
            "main.yaml": main,
            "broker.yaml": "broker:\n  qos: 1\n",
            "fleet/sites.yaml": """
                sites:
                  - id: depot
                    timezone: Europe/Berlin
                    grid_limit_kw: lots
                    adress: {city: Berlin}
                """,
        ])
        #expect(lines(result) == [
            "Pipelines/fleet/sites.yaml:4: fleet.sites[0].grid_limit_kw: expected a number, found 'lots'",
            "Pipelines/fleet/sites.yaml:5: unknown key 'adress' (did you mean 'address'?)",
        ])
    }

    @Test func listsOfFilesConcatenateInOrder() throws {
        let pipeline = try load([
            "main.yaml": """
                include: [more-topics.yaml, fleet.yaml]
                topics:
                  - template: ocpp/{charger}/in
                    format: ocpp-j
                """,
            "more-topics.yaml": "topics:\n  - template: ocpp/{charger}/out\n    format: ocpp-j\n    direction: backend\n",
            "fleet.yaml": "fleet:\n  sites:\n    - id: depot\n      timezone: UTC\n",
        ]).get()
        #expect(pipeline.topics.map(\.filter) == ["ocpp/+/in", "ocpp/+/out"])
        #expect(pipeline.topics.map(\.index) == [0, 1])
        #expect(pipeline.fleet.site(id: "depot") != nil)
    }

    @Test func aValueSetInTwoFilesIsAConflict() throws {
        let result = try load([
            "main.yaml": "include: broker.yaml\nbroker:\n  qos: 1\n" + minimalTopics,
            "broker.yaml": "broker:\n  url: mqtt://h:1883\n  qos: 2\n",
        ])
        #expect(lines(result) == [
            "Pipelines/broker.yaml:3: broker.qos: already set at Pipelines/main.yaml:3; a value may be given in one place only",
        ])
    }

    @Test func aMissingIncludeIsReportedWhereItIsNamed() throws {
        let result = try load(["main.yaml": main])
        let found = lines(result)
        #expect(found.count == 3)
        #expect(found.first?.hasPrefix("Pipelines/main.yaml:2: cannot read 'broker.yaml': ") == true)
        #expect(found.contains { $0.hasPrefix("Pipelines/main.yaml:7: cannot read 'fleet/sites.yaml': ") })
        // Without the sites file, CP-1's site is undeclared.
        #expect(found.last == "Pipelines/main.yaml:10: fleet.chargers[0].site: 'depot' is not a declared site")
    }

    @Test func includeCyclesAreReported() throws {
        let result = try load([
            "main.yaml": "include: a.yaml\n" + minimalTopics,
            "a.yaml": "include: b.yaml\n",
            "b.yaml": "data_dir: x\ninclude: a.yaml\n",
        ])
        #expect(lines(result) == ["Pipelines/b.yaml:2: 'Pipelines/a.yaml' includes itself"])
    }

    @Test func includePathsMayUseTheEnvironment() throws {
        let pipeline = try load([
            "main.yaml": "include: ${BROKER_FILE}\n" + minimalTopics,
            "prod.yaml": "broker:\n  url: mqtts://prod:8883\n",
        ], environment: ["BROKER_FILE": "prod.yaml"]).get()
        #expect(pipeline.broker.url.port == 8883)
    }

    @Test func tlsFilesAreRelativeToTheFileNamingThemAndMustExist() throws {
        let files = [
            "main.yaml": "include: broker/tls.yaml\n" + minimalTopics,
            "broker/tls.yaml": """
                broker:
                  url: mqtts://broker:8883
                  tls:
                    ca_file: certs/ca.pem
                    cert_file: certs/client.pem
                    key_file: certs/client.key
                """,
            "broker/certs/ca.pem": "-----BEGIN CERTIFICATE-----\n",
            "broker/certs/client.pem": "-----BEGIN CERTIFICATE-----\n",
        ]
        let directory = try TemporaryDirectory(files: files)
        defer { directory.cleanup() }
        do {
            _ = try PipelineDefinition.load(
                yaml: files["main.yaml"]!, fileName: "Pipelines/main.yaml", baseDirectory: directory.path,
                environment: [:])
            Issue.record("the missing key file was not reported")
        } catch {
            #expect(error.issues.map(\.description) == [
                "Pipelines/broker/tls.yaml:6: broker.tls.key_file: file 'certs/client.key' does not exist "
                    + "(looked for \(directory.path)/broker/certs/client.key)",
            ])
        }

        try "key".write(toFile: directory.path + "/broker/certs/client.key", atomically: true, encoding: .utf8)
        let pipeline = try PipelineDefinition.load(path: directory.path + "/main.yaml", environment: [:])
        #expect(pipeline.broker.tls?.caFile == directory.path + "/broker/certs/ca.pem")
        #expect(pipeline.broker.tls?.keyFile == directory.path + "/broker/certs/client.key")
        #expect(pipeline.broker.tls?.verify == true)
    }

    @Test func anUnreadablePipelineFileIsOneIssue() {
        do {
            _ = try PipelineDefinition.load(path: "/nonexistent/wattline.yaml", environment: [:])
            Issue.record("loaded a file that does not exist")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.description.hasPrefix("/nonexistent/wattline.yaml: cannot read '/nonexistent/wattline.yaml': "))
        }
    }
}
