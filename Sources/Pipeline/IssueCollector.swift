/// Gathers the issues of one load, so that a pipeline reports all its problems at once.
///
/// Reference semantics on purpose: every ``ConfigNode`` read from one load shares the same collector. It is
/// confined to the thread doing the load and is not `Sendable`; the finished ``PipelineError`` is.
public final class IssueCollector {
    /// The issues reported so far, in the order reported.
    public private(set) var issues: [PipelineIssue] = []

    /// Files in the order they were first loaded; used to sort issues.
    private var fileOrder: [String: Int] = [:]

    public init() {}

    /// True while nothing was reported.
    public var isEmpty: Bool { issues.isEmpty }

    /// Records a problem.
    public func report(_ problem: PipelineIssue.Problem, at location: SourceLocation, path: ConfigPath) {
        issues.append(PipelineIssue(problem, at: location, path: path))
    }

    /// Notes that a file was loaded, fixing its place in the sorted output.
    func noteFile(_ file: String) {
        if fileOrder[file] == nil { fileOrder[file] = fileOrder.count }
    }

    /// The issues sorted by file load order, then line and column (stable for equal locations).
    public var sortedIssues: [PipelineIssue] {
        issues.enumerated().sorted { a, b in
            let fa = fileOrder[a.element.location.file] ?? Int.max
            let fb = fileOrder[b.element.location.file] ?? Int.max
            if fa != fb { return fa < fb }
            if a.element.location.file != b.element.location.file {
                return a.element.location.file < b.element.location.file
            }
            if a.element.location.line != b.element.location.line {
                return a.element.location.line < b.element.location.line
            }
            if a.element.location.column != b.element.location.column {
                return a.element.location.column < b.element.location.column
            }
            return a.offset < b.offset
        }.map(\.element)
    }
}
