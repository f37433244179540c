import Foundation
import Telemetry
import WriteAheadLog

/// A fresh directory under the system's temporary folder, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init(_ name: String = "wal") {
        let template = NSTemporaryDirectory() + "wattline-\(name)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { fatalError("mkdtemp failed for \(template)") }
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path inside the directory (the log's own folder, usually).
    func appending(_ component: String) -> String { path + "/" + component }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The segment file names in `directory`, sorted.
func segmentNames(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".wal") }.sorted()
}

/// Deterministic pseudo-random bytes (SplitMix64), so failures repeat.
struct TestBytes {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

/// A varied message: binary payload of `payloadBytes`, topic with the index in it.
func sampleMessage(_ index: Int, payloadBytes: Int, generator: inout TestBytes) -> InboundMessage {
    InboundMessage(
        receivedAt: 1_795_262_400_000 + Int64(index) * 250, topic: "ocpp/CP-\(index % 7)/in", qos: UInt8(index % 3),
        retained: index % 5 == 0, payload: generator.bytes(payloadBytes))
}

/// Every entry a fresh reader returns from `lsn`, stopping at the first error.
func readAll(_ directory: String, from lsn: UInt64 = 1) throws -> [LogEntry] {
    let reader = try LogReader(directory: directory, from: lsn)
    var entries: [LogEntry] = []
    while let entry = try reader.next() { entries.append(entry) }
    return entries
}

/// What a reader returns from `lsn`, errors included, until it has nothing more.
enum ReadOutcome: Equatable {
    case entry(LogEntry)
    case failure(WriteAheadLogError)
}

func readAllOutcomes(_ directory: String, from lsn: UInt64 = 1) throws -> [ReadOutcome] {
    let reader = try LogReader(directory: directory, from: lsn)
    var outcomes: [ReadOutcome] = []
    while outcomes.count < 100_000 {
        do {
            guard let entry = try reader.next() else { break }
            outcomes.append(.entry(entry))
        } catch {
            outcomes.append(.failure(error))
        }
    }
    return outcomes
}

/// Overwrites bytes of a file in place.
func patchFile(_ path: String, at offset: UInt64, with bytes: [UInt8]) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data(bytes))
}

/// Flips bit `bit` of the byte at `offset`.
func flipBit(_ path: String, at offset: UInt64, bit: UInt8 = 3) throws {
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    data[Int(offset)] ^= 1 << bit
    try data.write(to: URL(fileURLWithPath: path))
}

func fileSize(_ path: String) throws -> UInt64 {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
}
