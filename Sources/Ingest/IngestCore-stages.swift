import ChunkStore
import Processing

extension IngestCore {
    /// Opens the pipeline's stages, in `options.stages` order, on the worker thread, once the log's numbering is
    /// aligned with their checkpoints (`LogNumbering.align`: moved past them when the log holds no record, the start
    /// refused when it holds records and ends below one).
    func openStages() throws -> [any WorkerStage] {
        var store: ChunkStore?
        var processors: ProcessorStage?
        var checkpoints: [StageCheckpoint] = []
        for name in options.stages {
            switch name {
            case .archive:
                let opened = try ChunkStore(directory: options.chunkDirectory, options: options.chunks)
                for note in opened.recoveryNotes { logger.warning("chunk store recovery: \(note)") }
                if let lsn = opened.checkpoint {
                    checkpoints.append(StageCheckpoint(stage: .archive, lsn: lsn, path: options.chunkDirectory))
                }
                store = opened
            case .processors:
                let alerts = self.alerts
                let opened = try ProcessorStage(
                    databasePath: options.databasePath, pipeline: pipeline,
                    minCommitSpacing: options.minCommitSpacing, alerts: alerts?.configuration,
                    onAlertsCommitted: { result in
                        alerts?.counters.add(.coalesced, result.coalesced)
                        alerts?.counters.add(.overQuota, result.overQuota.count)
                        alerts?.notify()
                    })
                if let lsn = opened.checkpoint {
                    checkpoints.append(StageCheckpoint(stage: .processors, lsn: lsn, path: options.databasePath))
                }
                processors = opened
            }
        }
        // The stages this start does not run are only looked at, never opened: a new log is numbered past them too.
        var absent: [StageCheckpoint] = []
        for name in StageName.allCases where !options.stages.contains(name) {
            switch name {
            case .archive:
                if let lsn = ChunkStore.checkpointOnDisk(directory: options.chunkDirectory) {
                    absent.append(StageCheckpoint(stage: .archive, lsn: lsn, path: options.chunkDirectory))
                }
            case .processors:
                if let lsn = ProcessorStage.checkpointOnDisk(databasePath: options.databasePath) {
                    absent.append(StageCheckpoint(stage: .processors, lsn: lsn, path: options.databasePath))
                }
            }
        }
        try LogNumbering.align(log, with: checkpoints, absent: absent, dataDirectory: options.dataDirectory,
                               logger: logger)
        for gap in LogNumbering.gaps(in: log, for: checkpoints) { logger.warning("\(gap)") }
        var stages: [any WorkerStage] = []
        for name in options.stages {
            switch name {
            case .archive:
                guard let store else { continue }
                stages.append(ArchiveStage(store: store, counters: counters, minFlushSpacing: options.minCommitSpacing,
                                           logNextLSN: log.nextLSN))
            case .processors:
                guard let processors else { continue }
                stages.append(processors)
            }
        }
        return stages
    }
}
