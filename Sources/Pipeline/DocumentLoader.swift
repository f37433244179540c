import Foundation
import Yams

/// Reads a pipeline file and the files it includes into one ``ConfigValue`` tree.
///
/// Steps: Yams composes each file (the YAML parsing is entirely Yams'); the `Node` tree is copied into
/// ``ConfigValue``s that keep each value's file, line and column; `include:` lists at the top level and
/// `fleet.include` are expanded (the including file's own keys first, then each included file in order:
/// mappings merge key by key, lists are concatenated, a scalar set twice is a conflict); finally `${NAME}` is
/// substituted in every scalar. Problems go to the ``IssueCollector`` and the load carries on where it can.
///
/// YAML errors, duplicate keys included, are reported by Yams per file and stop that file only: Yams refuses a
/// document with a repeated key, so the rest of that file cannot be checked until it is fixed.
final class DocumentLoader {
    private let environment: [String: String]
    private let issues: IssueCollector
    /// The directory, on disk, of each loaded file, keyed by its shown name: where its relative paths start.
    private(set) var baseDirectories: [String: String] = [:]

    init(environment: [String: String], issues: IssueCollector) {
        self.environment = environment
        self.issues = issues
    }

    /// The pipeline's merged, substituted tree, or nil when the main file yields nothing to read.
    func load(yaml: String, fileName: String, baseDirectory: String) -> ConfigValue? {
        let canonical = Self.canonical(Self.join(baseDirectory, Self.lastComponent(fileName)))
        guard var root = document(
            yaml: yaml, fileName: fileName, baseDirectory: baseDirectory, path: .root, visiting: [canonical])
        else { return nil }

        // `fleet: {include: …}` (possibly next to inline sites and chargers).
        if var entries = root.entries, let index = entries.firstIndex(where: { $0.key == "fleet" }),
            entries[index].value.entries != nil
        {
            var fleet = entries[index].value
            expandIncludes(in: &fleet, path: ConfigPath.root.appending("fleet"), visiting: [canonical])
            entries[index].value = fleet
            root.content = .mapping(entries)
        }
        return substitute(root, path: .root)
    }

    // MARK: Files

    /// One file as a tree, with its own `include:` expanded. Nil (after reporting) when it cannot be used.
    private func document(
        yaml: String, fileName: String, baseDirectory: String, path: ConfigPath, visiting: Set<String>
    ) -> ConfigValue? {
        issues.noteFile(fileName)
        baseDirectories[fileName] = baseDirectory
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            report(error, file: fileName, yaml: yaml)
            return nil
        } catch {
            issues.report(.yamlSyntax("\(error)"), at: .file(fileName), path: path)
            return nil
        }
        guard let node else {
            // An empty file: an empty mapping, so every key takes its default.
            return ConfigValue(.mapping([]), at: SourceLocation(file: fileName, line: 1, column: 1))
        }
        var value = convert(node, file: fileName, path: path)
        guard value.entries != nil else {
            issues.report(.typeMismatch(expected: "a mapping", found: value.kindDescription), at: value.location, path: path)
            return nil
        }
        expandIncludes(in: &value, path: path, visiting: visiting)
        return value
    }

    /// Replaces an `include:` key of `mapping` by the contents of the files it names.
    private func expandIncludes(in mapping: inout ConfigValue, path: ConfigPath, visiting: Set<String>) {
        guard var entries = mapping.entries, let index = entries.firstIndex(where: { $0.key == "include" }) else {
            return
        }
        let include = entries.remove(at: index)
        mapping.content = .mapping(entries)
        let includePath = path.appending("include")
        let names: [(ConfigValue, ConfigPath)]
        switch include.value.content {
        case .scalar:
            names = [(include.value, includePath)]
        case .sequence(let items):
            var list: [(ConfigValue, ConfigPath)] = []
            for (offset, item) in items.enumerated() {
                guard item.scalar != nil else {
                    issues.report(
                        .typeMismatch(expected: "a file name", found: item.kindDescription),
                        at: item.location, path: includePath.appending(index: offset))
                    continue
                }
                list.append((item, includePath.appending(index: offset)))
            }
            names = list
        case .null:
            names = []
        case .mapping:
            issues.report(
                .typeMismatch(expected: "a file name or a list of file names", found: "a mapping"),
                at: include.value.location, path: includePath)
            names = []
        }

        for (value, valuePath) in names {
            let substituted = substitute(value, path: valuePath)
            guard !substituted.isPoisoned, let name = substituted.scalar else { continue }
            guard !name.isEmpty else {
                issues.report(.typeMismatch(expected: "a file name", found: "''"), at: value.location, path: valuePath)
                continue
            }
            let includer = value.location.file
            let directory = baseDirectories[includer] ?? "."
            let diskPath = Self.join(directory, name)
            let shownPath = Self.join(Self.directory(of: includer), name)
            let canonical = Self.canonical(diskPath)
            guard !visiting.contains(canonical) else {
                issues.report(.includeCycle(shownPath), at: value.location, path: valuePath)
                continue
            }
            let text: String
            do {
                text = try String(contentsOfFile: diskPath, encoding: .utf8)
            } catch {
                issues.report(
                    .unreadableFile(path: name, reason: Self.reason(error)),
                    at: value.location, path: valuePath)
                continue
            }
            guard let included = document(
                yaml: text, fileName: shownPath, baseDirectory: Self.directory(of: diskPath, orDot: true),
                path: path, visiting: visiting.union([canonical]))
            else { continue }
            merge(included, into: &mapping, path: path)
        }
    }

    /// Merges `other` into `base`: new keys are appended, mappings merge, lists concatenate, anything else set in
    /// both places is a conflict reported where `other` sets it.
    private func merge(_ other: ConfigValue, into base: inout ConfigValue, path: ConfigPath) {
        guard var entries = base.entries, let incoming = other.entries else { return }
        for entry in incoming {
            guard let index = entries.firstIndex(where: { $0.key == entry.key }) else {
                entries.append(entry)
                continue
            }
            switch (entries[index].value.content, entry.value.content) {
            case (.mapping, .mapping):
                merge(entry.value, into: &entries[index].value, path: path.appending(entry.key))
            case (.sequence(let first), .sequence(let second)):
                entries[index].value.content = .sequence(first + second)
            default:
                issues.report(
                    .conflict(first: entries[index].keyLocation), at: entry.keyLocation,
                    path: path.appending(entry.key))
            }
        }
        base.content = .mapping(entries)
    }

    // MARK: Yams → ConfigValue

    private func convert(_ node: Node, file: String, path: ConfigPath) -> ConfigValue {
        let location = Self.location(node.mark, file: file)
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain || scalar.style == .any, node.null != nil {
                return ConfigValue(.null, at: location)
            }
            return ConfigValue(.scalar(scalar.string), at: location)
        case .sequence(let sequence):
            let items = sequence.enumerated().map { convert($1, file: file, path: path.appending(index: $0)) }
            return ConfigValue(.sequence(items), at: location)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            var merged: [ConfigEntry] = []
            for (keyNode, valueNode) in mapping {
                let keyLocation = Self.location(keyNode.mark, file: file)
                guard case .scalar(let key) = keyNode else {
                    issues.report(.invalid("a key must be text, not a list or mapping"), at: keyLocation, path: path)
                    continue
                }
                // YAML merge keys (`<<: *defaults`): the explicit keys of this mapping win.
                if key.string == "<<", key.style == .plain || key.style == .any {
                    let sources = valueNode.sequence.map(Array.init) ?? [valueNode]
                    for source in sources {
                        let converted = convert(source, file: file, path: path)
                        guard let sourceEntries = converted.entries else {
                            issues.report(
                                .typeMismatch(expected: "a mapping to merge", found: converted.kindDescription),
                                at: converted.location, path: path.appending("<<"))
                            continue
                        }
                        merged += sourceEntries
                    }
                    continue
                }
                let value = convert(valueNode, file: file, path: path.appending(key.string))
                entries.append(ConfigEntry(key: key.string, keyLocation: keyLocation, value: value))
            }
            for entry in merged where !entries.contains(where: { $0.key == entry.key }) {
                entries.append(entry)
            }
            return ConfigValue(.mapping(entries), at: location)
        case .alias:
            // Yams resolves aliases while composing; an alias node only appears in trees built by hand.
            return ConfigValue(.null, at: location)
        }
    }

    private static func location(_ mark: Mark?, file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0)
    }

    // MARK: YAML errors

    private func report(_ error: YamlError, file: String, yaml: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = problem
            if let context {
                message += " (\(context.text) at line \(context.mark.line))"
            }
            issues.report(.yamlSyntax(message), at: Self.location(mark, file: file), path: .root)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let first = context.mark
            if let repeated = Self.lineRepeating(key: key, after: first, in: yaml) {
                issues.report(
                    .duplicateKey(key, firstLine: first.line),
                    at: SourceLocation(file: file, line: repeated, column: first.column), path: .root)
            } else {
                issues.report(.duplicateKey(key, firstLine: nil), at: Self.location(first, file: file), path: .root)
            }
        case .reader(let problem, _, _, _):
            issues.report(.yamlSyntax(problem), at: .file(file), path: .root)
        default:
            issues.report(.yamlSyntax(error.description), at: .file(file), path: .root)
        }
    }

    /// The line that repeats `key`, for pointing at the second occurrence of a duplicate key (Yams reports the
    /// first). A plain text search for `key:` at the first occurrence's column on a later line, stopping where
    /// the indentation drops below it; nil when not found (a flow mapping, a quoted key), and the first
    /// occurrence is shown instead.
    static func lineRepeating(key: String, after mark: Mark, in yaml: String) -> Int? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let indent = mark.column - 1
        for number in mark.line..<lines.count {
            let line = lines[number]
            let scalars = Array(line.unicodeScalars)
            let leading = scalars.prefix(while: { $0 == " " || $0 == "-" }).count
            let isBlank = scalars.allSatisfy { $0 == " " || $0 == "\t" } || scalars.first == "#"
            if !isBlank, leading < indent { return nil }
            guard scalars.count > indent else { continue }
            let rest = String(String.UnicodeScalarView(scalars[indent...]))
            if rest.hasPrefix(key) {
                let after = rest.dropFirst(key.count).drop(while: { $0 == " " })
                if after.first == ":" { return number + 1 }
            }
        }
        return nil
    }

    // MARK: ${NAME} substitution

    /// Substitutes `${NAME}` in every scalar under `value`; `$${` writes a literal `${`. A value with an unset
    /// or malformed reference is reported once and marked, so readers do not add a derived complaint.
    func substitute(_ value: ConfigValue, path: ConfigPath) -> ConfigValue {
        var value = value
        switch value.content {
        case .null:
            break
        case .scalar(let text):
            guard text.contains("$") else { break }
            switch Self.expand(text, environment: environment) {
            case .success(let expanded):
                value.content = .scalar(expanded)
            case .failure(let failure):
                issues.report(failure.problem, at: value.location, path: path)
                value.isPoisoned = true
            }
        case .sequence(let items):
            value.content = .sequence(items.enumerated().map { substitute($1, path: path.appending(index: $0)) })
        case .mapping(let entries):
            value.content = .mapping(entries.map { entry in
                var entry = entry
                entry.value = substitute(entry.value, path: path.appending(entry.key))
                return entry
            })
        }
        return value
    }

    struct SubstitutionFailure: Error {
        var problem: PipelineIssue.Problem
    }

    /// `text` with its references replaced, or the first problem.
    static func expand(_ text: String, environment: [String: String]) -> Result<String, SubstitutionFailure> {
        var result = ""
        var scalars = Substring(text).unicodeScalars[...]
        while let dollar = scalars.firstIndex(of: "$") {
            result.unicodeScalars.append(contentsOf: scalars[..<dollar])
            let rest = scalars[scalars.index(after: dollar)...]
            if rest.starts(with: "${".unicodeScalars) {
                // `$${` → a literal `${`.
                result += "${"
                scalars = rest.dropFirst(2)
            } else if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { return .failure(SubstitutionFailure(problem: .malformedVariable(text))) }
                let name = String(String.UnicodeScalarView(rest[rest.index(after: rest.startIndex)..<close]))
                guard isVariableName(name) else { return .failure(SubstitutionFailure(problem: .malformedVariable(text))) }
                guard let replacement = environment[name] else { return .failure(SubstitutionFailure(problem: .unsetVariable(name))) }
                result += replacement
                scalars = rest[rest.index(after: close)...]
            } else {
                result += "$"
                scalars = rest
            }
        }
        result.unicodeScalars.append(contentsOf: scalars)
        return .success(result)
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, the names a POSIX shell exports.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == 0x5F || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else {
            return false
        }
        return name.utf8.allSatisfy { $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
    }

    // MARK: Paths

    /// `path` resolved against `directory` (unless absolute), with `.` and `..` removed where possible.
    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return normalize(path) }
        return normalize(directory + "/" + path)
    }

    /// The directory part of a path, or "" when it has none.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// As `directory(of:)`, but "." instead of "".
    static func directory(of path: String, orDot: Bool) -> String {
        let directory = directory(of: path)
        return directory.isEmpty && orDot ? "." : directory
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// An absolute, normalized path (symbolic links resolved) for recognising a file included twice in a chain.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The operating system's reason for a failed read, without Foundation's wrapping.
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain {
            switch nsError.code {
            case NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            case NSFileReadInapplicableStringEncodingError: return "not UTF-8 text"
            default: break
            }
        }
        return nsError.localizedDescription
    }
}
