import Foundation
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

    static func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        // Standard input is written from its own thread while this one drains stdout and stderr, so neither side can
        // block the other; a child that stops reading early (its status and stderr then tell why) is no test error.
        let writer = input.fileHandleForWriting
        let written = DispatchSemaphore(value: 0)
        let payload = stdin ?? Data()
        Thread.detachNewThread {
            if !payload.isEmpty { try? writer.write(contentsOf: payload) }
            try? writer.close()
            written.signal()
        }
        // Read both pipes before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        written.wait()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
