/// A test fixture could not be set up: what went wrong, with the broker's log or the tool's output if any.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
