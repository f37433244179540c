/// The error `PipelineDefinition.load` throws: every issue found, not only the first.
///
/// `description` prints one issue per line, in file order, ready for a terminal:
/// ```
/// Pipelines/depot.yaml:14: unknown key 'treshold' (did you mean 'threshold'?)
/// Pipelines/depot.yaml:22: fleet.chargers[3].site: 'depot-9' is not a declared site
/// ```
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The issues, sorted by file (in the order files were loaded), line and column.
    public var issues: [PipelineIssue]

    public init(issues: [PipelineIssue]) {
        self.issues = issues
    }

    /// One line per issue.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
