import Foundation
import JSONTape
import Logging
import Telemetry

/// swift-log handler writing one JSON object per line to standard error (`--log-format json`), for log shippers:
/// `{"ts":"…","level":"info","label":"wattline.ingest","message":"…", metadata…}`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var writer = JSONObjectWriter()
        writer.field("ts", Timestamp.format(Int64(Date().timeIntervalSince1970 * 1000)))
        writer.field("level", event.level.rawValue)
        writer.field("label", label)
        writer.field("message", event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            writer.field(key, merged[key]!.description)
        }
        FileHandle.standardError.write(Data((writer.finish() + "\n").utf8))
    }
}
