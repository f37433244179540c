import Zstd

/// How a fixture file is stored on disk.
public enum FixtureCompression: Sendable, Equatable {
    /// Plain JSON Lines (`.jsonl`).
    case none
    /// JSON Lines compressed as a sequence of zstd frames (`.jsonl.zst`).
    case zstd

    /// The compression a writer uses for `path` when none is given: `.zstd` for names ending in `.zst`.
    ///
    /// Readers do not rely on the name: they detect zstd by its magic bytes (`Zstd.frameMagic`, 28 B5 2F FD).
    public static func inferred(fromPath path: String) -> FixtureCompression {
        path.hasSuffix(".zst") ? .zstd : .none
    }
}
