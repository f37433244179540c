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

    /// Runs `wattline` with `arguments` in the repository, `stdin` as its standard input, to the end.
    ///
    /// Spawned with `posix_spawn`, its standard input and outputs files the child opens itself (`ChildProcess`),
    /// not `Foundation.Process` with pipes: with tests spawning processes on several threads at once, a pipe's
    /// descriptor number can be closed and reused by another thread between its creation and the spawn (CI once saw
    /// `wattline decode -` fail with EBADF on its standard input).
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let directory = try TemporaryDirectory(prefix: "wattline-cli")
        defer { directory.remove() }
        let stdinPath = try stdin.map { try directory.write(Array($0), to: "stdin") }
        let child = try ChildProcess(try executable.path, arguments, stdinPath: stdinPath, outputPath: directory.path + "/stdout",
                                     errorPath: directory.path + "/stderr", directory: repository.path)
        let status = child.wait()
        return Result(status: status, stdout: (try? directory.read(directory.path + "/stdout")) ?? "",
                      stderr: (try? directory.read(directory.path + "/stderr")) ?? "")
    }
}
