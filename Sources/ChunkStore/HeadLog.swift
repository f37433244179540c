import Checksum
import Telemetry
import Zstd

/// The append-only head file: what the store holds in memory, flushed at least every 10 s as one record.
///
/// A head file is `header | record*`. Each record carries the checkpoint LSN it makes durable, a CRC-32C and a zstd
/// frame of blocks (docs/chunk-files.md). A torn last record (a crash mid-write) fails its length or checksum and
/// is cut off when the store opens; an intact record whose content cannot be read moves the checkpoint that recovery
/// reports back before it (`ChunkStore.recover`). Compaction writes a new generation of the head file holding only
/// what is still unsealed, and removes the old one.
struct HeadLog {
    /// One intact record: the checkpoint it carries and its decompressed payload.
    struct Record {
        var checkpoint: UInt64
        var payload: [UInt8]
    }

    /// What reading a head file found.
    struct Contents {
        var generation: UInt64
        var records: [Record]
        /// Bytes of intact header and records; anything past it is a torn or corrupt tail.
        var validLength: Int
        var size: Int
        var problem: String?
    }

    static func fileName(generation: UInt64) -> String {
        let digits = String(generation)
        return "head-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".log"
    }

    /// The generation of a head file's name, or nil for any other name.
    static func generation(ofFileName name: String) -> UInt64? {
        guard name.hasPrefix("head-"), name.hasSuffix(".log") else { return nil }
        let digits = name.dropFirst(5).dropLast(4)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    static func header(generation: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLE(ChunkFileFormat.headMagic)
        bytes.appendLE(ChunkFileFormat.version)
        bytes.appendLE(UInt16(0))
        bytes.appendLE(generation)
        bytes.appendLE(bytes.withUnsafeBytes { CRC32C.checksum($0) })
        return bytes
    }

    /// A record ready to append.
    static func record(checkpoint: UInt64, payload: [UInt8], compressor: ZstdCompressor) throws(ZstdError) -> [UInt8] {
        let stored = try compressor.compressWhole(payload)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(stored.count + ChunkFileFormat.headRecordHeaderSize)
        bytes.appendLE(UInt32(stored.count))
        bytes.appendLE(UInt32(0))  // checksum, filled below
        bytes.appendLE(checkpoint)
        bytes.appendLE(UInt32(payload.count))
        bytes.append(contentsOf: stored)
        let crc = bytes[8...].withUnsafeBytes { CRC32C.checksum($0) }
        bytes.storeLE(crc, at: 4)
        return bytes
    }

    /// Reads every intact record of the head file at `path`.
    static func read(path: String) throws(ChunkStoreError) -> Contents {
        let file = try DiskFile.openForReading(path)
        defer { file.close() }
        let size = try file.size
        let bytes = try file.read(count: size, at: 0)
        guard bytes.count >= ChunkFileFormat.headHeaderSize else {
            throw .corrupt(path: path, offset: 0, reason: "head file header truncated")
        }
        let generation: UInt64 = try withBytes(bytes) { (raw) throws(ChunkStoreError) -> UInt64 in
            var reader = ByteReader(raw)
            let magic = (try? reader.read(UInt32.self)) ?? 0
            let version = (try? reader.read(UInt16.self)) ?? 0
            _ = try? reader.read(UInt16.self)
            let generation = (try? reader.read(UInt64.self)) ?? 0
            let crc = (try? reader.read(UInt32.self)) ?? 0
            guard magic == ChunkFileFormat.headMagic else {
                throw .corrupt(path: path, offset: 0, reason: "not a head file (magic \(hex(magic)))")
            }
            guard version == ChunkFileFormat.version else {
                throw .corrupt(path: path, offset: 4, reason: "unsupported head file version \(version)")
            }
            guard crc == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<16])) else {
                throw .corrupt(path: path, offset: 16, reason: "head file header checksum mismatch")
            }
            return generation
        }
        var contents = Contents(generation: generation, records: [], validLength: ChunkFileFormat.headHeaderSize,
                                size: size, problem: nil)
        var offset = ChunkFileFormat.headHeaderSize
        while offset < bytes.count {
            guard bytes.count - offset >= ChunkFileFormat.headRecordHeaderSize else {
                contents.problem = "record header truncated at byte \(offset)"
                break
            }
            let (storedLength, crc, checkpoint, rawLength) = bytes.withUnsafeBytes { raw in
                (Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian),
                 raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian,
                 raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian,
                 Int(raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self).littleEndian))
            }
            let end = offset + ChunkFileFormat.headRecordHeaderSize + storedLength
            guard end <= bytes.count, rawLength <= ChunkFileFormat.maxFrameRawBytes * 64 else {
                contents.problem = "record at byte \(offset) runs past the end of the file"
                break
            }
            guard bytes[(offset + 8)..<end].withUnsafeBytes({ CRC32C.checksum($0) }) == crc else {
                contents.problem = "record at byte \(offset) fails its checksum"
                break
            }
            let stored = Array(bytes[(offset + ChunkFileFormat.headRecordHeaderSize)..<end])
            let payload: [UInt8]
            do {
                payload = rawLength == 0 ? [] : try ChunkFile.decompress(stored, rawLength: rawLength, path: path, offset: offset)
            } catch {
                contents.problem = "record at byte \(offset) does not decompress"
                break
            }
            contents.records.append(Record(checkpoint: checkpoint, payload: payload))
            offset = end
            contents.validLength = end
        }
        return contents
    }
}

/// The payload of a head record: series defined since the last record, then blocks.
///
/// `definitions u32 | (series id u32, series)* | blocks u32 | (partition i64, series id u32, length u32, block)*`.
struct HeadPayload {
    var definitions: [(id: UInt32, series: Telemetry.Series)] = []
    var blocks: [(partition: Int64, seriesID: UInt32, block: [UInt8])] = []

    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLE(UInt32(definitions.count))
        for definition in definitions {
            bytes.appendLE(definition.id)
            SeriesCoding.append(definition.series, to: &bytes)
        }
        bytes.appendLE(UInt32(blocks.count))
        for block in blocks {
            bytes.appendLE(block.partition)
            bytes.appendLE(block.seriesID)
            bytes.appendLE(UInt32(block.block.count))
            bytes.append(contentsOf: block.block)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> HeadPayload? {
        bytes.withUnsafeBytes { raw -> HeadPayload? in
            var reader = ByteReader(raw)
            var payload = HeadPayload()
            do {
                let definitionCount = Int(try reader.read(UInt32.self))
                guard definitionCount <= reader.remaining / 20 else { return nil }
                for _ in 0..<definitionCount {
                    let id = try reader.read(UInt32.self)
                    guard let series = try? SeriesCoding.read(&reader) else { return nil }
                    payload.definitions.append((id, series))
                }
                let blockCount = Int(try reader.read(UInt32.self))
                guard blockCount <= reader.remaining / 16 else { return nil }
                for _ in 0..<blockCount {
                    let partition = try reader.read(Int64.self)
                    let seriesID = try reader.read(UInt32.self)
                    let length = Int(try reader.read(UInt32.self))
                    let block = try reader.readBytes(length)
                    payload.blocks.append((partition, seriesID, Array(block)))
                }
                return reader.remaining == 0 ? payload : nil
            } catch {
                return nil
            }
        }
    }
}
