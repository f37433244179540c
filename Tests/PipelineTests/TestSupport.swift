import Foundation
import Testing

@testable import Pipeline

/// The package root, found from this file's path (Tests/PipelineTests/TestSupport.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A minimal valid pipeline, for tests that add one thing to it.
let minimalTopics = """
    topics:
      - template: ocpp/{charger}/in
        format: ocpp-j
    """

/// The issue lines a pipeline text produces (empty when it loads).
func issueLines(
    _ yaml: String, file: String = "Pipelines/depot.yaml", baseDirectory: String = ".",
    environment: [String: String] = [:]
) -> [String] {
    do {
        _ = try PipelineDefinition.load(
            yaml: yaml, fileName: file, baseDirectory: baseDirectory, environment: environment)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// The issues a pipeline text produces (empty when it loads).
func issues(_ yaml: String, environment: [String: String] = [:]) -> [PipelineIssue] {
    do {
        _ = try PipelineDefinition.load(yaml: yaml, fileName: "Pipelines/depot.yaml", environment: environment)
        return []
    } catch {
        return error.issues
    }
}

/// Loads a pipeline that must be valid; records the issues and fails otherwise.
func loadValid(
    _ yaml: String, environment: [String: String] = [:], sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> PipelineDefinition? {
    do {
        return try PipelineDefinition.load(yaml: yaml, fileName: "Pipelines/depot.yaml", environment: environment)
    } catch {
        Issue.record("unexpected issues:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A fresh temporary directory with the given files (relative path → content), removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init(files: [String: String]) throws {
        path = NSTemporaryDirectory() + "wattline-pipeline-" + UUID().uuidString
        for (name, content) in files {
            let full = path + "/" + name
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
