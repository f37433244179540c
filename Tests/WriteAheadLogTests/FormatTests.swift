import Foundation
import Testing
import Checksum
import WriteAheadLog

/// The bytes on disk, pinned to docs/write-ahead-log.md.
@Suite struct FormatTests {
    @Test func segmentHeaderAndRecordBytes() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.appending("log")
        let log = try WriteAheadLog(directory: directory, syncPolicy: .never)
        let payload: [UInt8] = [0xDE, 0xAD]
        try payload.withUnsafeBytes { payload in
            _ = try log.append(receivedAt: 0x0102_0304_0506_0708, topic: "a/b", qos: 1, retained: true, payload: payload)
        }
        try log.appendTick(at: -2)
        try log.close()
        #expect(try segmentNames(in: directory) == ["00000000000000000001.wal"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/00000000000000000001.wal")))

        var header: [UInt8] = Array("WWAL".utf8) + [1, 0, 0, 0] + le(UInt64(1)) + le(UInt32(0))
        header += le(crc(header))
        #expect(Array(bytes[0..<24]) == header)

        var message: [UInt8] = [0xA5, 0xC9, 1, 0x01] + le(UInt32(36 + 3 + 2))
        let crcCovered1 = message + le(UInt64(1)) + le(UInt64(0x0102_0304_0506_0708)) + [1, 0] + le(UInt16(3)) + le(UInt32(2))
            + Array("a/b".utf8) + payload
        message += le(crc(crcCovered1)) + Array(crcCovered1[8...])
        #expect(Array(bytes[24..<(24 + 41)]) == message)

        var tick: [UInt8] = [0xA5, 0xC9, 2, 0] + le(UInt32(36))
        let crcCovered2 = tick + le(UInt64(2)) + le(UInt64(bitPattern: -2)) + [0, 0] + le(UInt16(0)) + le(UInt32(0))
        tick += le(crc(crcCovered2)) + Array(crcCovered2[8...])
        #expect(Array(bytes[65...]) == tick)
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum($0) }
    }
}
