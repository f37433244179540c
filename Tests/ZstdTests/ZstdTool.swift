import Foundation
import MosquittoTestSupport

/// Runs the `zstd` command-line tool (found on PATH), to check interoperability with the reference implementation.
enum ZstdTool {
    struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let stderr: String
        var description: String { "zstd \(arguments.joined(separator: " ")) exited with \(status): \(stderr)" }
    }

    /// Runs `zstd arguments...` and returns its standard output.
    static func run(_ arguments: [String]) throws -> [UInt8] {
        let result = try ChildProcess.capture("/usr/bin/env", ["zstd"] + arguments)
        guard result.status == 0 else { throw Failure(arguments: arguments, status: result.status, stderr: result.stderrText) }
        return result.stdout
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wattline-zstd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
