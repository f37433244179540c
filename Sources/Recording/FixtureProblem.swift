/// Something wrong with a fixture that the reader stepped over: it keeps reading and reports it here.
public enum FixtureProblem: Sendable, Equatable, CustomStringConvertible {
    /// A line that is not a valid message; it was skipped.
    case malformedLine(line: Int, reason: FixtureLineError)
    /// The input ended without a newline, and the unterminated last line did not parse (typically a recording cut
    /// short mid-write); it was skipped. An unterminated last line that parses is read normally.
    case tornLastLine(line: Int, byteCount: Int, reason: FixtureLineError)
    /// The zstd input ended inside a frame, `bytesInFrame` compressed bytes after it began. Everything decoded
    /// before the cut was read; the rest of that frame is lost.
    case truncatedCompressedFrame(bytesInFrame: Int)

    public var description: String {
        switch self {
        case .malformedLine(let line, let reason):
            return "line \(line): skipped: \(reason)"
        case .tornLastLine(let line, let byteCount, let reason):
            return "line \(line): torn last line (\(byteCount) bytes, no final newline), skipped: \(reason)"
        case .truncatedCompressedFrame(let bytesInFrame):
            return "the input ends inside a zstd frame, \(bytesInFrame) bytes after it began;"
                + " messages after its last complete block are lost"
        }
    }
}
