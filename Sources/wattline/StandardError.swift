import Foundation

/// Writes a line to standard error (diagnostics and summaries never mix with the JSON on standard output).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
