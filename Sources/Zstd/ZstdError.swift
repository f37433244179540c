import CZstd

/// A failure reported by libzstd, or found by this wrapper, during one zstd operation.
///
/// The message is the library's own text (`ZSTD_getErrorName`) when the library reported the problem, so it matches
/// what the `zstd` command-line tool would say. `description` reads as a sentence:
/// `zstd error 20: Data corruption detected - while decompressing`.
public struct ZstdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done when the error happened.
    public enum Operation: String, Sendable, Equatable {
        case createContext = "creating a context"
        case setParameter = "setting a parameter"
        case compress = "compressing"
        case flush = "flushing"
        case endFrame = "ending a frame"
        case decompress = "decompressing"
    }

    /// Who found the problem.
    public enum Reason: Sendable, Equatable {
        /// libzstd returned an error; `code` is its `ZSTD_ErrorCode` number (stable across library versions).
        case library(code: Int)
        /// One-shot decompression: the input ended inside a frame, `bytesInFrame` bytes after the frame began.
        case truncatedFrame(bytesInFrame: Int)
        /// An argument outside what the library accepts (for example a compression level out of range).
        case invalidArgument
        /// The library could not allocate a context.
        case outOfMemory
    }

    public let operation: Operation
    public let reason: Reason
    /// The library's message (`ZSTD_getErrorName`) or, for problems this wrapper found, a sentence saying what is wrong.
    public let message: String

    public init(operation: Operation, reason: Reason, message: String) {
        self.operation = operation
        self.reason = reason
        self.message = message
    }

    public var description: String {
        switch reason {
        case .library(let code):
            return "zstd error \(code): \(message) - while \(operation.rawValue)"
        case .truncatedFrame, .invalidArgument, .outOfMemory:
            return "zstd error: \(message) - while \(operation.rawValue)"
        }
    }

    /// Returns `rc` when it is not an error code, otherwise throws it as a `ZstdError` for `operation`.
    ///
    /// The single place where libzstd return codes become errors.
    @discardableResult
    static func check(_ rc: Int, _ operation: Operation) throws(ZstdError) -> Int {
        guard ZSTD_isError(rc) != 0 else { return rc }
        // libzstd encodes error `e` as `(size_t)-e`; this is exactly what `ZSTD_getErrorCode` (zstd_errors.h, which the
        // CZstd shim does not include) computes.
        let code = Int(truncatingIfNeeded: 0 &- UInt(bitPattern: rc))
        let name = ZSTD_getErrorName(rc).map { String(cString: $0) } ?? "unknown error"
        throw ZstdError(operation: operation, reason: .library(code: code), message: name)
    }
}
