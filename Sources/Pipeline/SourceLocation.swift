/// Where a value was written: the file (as it is shown to people) and the 1-based line and column.
///
/// Every ``ConfigValue`` carries one, so an issue can point at the exact place in the pipeline file or in a file
/// it includes. Line 0 means "the file as a whole" (for example, a file that could not be read).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file, as named to the loader or derived from an `include` (relative paths stay relative).
    public var file: String
    /// 1-based line, or 0 when the location is the whole file.
    public var line: Int
    /// 1-based column (counted in Unicode scalars, as libyaml does), or 0 when unknown.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The location of a whole file.
    public static func file(_ file: String) -> SourceLocation {
        SourceLocation(file: file, line: 0, column: 0)
    }

    /// `file:line`, or just `file` for a whole-file location.
    public var description: String {
        line > 0 ? "\(file):\(line)" : file
    }
}
