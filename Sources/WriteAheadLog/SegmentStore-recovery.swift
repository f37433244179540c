extension SegmentStore {
    /// The state of a log as recovery leaves it, and what recovery found.
    struct Recovered {
        var state: State
        var report: RecoveryReport
    }

    /// Opens the segments in `directory` (starting a new log when there are none) and repairs the last one:
    ///
    /// - Older segments: only their headers are read (for their sequence numbers); a damaged header is reported.
    ///   Their records are checked when they are read.
    /// - The last segment is scanned record by record. Damage with an intact record after it is reported and left
    ///   in place. Damage with nothing intact after it is a torn tail, the write under way when the process or the
    ///   machine stopped: the file is truncated to the last intact record and the truncation reported. A last
    ///   segment shorter than its header (the process stopped inside a roll) gets its header written again.
    /// - Every segment and the directory are then flushed, so what a killed predecessor left in the kernel is durable
    ///   before new records follow it.
    static func recover(_ directory: SegmentDirectory, lock: DirectoryLock) throws(WriteAheadLogError) -> Recovered {
        let names = try directory.segmentFirstLSNs()
        guard let lastFirstLSN = names.last else { return try startNewLog(directory, lock: lock) }

        var segments: [Segment] = []
        var corruptions: [LogCorruption] = []
        var olderSegmentBytes: UInt64 = 0
        for firstLSN in names.dropLast() {
            let path = directory.segmentPath(firstLSN: firstLSN)
            let file = try SegmentFile.openForReading(path)
            var sequence = segments.last.map { $0.sequence &+ 1 } ?? 0
            switch try SegmentCursor.readHeader(of: file, firstLSN: firstLSN) {
            case .success(let header): sequence = header.sequence
            case .failure(let reason): corruptions.append(LogCorruption(path: path, offset: 0, reason: reason))
            }
            try file.syncData()
            let size = try file.size()
            olderSegmentBytes += size
            segments.append(Segment(sequence: sequence, firstLSN: firstLSN, path: path, size: size, file: nil))
        }

        let path = directory.segmentPath(firstLSN: lastFirstLSN)
        let writer = try SegmentFile.openForWriting(path)
        let size = try writer.size()
        var truncation: TailTruncation?
        let header: SegmentHeader
        if size < UInt64(SegmentHeader.size) {
            header = SegmentHeader(firstLSN: lastFirstLSN, sequence: segments.last.map { $0.sequence &+ 1 } ?? 0)
            if size > 0 {
                truncation = TailTruncation(
                    path: path, offset: 0, bytesRemoved: size,
                    reason: .truncated(present: Int(size), needed: SegmentHeader.size))
                try writer.truncate(to: 0)
            }
            try writer.writeHeader(header)
        } else {
            switch try SegmentCursor.readHeader(of: writer, firstLSN: lastFirstLSN) {
            case .success(let decoded): header = decoded
            case .failure(let reason): throw .corrupt(LogCorruption(path: path, offset: 0, reason: reason))
            }
        }

        let cursor = SegmentCursor(file: writer, header: header)
        scan: while true {
            switch try cursor.next() {
            case .record:
                continue
            case .end:
                break scan
            case .damaged(let offset, let reason, let resumeAt?):
                corruptions.append(LogCorruption(path: path, offset: offset, reason: reason))
                cursor.skip(to: resumeAt)
            case .damaged(let offset, let reason, nil):
                truncation = TailTruncation(path: path, offset: offset, bytesRemoved: size - offset, reason: reason)
                try writer.truncate(to: offset)
                break scan
            }
        }
        try writer.syncData()
        try directory.sync()

        let nextLSN = cursor.nextLSN
        segments.append(Segment(
            sequence: header.sequence, firstLSN: lastFirstLSN, path: path, size: cursor.position, file: writer))
        let state = State(
            segments: segments, writer: writer, writeOffset: cursor.position, olderSegmentBytes: olderSegmentBytes,
            nextLSN: nextLSN, syncedThrough: nextLSN - 1, unsynced: [], directoryChanges: 0, directorySynced: 0,
            failure: nil, lock: lock)
        let report = RecoveryReport(
            segmentCount: segments.count, nextLSN: nextLSN, createdNewLog: false, truncation: truncation,
            corruptions: corruptions)
        return Recovered(state: state, report: report)
    }

    /// A new log: one empty segment, first LSN 1, sequence 0.
    private static func startNewLog(_ directory: SegmentDirectory, lock: DirectoryLock) throws(WriteAheadLogError) -> Recovered {
        let header = SegmentHeader(firstLSN: 1, sequence: 0)
        let path = directory.segmentPath(firstLSN: header.firstLSN)
        let writer = try SegmentFile.create(path)
        try writer.writeHeader(header)
        try writer.syncData()
        try directory.sync()
        let segment = Segment(sequence: 0, firstLSN: 1, path: path, size: UInt64(SegmentHeader.size), file: writer)
        let state = State(
            segments: [segment], writer: writer, writeOffset: UInt64(SegmentHeader.size), olderSegmentBytes: 0,
            nextLSN: 1, syncedThrough: 0, unsynced: [], directoryChanges: 0, directorySynced: 0, failure: nil, lock: lock)
        let report = RecoveryReport(segmentCount: 1, nextLSN: 1, createdNewLog: true, truncation: nil, corruptions: [])
        return Recovered(state: state, report: report)
    }
}
