import Logging
import WriteAheadLog

/// A stage's checkpoint as a start finds it: every record up to `lsn` is in the stage's durable outputs at `path`.
public struct StageCheckpoint: Sendable, Equatable {
    public var stage: StageName
    public var lsn: UInt64
    /// Where the checkpoint is kept: `DATA/chunks` (archive), `DATA/wattline.db` (processors).
    public var path: String
}

/// A start refused: the write-ahead log holds records, but ends below a stage's checkpoint. The log is not the one
/// the stages read (it was replaced by another log or an older copy of this one), so new records would get LSNs
/// the stages have checkpointed and be skipped as already processed. Nothing was accepted or changed.
public struct LogBehindCheckpointsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var logDirectory: String
    /// The LSNs the log holds.
    public var firstLSN: UInt64
    public var lastLSN: UInt64
    /// The checkpoints of the stages that run (those past `lastLSN` are what is wrong).
    public var checkpoints: [StageCheckpoint]
    /// `wattline export-log --data` for the log.
    public var dataDirectory: String

    public var description: String {
        let ahead = checkpoints.filter { $0.lsn > lastLSN }
        let highest = ahead.map(\.lsn).max() ?? lastLSN
        let stages = ahead.map { "\($0.stage.rawValue) at LSN \($0.lsn) (\($0.path))" }.joined(separator: ", ")
        let outputs = ahead.map(\.path).joined(separator: " and ")
        return "the write-ahead log in \(logDirectory) ends at LSN \(lastLSN) (it holds LSN \(firstLSN) through "
            + "\(lastLSN)), but checkpoints lie beyond it: \(stages). The log was replaced by another one or by an "
            + "older copy; records numbered up to \(highest) would be taken for ones already processed and skipped, "
            + "so Wattline did not start. To go on, either put back the log that belongs with these checkpoints; or "
            + "keep a copy of what this log holds (wattline export-log --data \(dataDirectory) --out FILE), then move "
            + "\(logDirectory) aside: the next start begins a new log numbered from \(highest + 1), and records of "
            + "this log no stage had checkpointed are not processed; or, to build the results again from this log, "
            + "move \(outputs) aside."
    }
}

/// A stage that will never see some records: its checkpoint is below the log's oldest record, so the records in
/// between are not in the log. They were deleted while the stage did not run (the log keeps records only until
/// every stage that runs has checkpointed them), or they went with a lost log that another stage had checkpointed
/// further. The stage's results lack them; nothing else notices.
public struct StageGap: Sendable, Equatable, CustomStringConvertible {
    public var checkpoint: StageCheckpoint
    /// The records the stage misses.
    public var missing: ClosedRange<UInt64>
    public var logDirectory: String

    public var description: String {
        let stage = checkpoint.stage.rawValue
        let count = missing.upperBound - missing.lowerBound + 1
        return "the \(stage) stage's checkpoint in \(checkpoint.path) is at LSN \(checkpoint.lsn), but the write-ahead "
            + "log in \(logDirectory) begins at LSN \(missing.upperBound + 1): records \(missing.lowerBound) through "
            + "\(missing.upperBound) (\(count)) are no longer in the log (deleted while the \(stage) stage did not run, "
            + "or lost with the log), so its results will lack them. To have them, replay a recording of that time "
            + "(or a log exported before it was deleted) into a fresh data directory"
    }
}

/// Keeps the log's numbering ahead of the stages' checkpoints, at a start before anything is accepted. Each stage
/// ignores the records up to its own checkpoint, so a record must never get an LSN a stage has checkpointed.
enum LogNumbering {
    /// Nothing to do when every checkpoint is below the log's next LSN (the normal case). Otherwise the log was lost
    /// or replaced: when it holds no record, its numbering moves to just after the highest checkpoint (one line
    /// logged); when it holds records, the start is refused with `LogBehindCheckpointsError`.
    ///
    /// `absent` are the checkpoints of stages this start does not run, as found on disk. A log that holds no record
    /// is numbered past them too, so that the stage, run again later, takes no new record for one it has. A log
    /// that holds records and ends below one does not stop the start (the stage does not run), but is logged: run
    /// again on this log, that stage would skip records it never saw.
    static func align(_ log: WriteAheadLog, with checkpoints: [StageCheckpoint], absent: [StageCheckpoint] = [],
                      dataDirectory: String, logger: Logger) throws {
        if let highest = checkpoints.max(by: { $0.lsn < $1.lsn }), highest.lsn >= log.nextLSN, !log.isEmpty {
            throw LogBehindCheckpointsError(logDirectory: log.directory, firstLSN: log.firstLSN,
                                            lastLSN: log.nextLSN - 1, checkpoints: checkpoints,
                                            dataDirectory: dataDirectory)
        }
        if log.isEmpty, let highest = (checkpoints + absent).max(by: { $0.lsn < $1.lsn }), highest.lsn >= log.nextLSN {
            let from = log.nextLSN
            try log.advanceNextLSN(to: highest.lsn + 1)
            let which = absent.contains(highest) ? " (a stage this start does not run)" : ""
            logger.warning("write-ahead log \(log.directory) holds no record and would number from LSN \(from), but the \(highest.stage.rawValue) checkpoint in \(highest.path)\(which) is at LSN \(highest.lsn) (the log was deleted or lost): numbering moved forward to LSN \(highest.lsn + 1), so no stage takes new records for ones it already has")
            return
        }
        for stage in absent where stage.lsn >= log.nextLSN {
            logger.warning("the \(stage.stage.rawValue) stage, which this start does not run, has its checkpoint in \(stage.path) at LSN \(stage.lsn), past the end of the write-ahead log in \(log.directory) (its next record is LSN \(log.nextLSN)): run again on this log, it would take records up to LSN \(stage.lsn) for ones it has and skip them. Before running it again, move \(stage.path) aside to have it built again from the log")
        }
    }

    /// The stages among `checkpoints` whose next record is not in the log any more (see `StageGap`), once `align`
    /// has run.
    static func gaps(in log: WriteAheadLog, for checkpoints: [StageCheckpoint]) -> [StageGap] {
        let first = log.firstLSN
        return checkpoints.filter { $0.lsn + 1 < first }.map {
            StageGap(checkpoint: $0, missing: ($0.lsn + 1)...(first - 1), logDirectory: log.directory)
        }
    }
}
