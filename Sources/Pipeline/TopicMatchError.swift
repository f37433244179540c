import Telemetry

/// A topic that fits a template's shape but carries a value the template refuses: a charger id with `../`, a
/// connector that is not a number. The message is rejected with this reason; the text is never used as a path.
public struct TopicMatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the captured text.
    public enum Problem: Sendable, Equatable {
        /// A site, charger or EVSE id that `Identifier` refuses, with its reason.
        case invalidIdentifier(IdentifierError)
        /// An EVSE or connector segment that is not a decimal number (the text, made printable).
        case notAnInteger(String)
        /// An EVSE or connector number above 999.
        case outOfRange(Int)
        /// An action, stream, module or impl segment that is empty, longer than 64 bytes, or has control
        /// characters or spaces.
        case invalidName(String)
    }

    /// The template's text.
    public var template: String
    /// The template's index in `topics`.
    public var templateIndex: Int
    /// The variable whose capture was refused.
    public var variable: TopicVariable
    /// Why.
    public var problem: Problem

    public init(template: String, templateIndex: Int, variable: TopicVariable, problem: Problem) {
        self.template = template
        self.templateIndex = templateIndex
        self.variable = variable
        self.problem = problem
    }

    public var description: String {
        let head = "topic matches topics[\(templateIndex)] '\(template)', but "
        switch problem {
        case .invalidIdentifier(let error):
            return head + error.description
        case .notAnInteger(let text):
            return head + "\(variable.rawValue) must be an integer 0...999, found '\(text)'"
        case .outOfRange(let number):
            return head + "\(variable.rawValue) \(number) is out of range 0...999"
        case .invalidName(let text):
            return head + "\(variable.rawValue) '\(text)' must be 1 to 64 printable bytes without spaces"
        }
    }

    /// Bytes shown safely in a message: printable ASCII kept, anything else as `\xNN`, at most 64 bytes.
    static func printable(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> String {
        var text = ""
        for byte in bytes.prefix(64) {
            if byte >= 0x20 && byte < 0x7F && byte != 0x5C {
                text.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        if bytes.count > 64 { text += "…" }
        return text
    }
}
