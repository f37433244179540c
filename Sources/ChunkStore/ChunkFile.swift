import Checksum
import Telemetry
import Zstd

/// A sealed chunk file opened for reading: header and footer index checked and loaded, frames read on demand.
///
/// Every length, offset and checksum is verified before it is trusted; a bad file throws `ChunkStoreError.corrupt`
/// with its path and the offset of the bad part, and never makes the reader crash or over-allocate.
public final class ChunkFile {
    public let path: String
    public let kind: ChunkFileKind
    public let partition: Partition
    /// The head generation this file was compacted from.
    public let generation: UInt64
    public let size: Int
    /// The series the file holds, in the order its index refers to them.
    public let series: [Series]
    let entries: [ChunkFileWriter.IndexEntry]
    private let file: DiskFile
    private let footerOffset: Int
    private var cachedFrame: (offset: UInt64, bytes: [UInt8])?
    /// Each series' index entries (for both range and point reads), its position among `series`, and, for point
    /// lookups (the store's duplicate check of a late sample), the last blocks decoded (by entry index, at most `blockCacheSize`). Built on first use.
    private var entriesBySeries: [[Int]]?
    private var seriesPositions: [Series: Int]?
    private var decodedBlocks: [Int: [StoredSample]] = [:]
    private static let blockCacheSize = 32

    public init(path: String) throws(ChunkStoreError) {
        self.path = path
        file = try DiskFile.openForReading(path)
        size = try file.size
        guard size >= ChunkFileFormat.headerSize + ChunkFileFormat.trailerSize else {
            throw .corrupt(path: path, offset: 0, reason: "\(size) bytes is shorter than a header and a trailer")
        }
        let header = try file.read(count: ChunkFileFormat.headerSize, at: 0)
        let parsed = try withBytes(header) { (raw) throws(ChunkStoreError) -> (ChunkFileKind, Partition, UInt64) in
            var reader = ByteReader(raw)
            do {
                let magic = try reader.read(UInt32.self)
                guard magic == ChunkFileFormat.fileMagic else {
                    throw ChunkStoreError.corrupt(path: path, offset: 0, reason: "not a chunk file (magic \(hex(magic)))")
                }
                let version = try reader.read(UInt16.self)
                guard version == ChunkFileFormat.version else {
                    throw ChunkStoreError.corrupt(path: path, offset: 4, reason: "unsupported version \(version)")
                }
                let kindCode = try reader.read(UInt16.self)
                let start = try reader.read(Int64.self)
                let end = try reader.read(Int64.self)
                let generation = try reader.read(UInt64.self)
                let crc = try reader.read(UInt32.self)
                guard crc == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<32])) else {
                    throw ChunkStoreError.corrupt(path: path, offset: 32, reason: "header checksum mismatch")
                }
                let partition = Partition(containing: start)
                guard let kind = ChunkFileKind(rawValue: kindCode), partition.start == start, partition.end == end else {
                    throw ChunkStoreError.corrupt(path: path, offset: 6, reason: "header fields out of range")
                }
                return (kind, partition, generation)
            } catch let error as ChunkStoreError {
                throw error
            } catch {
                throw ChunkStoreError.corrupt(path: path, offset: 0, reason: "header truncated")
            }
        }
        (kind, partition, generation) = parsed

        let trailerAt = size - ChunkFileFormat.trailerSize
        let trailer = try file.read(count: ChunkFileFormat.trailerSize, at: trailerAt)
        var trailerReader = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0))
        let (footerOffset, footerLength, footerCRC, endMagic) = trailer.withUnsafeBytes { raw in
            trailerReader = ByteReader(raw)
            return ((try? trailerReader.read(UInt64.self)) ?? 0, (try? trailerReader.read(UInt32.self)) ?? 0,
                    (try? trailerReader.read(UInt32.self)) ?? 0, (try? trailerReader.read(UInt32.self)) ?? 0)
        }
        guard endMagic == ChunkFileFormat.endMagic else {
            throw .corrupt(path: path, offset: trailerAt + 16, reason: "no end marker: the file is truncated")
        }
        guard footerOffset >= UInt64(ChunkFileFormat.headerSize), footerOffset <= UInt64(trailerAt),
              Int(footerOffset) + Int(footerLength) == trailerAt, Int(footerLength) <= ChunkFileFormat.maxFooterBytes
        else {
            throw .corrupt(path: path, offset: trailerAt, reason: "footer at \(footerOffset) (\(footerLength) bytes) does not fit the file")
        }
        self.footerOffset = Int(footerOffset)
        let footer = try file.read(count: Int(footerLength), at: Int(footerOffset))
        guard footer.count == Int(footerLength), footer.withUnsafeBytes({ CRC32C.checksum($0) }) == footerCRC else {
            throw .corrupt(path: path, offset: Int(footerOffset), reason: "footer checksum mismatch")
        }
        (series, entries) = try Self.parseFooter(footer, path: path, footerOffset: Int(footerOffset))
    }

    private static func parseFooter(_ footer: [UInt8], path: String, footerOffset: Int)
        throws(ChunkStoreError) -> ([Series], [ChunkFileWriter.IndexEntry]) {
        let result: Result<([Series], [ChunkFileWriter.IndexEntry]), ChunkStoreError> = footer.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            func corrupt(_ reason: String) -> ChunkStoreError {
                .corrupt(path: path, offset: footerOffset + reader.offset, reason: reason)
            }
            do {
                let seriesCount = Int(try reader.read(UInt32.self))
                guard seriesCount <= reader.remaining / 20 else { return .failure(corrupt("series count \(seriesCount) too large")) }
                var series: [Series] = []
                series.reserveCapacity(seriesCount)
                for _ in 0..<seriesCount {
                    do { series.append(try SeriesCoding.read(&reader)) } catch {
                        return .failure(corrupt("series \(series.count) cannot be read (\(error))"))
                    }
                }
                let entryCount = Int(try reader.read(UInt32.self))
                guard entryCount == reader.remaining / ChunkFileWriter.IndexEntry.size,
                      reader.remaining % ChunkFileWriter.IndexEntry.size == 0 else {
                    return .failure(corrupt("index of \(entryCount) entries does not fill the footer"))
                }
                var entries: [ChunkFileWriter.IndexEntry] = []
                entries.reserveCapacity(entryCount)
                for _ in 0..<entryCount {
                    let entry = ChunkFileWriter.IndexEntry(
                        seriesIndex: try reader.read(), frameOffset: try reader.read(), offsetInFrame: try reader.read(),
                        length: try reader.read(), count: try reader.read(), minTimestamp: try reader.read(),
                        maxTimestamp: try reader.read(), crc: try reader.read())
                    guard Int(entry.seriesIndex) < series.count,
                          entry.frameOffset >= UInt64(ChunkFileFormat.headerSize),
                          entry.frameOffset < UInt64(footerOffset),
                          entry.minTimestamp <= entry.maxTimestamp else {
                        return .failure(corrupt("index entry \(entries.count) points outside the file"))
                    }
                    entries.append(entry)
                }
                return .success((series, entries))
            } catch {
                return .failure(corrupt("footer truncated"))
            }
        }
        return try result.get()
    }

    /// The samples of `seriesIndex` in [from, to), in file order (sorted by timestamp).
    func samples(seriesIndex: Int, from: Int64, to: Int64, into output: inout [StoredSample]) throws(ChunkStoreError) {
        for k in entryIndices(ofSeries: seriesIndex) {
            let entry = entries[k]
            guard entry.maxTimestamp >= from, entry.minTimestamp < to else { continue }
            let decoded = try block(entry)
            output.append(contentsOf: decoded.lazy.filter { $0.timestamp >= from && $0.timestamp < to })
        }
    }

    /// The positions in `entries` of the blocks of `seriesIndex`, in file order (grouped on first use).
    private func entryIndices(ofSeries seriesIndex: Int) -> [Int] {
        if entriesBySeries == nil {
            var grouped = [[Int]](repeating: [], count: series.count)
            for (k, entry) in entries.enumerated() where Int(entry.seriesIndex) < series.count {
                grouped[Int(entry.seriesIndex)].append(k)
            }
            entriesBySeries = grouped
        }
        return seriesIndex >= 0 && seriesIndex < entriesBySeries!.count ? entriesBySeries![seriesIndex] : []
    }

    /// The position of `series` among `series`, nil when the file does not hold it (a hash lookup, built once).
    func seriesIndex(of series: Series) -> Int? {
        if seriesPositions == nil {
            seriesPositions = Dictionary(self.series.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        return seriesPositions![series]
    }

    /// The samples of `seriesIndex` at exactly `timestamp`: only that series' blocks are looked at, and recently
    /// decoded blocks are kept, so a run of late samples checked against the same blocks decodes each block once.
    func samples(seriesIndex: Int, at timestamp: Int64, into output: inout [StoredSample]) throws(ChunkStoreError) {
        for k in entryIndices(ofSeries: seriesIndex) {
            let entry = entries[k]
            guard entry.minTimestamp <= timestamp, entry.maxTimestamp >= timestamp else { continue }
            let decoded: [StoredSample]
            if let cached = decodedBlocks[k] {
                decoded = cached
            } else {
                decoded = try block(entry)
                if decodedBlocks.count >= Self.blockCacheSize { decodedBlocks.removeAll(keepingCapacity: true) }
                decodedBlocks[k] = decoded
            }
            output.append(contentsOf: decoded.lazy.filter { $0.timestamp == timestamp })
        }
    }

    /// How many samples the file holds.
    public var sampleCount: Int { entries.reduce(0) { $0 + Int($1.count) } }

    /// Decodes every block, checking every frame: what `wattline stats --verify` and the tests use.
    public func verify() throws(ChunkStoreError) {
        for entry in entries { _ = try block(entry) }
    }

    private func block(_ entry: ChunkFileWriter.IndexEntry) throws(ChunkStoreError) -> [StoredSample] {
        let frame = try frame(at: entry.frameOffset)
        let start = Int(entry.offsetInFrame)
        let end = start + Int(entry.length)
        guard end <= frame.count else {
            throw .corrupt(path: path, offset: Int(entry.frameOffset), reason: "block runs past the end of its frame")
        }
        let bytes = Array(frame[start..<end])
        guard bytes.withUnsafeBytes({ CRC32C.checksum($0) }) == entry.crc else {
            throw .corrupt(path: path, offset: Int(entry.frameOffset), reason: "block \(start) of the frame fails its checksum")
        }
        let samples: [StoredSample]
        do { samples = try BlockColumns.decode(bytes) } catch {
            throw .corrupt(path: path, offset: Int(entry.frameOffset), reason: "block \(start) of the frame: \(error)")
        }
        guard samples.count == Int(entry.count) else {
            throw .corrupt(path: path, offset: Int(entry.frameOffset), reason: "block holds \(samples.count) samples, the index says \(entry.count)")
        }
        return samples
    }

    private func frame(at offset: UInt64) throws(ChunkStoreError) -> [UInt8] {
        if let cachedFrame, cachedFrame.offset == offset { return cachedFrame.bytes }
        let at = Int(offset)
        let header = try file.read(count: ChunkFileFormat.frameHeaderSize, at: at)
        guard header.count == ChunkFileFormat.frameHeaderSize else {
            throw .corrupt(path: path, offset: at, reason: "frame header truncated")
        }
        let (storedLength, rawLength, crc) = header.withUnsafeBytes { raw in
            (Int(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian),
             Int(raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        }
        guard at + ChunkFileFormat.frameHeaderSize + storedLength <= footerOffset,
              rawLength > 0, rawLength <= ChunkFileFormat.maxFrameRawBytes else {
            throw .corrupt(path: path, offset: at, reason: "frame lengths (\(storedLength) stored, \(rawLength) raw) do not fit")
        }
        let stored = try file.read(count: storedLength, at: at + ChunkFileFormat.frameHeaderSize)
        guard stored.count == storedLength, stored.withUnsafeBytes({ CRC32C.checksum($0) }) == crc else {
            throw .corrupt(path: path, offset: at, reason: "frame checksum mismatch")
        }
        let raw = try Self.decompress(stored, rawLength: rawLength, path: path, offset: at)
        cachedFrame = (offset, raw)
        return raw
    }

    /// Decompresses exactly `rawLength` bytes, refusing anything else.
    static func decompress(_ stored: [UInt8], rawLength: Int, path: String, offset: Int) throws(ChunkStoreError) -> [UInt8] {
        do {
            let decompressor = try ZstdDecompressor()
            let (output, consumed) = try decompressor.decompress(stored, maxOutput: rawLength)
            guard output.count == rawLength, consumed == stored.count, case .complete = try decompressor.finish() else {
                throw ChunkStoreError.corrupt(path: path, offset: offset, reason: "frame does not decompress to its \(rawLength) bytes")
            }
            return output
        } catch let error as ChunkStoreError {
            throw error
        } catch {
            throw .corrupt(path: path, offset: offset, reason: "frame does not decompress: \(error)")
        }
    }
}

func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }
