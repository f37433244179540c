import ChunkCodec
import Foundation
import Telemetry

/// What the reordering window upstream of the processors (the ingest worker's `ReadingSequencer`) had released of
/// each series, as of a processors checkpoint: the last (timestamp, value) pairs per series, oldest first, from
/// records up to the checkpoint's LSN only.
///
/// Part of the processors' checkpoint because it belongs to the same cut of the log: after a restart the window
/// recognises a reading delivered again (a QoS 1 redelivery, logged as a new record) of a message the processors
/// had already applied, and keeps it from them. Records read again after a restart carry LSNs up to the
/// checkpoint and are never judged against it.
public struct ReleasedHistory: Sendable, Equatable {
    /// One series' released readings, oldest first (`timestamps` and `values` have the same count).
    public struct Released: Sendable, Equatable {
        public var series: Series
        public var timestamps: [Int64]
        public var values: [Double]
        /// Which of them had a timestamp in the future of their receive time (same count, or empty when none
        /// had): a restart keeps those apart, so they cannot crowd the ordinary pairs out of the history. Set only
        /// through the initializer, which stores no flags when none is set (so a history equals its decoded copy).
        public private(set) var future: [Bool]

        public init(series: Series, timestamps: [Int64], values: [Double], future: [Bool] = []) {
            precondition(timestamps.count == values.count, "a released series needs a value per timestamp")
            precondition(future.isEmpty || future.count == timestamps.count, "a future flag per timestamp, or none")
            self.series = series
            self.timestamps = timestamps
            self.values = values
            self.future = future.contains(true) ? future : []
        }
    }

    public var series: [Released]

    public init(series: [Released] = []) {
        self.series = series
    }
}

/// Stored compactly: per series its identity and one block of the chunk codec (docs/chunk-codec.md: delta-of-delta
/// timestamps, decimal-aware values, every bit pattern kept), base64 in the JSON; a version number first. A pair
/// from the future has attribute 1 in the block, the others 0: a snapshot written before the flag existed reads as
/// having none, and a build before it reads the flagged pairs as ordinary ones, as it always did.
extension ReleasedHistory: Codable {
    static let version = 1

    enum CodingKeys: String, CodingKey {
        case version, series
    }

    struct Packed: Codable {
        var series: Series
        var packed: Data
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard try c.decode(Int.self, forKey: .version) == Self.version else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: c,
                                                   debugDescription: "an unknown version of the released history")
        }
        series = try c.decode([Packed].self, forKey: .series).map { item in
            do {
                let block = try BlockDecoder.decode([UInt8](item.packed))
                let future = block.attributes.contains { $0 != 0 } ? block.attributes.map { $0 & 1 != 0 } : []
                return Released(series: item.series, timestamps: block.timestamps, values: block.values, future: future)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: .series, in: c,
                                                       debugDescription: "a released series is malformed: \(error)")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.version, forKey: .version)
        try c.encode(series.map { item in
            // A block holds at most 65,535 samples; a series' history is a few dozen.
            let n = min(item.timestamps.count, BlockFormat.maximumSampleCount)
            let attributes = item.future.isEmpty ? [UInt32](repeating: 0, count: n) : item.future.suffix(n).map { $0 ? 1 : 0 }
            let block = BlockEncoder.encode(timestamps: Array(item.timestamps.suffix(n)), values: Array(item.values.suffix(n)),
                                            attributes: attributes)
            return Packed(series: item.series, packed: Data(block))
        }, forKey: .series)
    }
}

/// The processors' checkpoint snapshot: the chain's own JSON object, with the released history under one more key
/// (`releasedHistory`, left out when there is none). The chain's decoding ignores the key, so a snapshot written
/// before it existed restores (with no history) and one written with it restores in a build without it.
struct ProcessorSnapshot: Codable {
    var chain: ProcessorChain
    var releasedHistory: ReleasedHistory?

    enum CodingKeys: String, CodingKey {
        case releasedHistory
    }

    init(chain: ProcessorChain, releasedHistory: ReleasedHistory?) {
        self.chain = chain
        self.releasedHistory = releasedHistory
    }

    init(from decoder: any Decoder) throws {
        chain = try ProcessorChain(from: decoder)
        releasedHistory = try decoder.container(keyedBy: CodingKeys.self)
            .decodeIfPresent(ReleasedHistory.self, forKey: .releasedHistory)
    }

    func encode(to encoder: any Encoder) throws {
        try chain.encode(to: encoder)
        // The same keyed container at the top level: one JSON object.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(releasedHistory, forKey: .releasedHistory)
    }
}
