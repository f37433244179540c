import Checksum
import Telemetry
import Zstd

/// Writes one sealed chunk file: header, zstd frames of length-prefixed blocks, footer index, trailer.
///
/// The file is written under a temporary name, fsynced, renamed into place and its directory fsynced: a reader
/// never sees a partial file under a final name, and a sealed file is never written again.
enum ChunkFileWriter {
    /// One series' samples, sorted by timestamp.
    struct SeriesSamples {
        var series: Series
        var samples: [StoredSample]
    }

    struct IndexEntry {
        var seriesIndex: UInt32
        var frameOffset: UInt64
        var offsetInFrame: UInt32
        var length: UInt32
        var count: UInt32
        var minTimestamp: Int64
        var maxTimestamp: Int64
        /// CRC-32C of the block's bytes (as they stand in the decompressed frame).
        var crc: UInt32

        static let size = 44
    }

    /// Writes `content` to `path` atomically (returning the file's size) but leaves its directory's fsync to the
    /// caller (`unsyncedDirectories`): a compaction sealing many partitions syncs each directory once.
    @discardableResult
    static func write(path: String, kind: ChunkFileKind, partition: Partition, generation: UInt64,
                      content: [SeriesSamples], unsyncedDirectories: inout Set<String>) throws(ChunkStoreError) -> Int {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * 1024)
        appendHeader(to: &bytes, kind: kind, partition: partition, generation: generation)

        let compressor: ZstdCompressor
        do { compressor = try ZstdCompressor(level: ChunkFileFormat.zstdLevel, checksum: false) } catch {
            throw .io(path: path, operation: "starting zstd for", reason: error.description)
        }
        var entries: [IndexEntry] = []
        var frame: [UInt8] = []
        var frameEntries: [Int] = []  // indices into `entries` waiting for their frame's offset

        func finishFrame() throws(ChunkStoreError) {
            guard !frame.isEmpty else { return }
            let stored: [UInt8]
            do { stored = try compressor.compressWhole(frame) } catch {
                throw .io(path: path, operation: "compressing a frame of", reason: error.description)
            }
            let offset = UInt64(bytes.count)
            bytes.appendLE(UInt32(stored.count))
            bytes.appendLE(UInt32(frame.count))
            bytes.appendLE(stored.withUnsafeBytes { CRC32C.checksum($0) })
            bytes.append(contentsOf: stored)
            for index in frameEntries { entries[index].frameOffset = offset }
            frameEntries.removeAll()
            frame.removeAll(keepingCapacity: true)
        }

        for (seriesIndex, item) in content.enumerated() {
            var start = 0
            while start < item.samples.count {
                let end = min(start + ChunkFileFormat.maxBlockSamples, item.samples.count)
                let slice = item.samples[start..<end]
                var block: [UInt8] = []
                BlockColumns.encode(slice, into: &block)
                frameEntries.append(entries.count)
                entries.append(IndexEntry(
                    seriesIndex: UInt32(seriesIndex), frameOffset: 0, offsetInFrame: UInt32(frame.count),
                    length: UInt32(block.count), count: UInt32(slice.count),
                    minTimestamp: slice.lazy.map(\.timestamp).min()!, maxTimestamp: slice.lazy.map(\.timestamp).max()!,
                    crc: block.withUnsafeBytes { CRC32C.checksum($0) }))
                frame.append(contentsOf: block)
                if frame.count >= ChunkFileFormat.frameTargetBytes { try finishFrame() }
                start = end
            }
        }
        try finishFrame()

        let footerOffset = bytes.count
        var footer: [UInt8] = []
        footer.appendLE(UInt32(content.count))
        for item in content { SeriesCoding.append(item.series, to: &footer) }
        footer.appendLE(UInt32(entries.count))
        for entry in entries {
            footer.appendLE(entry.seriesIndex)
            footer.appendLE(entry.frameOffset)
            footer.appendLE(entry.offsetInFrame)
            footer.appendLE(entry.length)
            footer.appendLE(entry.count)
            footer.appendLE(entry.minTimestamp)
            footer.appendLE(entry.maxTimestamp)
            footer.appendLE(entry.crc)
        }
        bytes.append(contentsOf: footer)
        bytes.appendLE(UInt64(footerOffset))
        bytes.appendLE(UInt32(footer.count))
        bytes.appendLE(footer.withUnsafeBytes { CRC32C.checksum($0) })
        bytes.appendLE(ChunkFileFormat.endMagic)

        try DiskDirectory.writeAtomically(bytes, to: path, unsyncedDirectories: &unsyncedDirectories)
        return bytes.count
    }

    static func appendHeader(to bytes: inout [UInt8], kind: ChunkFileKind, partition: Partition, generation: UInt64) {
        let start = bytes.count
        bytes.appendLE(ChunkFileFormat.fileMagic)
        bytes.appendLE(ChunkFileFormat.version)
        bytes.appendLE(kind.rawValue)
        bytes.appendLE(partition.start)
        bytes.appendLE(partition.end)
        bytes.appendLE(generation)
        let crc = bytes[start...].withUnsafeBytes { CRC32C.checksum($0) }
        bytes.appendLE(crc)
    }
}

func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
