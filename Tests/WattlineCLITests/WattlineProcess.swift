import Foundation
import MosquittoTestSupport
import Testing

/// Runs the built `wattline` executable, as a user would.
struct WattlineProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `wattline` binary next to the test bundle (whatever the scratch path).
    static var executable: URL {
        get throws {
            var directory = Bundle.main.bundleURL
            for _ in 0..<3 {
                let candidate = directory.appendingPathComponent("wattline")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "wattline next to \(Bundle.main.bundleURL.path)"])
        }
    }

    /// Runs `wattline` with `arguments` in the repository, `stdin` as its standard input, to the end
    /// (`ChildProcess.capture`: files, not pipes).
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let captured = try ChildProcess.capture(try executable.path, arguments, stdin: stdin.map { Array($0) },
                                                directory: repository.path)
        return Result(status: captured.status, stdout: captured.stdoutText, stderr: captured.stderrText)
    }
}
