import Foundation

/// Resolves a file named in a pipeline against the directory of the file that names it.
///
/// An included file's relative paths start at that included file, just as `#include` does, so a fleet file can
/// travel with its certificates.
struct PathResolver {
    /// The on-disk directory of each loaded file, by shown name.
    let baseDirectories: [String: String]

    /// The on-disk path for `path` written at `location`.
    func resolve(_ path: String, writtenAt location: SourceLocation) -> String {
        DocumentLoader.join(baseDirectories[location.file] ?? ".", path)
    }

    /// The resolved path of the file a node names, or nil (after reporting) when no regular file is there.
    func existingFile(_ node: ConfigNode) -> String? {
        guard let path = node.nonEmptyString() else { return nil }
        let resolved = resolve(path, writtenAt: node.location)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            node.report(.missingFile(path: path, resolved: resolved))
            return nil
        }
        return resolved
    }
}
