import Foundation
import Testing

@Suite struct CheckCommandTests {
    @Test func theShippedPipelineIsValid() throws {
        let result = try WattlineProcess.run(["check", "Pipelines/default.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Pipelines/default.yaml: OK"))
        #expect(result.stdout.contains("subscribe ocpp/+/in"))
    }

    @Test func problemsAreReportedWithFileAndLineAndAFailingStatus() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wattline-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.yaml")
        try """
        broker:
          url: mqtt://127.0.0.1:1883
          keepalive: soon
        topics:
          - template: ocpp/{charger}/in
            fromat: ocpp-j
        """.write(to: file, atomically: true, encoding: .utf8)
        let result = try WattlineProcess.run(["check", file.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("broken.yaml:3:"), "\(result.stderr)")
        #expect(result.stderr.contains("broken.yaml:6: topics[0]: unknown key 'fromat' (did you mean 'format'?)")
                || result.stderr.contains("broken.yaml:6:"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'format'?"))
    }

    @Test func aMissingFileIsAClearError() throws {
        let result = try WattlineProcess.run(["check", "Pipelines/does-not-exist.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("does-not-exist.yaml"))
    }
}
