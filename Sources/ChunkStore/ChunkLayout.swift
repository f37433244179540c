/// Where chunk data lives under the chunk directory (`DATA/chunks`):
///
/// ```
/// chunks/head-000000000007.log          the head file (generation 7)
/// chunks/2026-11-21/14.000000000003.chunk  partition 2026-11-21T14, sealed from head generation 3
/// chunks/2026-11-21/14.000000000006.chunk  late samples for the same hour (out-of-order file)
/// ```
///
/// Every name is made from a time and a counter; identifiers from the network only ever appear inside files.
public struct ChunkLayout: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// A sealed file found on disk.
    public struct FileName: Sendable, Hashable {
        public var partition: Partition
        public var generation: UInt64
        public var path: String
    }

    func dayDirectory(_ partition: Partition) -> String { directory + "/" + partition.dayName }

    func path(partition: Partition, generation: UInt64) -> String {
        dayDirectory(partition) + "/" + partition.hourName + "." + padded(generation) + ".chunk"
    }

    func headPath(generation: UInt64) -> String { directory + "/" + HeadLog.fileName(generation: generation) }

    /// Every sealed file, sorted by partition then generation. Names that do not parse are ignored.
    public func sealedFiles() -> [FileName] {
        var found: [FileName] = []
        for day in DiskDirectory.list(directory) where day.count == 10 {
            for name in DiskDirectory.list(directory + "/" + day) {
                let parts = name.split(separator: ".")
                guard parts.count == 3, parts[2] == "chunk", parts[1].count == 12,
                      parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let generation = UInt64(parts[1]),
                      let partition = Partition.parse(day: day, hour: String(parts[0]))
                else { continue }
                found.append(FileName(partition: partition, generation: generation, path: directory + "/" + day + "/" + name))
            }
        }
        return found.sorted { ($0.partition, $0.generation) < ($1.partition, $1.generation) }
    }

    /// Temporary files a crash left behind (`*.tmp`), in day directories and beside the head file.
    func leftovers() -> [String] {
        var found = DiskDirectory.list(directory).filter { $0.hasSuffix(".tmp") }.map { directory + "/" + $0 }
        for day in DiskDirectory.list(directory) where day.count == 10 {
            found += DiskDirectory.list(directory + "/" + day).filter { $0.hasSuffix(".tmp") }
                .map { directory + "/" + day + "/" + $0 }
        }
        return found
    }

    /// Head files by generation, newest last.
    func headFiles() -> [(generation: UInt64, path: String)] {
        DiskDirectory.list(directory).compactMap { name in
            HeadLog.generation(ofFileName: name).map { ($0, directory + "/" + name) }
        }.sorted { $0.generation < $1.generation }
    }

    private func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }
}
