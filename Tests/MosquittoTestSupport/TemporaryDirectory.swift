#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under /tmp, removed (with its contents) by `remove()`.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path, without a trailing slash.
    public let path: String

    public init(prefix: String = "wattline-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TestSupportError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    /// Writes `bytes` to `name` in the directory (or to an absolute path) and returns the path.
    @discardableResult
    public func write(_ bytes: [UInt8], to name: String) throws -> String {
        let target = name.hasPrefix("/") ? name : "\(path)/\(name)"
        guard let file = fopen(target, "wbe") else {  // e: close-on-exec, so a child spawned meanwhile cannot hold it (ETXTBSY)
            throw TestSupportError("cannot write \(target): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        if !bytes.isEmpty {
            guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
                throw TestSupportError("short write to \(target)")
            }
        }
        return target
    }

    /// Writes `text` as UTF-8.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        try write(Array(text.utf8), to: name)
    }

    /// Reads a file in the directory (or at an absolute path) as UTF-8 text.
    public func read(_ name: String) throws -> String {
        try Self.readFile(name.hasPrefix("/") ? name : "\(path)/\(name)")
    }

    /// Reads a file as UTF-8 text (invalid bytes replaced).
    public static func readFile(_ target: String) throws -> String {
        String(decoding: try readBytes(target), as: UTF8.self)
    }

    /// Reads a file's bytes.
    public static func readBytes(_ target: String) throws -> [UInt8] {
        guard let file = fopen(target, "rbe") else {
            throw TestSupportError("cannot read \(target): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return bytes
    }

    /// Removes the directory and everything in it.
    public func remove() {
        _ = try? ChildProcess("/bin/rm", ["-rf", path]).wait()
    }
}

extension TemporaryDirectory {
    /// Writes an executable `/bin/sh` script (real hook scripts for the alert tests) and returns its path.
    @discardableResult
    public func script(_ name: String, _ body: String) throws -> String {
        let path = try write(Array(("#!/bin/sh\n" + body + "\n").utf8), to: name)
        chmod(path, 0o755)
        return path
    }

    /// The text of a file in the directory (or at an absolute path); empty when missing.
    public func text(_ name: String) -> String {
        (try? String(contentsOfFile: name.hasPrefix("/") ? name : path + "/" + name, encoding: .utf8)) ?? ""
    }

    /// The non-empty lines of a file in the directory.
    public func lines(_ name: String) -> [String] {
        text(name).split(separator: "\n").map(String.init)
    }
}
