import Checksum

/// The 36-byte header that starts every record; pure encoding and decoding, no I/O.
///
/// Layout (little-endian), as docs/write-ahead-log.md draws it:
///
///     0  magic u16 | 2 kind u8 | 3 flags u8 | 4 length u32 | 8 crc32c u32 | 12 lsn u64 | 20 time i64 |
///     28 qos u8 | 29 reserved u8 | 30 topic length u16 | 32 payload length u32 | 36 topic | payload
///
/// The checksum covers every byte of the record except its own four (bytes 0..<8 and 12..<length).
struct RecordHeader: Equatable, Sendable {
    /// First two bytes of every record (`A5 C9` on disk): both bytes are above 0x7F, so ASCII text never holds it.
    static let magic: UInt16 = 0xC9A5
    static let size = 36
    static let maxTopicBytes = Int(UInt16.max)
    /// MQTT's largest possible payload (the 268,435,455-byte packet limit).
    static let maxPayloadBytes = 268_435_455
    static let maxRecordBytes = size + maxTopicBytes + maxPayloadBytes
    /// Bit 0 of the flags byte: the broker delivered a retained message.
    static let retainFlag: UInt8 = 0x01

    static let checksumOffset = 8

    var kind: RecordKind
    var retained: Bool
    /// The whole record, header included.
    var length: UInt32
    var checksum: UInt32
    var lsn: UInt64
    /// Receive time (message) or tick time, milliseconds since the Unix epoch.
    var time: Int64
    var qos: UInt8
    var topicLength: UInt16
    var payloadLength: UInt32

    /// A header for a record of these parts; the checksum is left 0 until `seal` computes it.
    init(kind: RecordKind, lsn: UInt64, time: Int64, qos: UInt8, retained: Bool, topicLength: Int, payloadLength: Int) {
        self.kind = kind
        self.retained = retained
        self.length = UInt32(Self.size + topicLength + payloadLength)
        self.checksum = 0
        self.lsn = lsn
        self.time = time
        self.qos = qos
        self.topicLength = UInt16(topicLength)
        self.payloadLength = UInt32(payloadLength)
    }

    /// Writes the 36 header bytes to `destination` (no alignment needed).
    func encode(into destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt16.self)
        destination.storeBytes(of: kind.rawValue, toByteOffset: 2, as: UInt8.self)
        destination.storeBytes(of: retained ? Self.retainFlag : 0, toByteOffset: 3, as: UInt8.self)
        destination.storeBytes(of: length.littleEndian, toByteOffset: 4, as: UInt32.self)
        destination.storeBytes(of: checksum.littleEndian, toByteOffset: 8, as: UInt32.self)
        destination.storeBytes(of: lsn.littleEndian, toByteOffset: 12, as: UInt64.self)
        destination.storeBytes(of: time.littleEndian, toByteOffset: 20, as: Int64.self)
        destination.storeBytes(of: qos, toByteOffset: 28, as: UInt8.self)
        destination.storeBytes(of: UInt8(0), toByteOffset: 29, as: UInt8.self)
        destination.storeBytes(of: topicLength.littleEndian, toByteOffset: 30, as: UInt16.self)
        destination.storeBytes(of: payloadLength.littleEndian, toByteOffset: 32, as: UInt32.self)
    }

    /// Computes the checksum of the record made of `header` (its 36 encoded bytes), `topic` and `payload`, and
    /// stores it in the header bytes.
    static func seal(header: UnsafeMutableRawBufferPointer, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        let bytes = UnsafeRawBufferPointer(header)
        var crc = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: bytes[0..<checksumOffset]))
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: bytes[(checksumOffset + 4)..<size]))
        crc = CRC32C.update(crc, topic)
        crc = CRC32C.update(crc, payload)
        header.storeBytes(of: crc.littleEndian, toByteOffset: checksumOffset, as: UInt32.self)
    }

    /// Decodes and checks the fields of the header at the start of `bytes` (at least `size` bytes). The checksum is
    /// not checked here: see `verifyChecksum(record:)`.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<RecordHeader, CorruptionReason> {
        precondition(bytes.count >= size)
        let magic = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
        guard magic == Self.magic else { return .failure(.badMagic(found: UInt32(magic))) }
        let kindByte = bytes[2]
        guard let kind = RecordKind(rawValue: kindByte) else { return .failure(.unknownKind(kindByte)) }
        let flags = bytes[3]
        let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let checksum = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let lsn = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
        let time = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: Int64.self))
        let qos = bytes[28]
        let reserved = bytes[29]
        let topicLength = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 30, as: UInt16.self))
        let payloadLength = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 32, as: UInt32.self))

        guard flags & ~retainFlag == 0 else { return .failure(.badField("flags byte 0x\(hex(flags)) has unknown bits set")) }
        guard reserved == 0 else { return .failure(.badField("reserved byte 29 is 0x\(hex(reserved)), not 0")) }
        guard qos <= 2 else { return .failure(.badField("QoS \(qos) is not 0, 1 or 2")) }
        guard Int(payloadLength) <= maxPayloadBytes else {
            return .failure(.badField("payload length \(payloadLength) exceeds the MQTT limit \(maxPayloadBytes)"))
        }
        if kind == .tick {
            guard flags == 0, qos == 0, topicLength == 0, payloadLength == 0 else {
                return .failure(.badField("a tick record has a flag, QoS, topic or payload"))
            }
        }
        let expected = size + Int(topicLength) + Int(payloadLength)
        guard Int(length) == expected else {
            return .failure(.badField("length \(length) is not 36 + topic \(topicLength) + payload \(payloadLength)"))
        }
        var header = RecordHeader(
            kind: kind, lsn: lsn, time: time, qos: qos, retained: flags & retainFlag != 0,
            topicLength: Int(topicLength), payloadLength: Int(payloadLength))
        header.checksum = checksum
        return .success(header)
    }

    /// Checks the stored checksum of a complete record (`record.count == length`).
    func verifyChecksum(record: UnsafeRawBufferPointer) -> CorruptionReason? {
        var crc = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: record[0..<Self.checksumOffset]))
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: record[(Self.checksumOffset + 4)...]))
        return crc == checksum ? nil : .checksumMismatch(stored: checksum, computed: crc)
    }

    /// The topic bytes of the complete record `record`.
    func topic(in record: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: record[Self.size..<(Self.size + Int(topicLength))])
    }

    /// The payload bytes of the complete record `record`.
    func payload(in record: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: record[(Self.size + Int(topicLength))..<Int(length)])
    }
}
