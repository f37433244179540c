import ChunkStore
import Foundation
import Logging
import Pipeline
import Processing
import RingBuffer
import Telemetry
import WriteAheadLog

/// The one busy thread besides the network thread: it runs the stage chain batch by batch — read the records
/// (from the ring's descriptors, or from the log when the ring spilled), decode, deduplicate and reorder, then hand
/// everything to the stages (`WorkerStage`: the archive, the processors), which checkpoint when they flush (at
/// least every 10 s of log time), so the log keeps only seconds of traffic.
///
/// Records are processed in strict LSN order: a descriptor ahead of the next expected LSN means records were not
/// offered to the ring (it was full, or a tick and a message raced to publish); they are read back from the log
/// first. Descriptors behind it were already read that way and are skipped.
///
/// Owned by its thread: nothing here is shared (the counters it updates are atomics).
final class IngestWorker {
    /// How long (receive time) a waiting OCPP CALL holds the checkpoint back; results come within seconds.
    static let callHorizon: Int64 = 60_000
    /// At most this many bytes of log records are read with one call (runs stop at the first record past it).
    static let maxRunBytes = 256 * 1024

    let log: WriteAheadLog
    let stage: StagedRing<LogDescriptor>.Stage
    let counters: IngestCounters
    let pipeline: PipelineDefinition
    /// Topic → source, remembered per topic (`TopicRoutes`).
    private let routes: TopicRoutes
    let options: IngestOptions
    let logger: Logger
    /// The stages after decoding and reordering, in order (the pipeline's `ingest.stages`).
    let stages: [any WorkerStage]
    /// The processors among `stages`, if they run: their load is published and their session events taken here.
    let processors: ProcessorStage?
    let deadLetters: DeadLetterWriter
    let decoder: TelemetryDecoder
    let sequencer: ReadingSequencer

    /// The next record to process.
    private(set) var nextLSN: UInt64
    /// Records up to this one were accepted by an earlier run (counted as recovered).
    let recoveredThrough: UInt64
    /// Receive time of the last record processed.
    private(set) var lastReceivedAt: Int64 = 0
    private var output = DecodeOutput()
    private var released: [ReadingSequencer.Item] = []
    private var buffer: [UInt8] = []
    /// A run's descriptors, copied out of the ring's window (which may wrap) for `processFromLog(run:)`.
    private var runDescriptors: [LogDescriptor] = []
    /// The log segment the worker read last (`SegmentCache`).
    private let segmentCache = SegmentCache()
    private var reader: LogReader?
    /// The last record processed from the ring: lets `reader` jump over what the ring delivered since it last read.
    private var lastFromRing: LogDescriptor?
    private var checkpointed: UInt64
    /// Segments below this LSN were removed (or asked to be).
    private var removedBefore: UInt64 = 0
    /// Keeps checkpointed records for `ingest.log_retention` of receive time.
    private var retention: LogRetention
    private var warnedStages: Set<String> = []
    /// Every record up to this one has been fully released by the reordering window.
    private var watermark: UInt64
    /// The second of receive time (floor of ms / 1000) the worker last settled in; `.min` before the first record.
    private var settledSecond: Int64 = .min
    /// Receive times of records not yet past the watermark (released readings carry only their record's LSN).
    private var receiveTimes = ReceiveTimes()

    /// Shared with the runtime for metrics: the LSN processed last (relaxed; a statistic).
    let progress: ProgressLevels
    /// Where the processors' site load goes for dashboards, and how often (log time).
    let loadPublishing: LoadPublishing?
    let publish: (OutputMessage) -> Void
    private var lastPublishedAt: Int64?
    private var lastSessionsPublishedAt: Int64?
    private var warnedTopics: Set<String> = []

    init(log: WriteAheadLog, stage: StagedRing<LogDescriptor>.Stage, counters: IngestCounters,
         pipeline: PipelineDefinition, options: IngestOptions, logger: Logger, stages: [any WorkerStage],
         deadLetters: DeadLetterWriter, startAt: UInt64, progress: ProgressLevels,
         loadPublishing: LoadPublishing? = nil, publish: @escaping (OutputMessage) -> Void = { _ in }) {
        self.loadPublishing = loadPublishing
        self.publish = publish
        self.log = log
        self.stage = stage
        self.counters = counters
        self.pipeline = pipeline
        self.routes = TopicRoutes(pipeline: pipeline)
        self.options = options
        self.logger = logger
        self.stages = stages
        self.processors = stages.lazy.compactMap { $0 as? ProcessorStage }.first
        self.deadLetters = deadLetters
        self.decoder = TelemetryDecoder(maxPayloadBytes: options.decodeLimitBytes)
        // The tap's transaction placements are in no checkpoint: the open sessions the processors restored name
        // them, so a StopTransaction after a restart (it names only its transaction) still finds its EVSE.
        if let processors {
            for session in processors.chain.sessions.openSessions {
                guard let transactionId = session.transactionId else { continue }
                decoder.placeTransaction(charger: session.charger, transactionId: transactionId, evse: session.evse,
                                         connector: session.connector)
            }
        }
        let sequencer = ReadingSequencer(configuration: .init(lateness: options.lateness,
                                                              futureTolerance: options.futureTolerance))
        // The window's history is checkpointed with the processors (the same cut of the log): restored, a message
        // delivered again after the restart is still a duplicate, and the processors never apply it twice.
        if let processors {
            if let history = processors.restoredHistory, let checkpoint = processors.checkpoint {
                sequencer.restore(history, through: checkpoint)
            }
            processors.releasedHistory = { sequencer.snapshot(through: $0) }
        }
        self.sequencer = sequencer
        self.nextLSN = startAt
        self.recoveredThrough = log.nextLSN &- 1
        self.checkpointed = startAt &- 1
        self.retention = LogRetention(window: options.logRetention)
        self.watermark = startAt &- 1
        self.progress = progress
    }

    /// Runs until the ring is closed and drained.
    func run() {
        // Everything before the start point is processed (checkpointed by an earlier run): the lag counts from here.
        progress.processedThrough.set(Int(truncatingIfNeeded: nextLSN &- 1))
        // First what earlier runs accepted and did not checkpoint.
        if nextLSN <= recoveredThrough {
            logger.info("resuming from log record \(nextLSN): \(recoveredThrough - nextLSN + 1) records to process again")
            catchUpInBatches(to: recoveredThrough + 1)
        }
        while let window = stage.read(upTo: options.batchSize) {
            var k = window.startIndex
            while k < window.endIndex {
                let descriptor = window[k]
                if descriptor.lsn < nextLSN {
                    k += 1
                    continue
                }
                if descriptor.lsn > nextLSN { catchUpInBatches(to: descriptor.lsn) }
                // The records written back to back after it, read with it in one call (one pread instead of one
                // per record).
                var end = k + 1
                var bytes = Int(descriptor.length)
                while end < window.endIndex, bytes < Self.maxRunBytes, window[end - 1].isFollowed(by: window[end]) {
                    bytes += Int(window[end].length)
                    end += 1
                }
                if end - k == 1 {
                    processFromLog(descriptor)
                } else {
                    runDescriptors.removeAll(keepingCapacity: true)
                    runDescriptors.append(contentsOf: window[k..<end])
                    processFromLog(run: runDescriptors[...])
                }
                k = end
            }
            stage.commit(window.count)
            commit()
            pauseIfAsked()
        }
        commit(final: true)
    }

    /// Reads records [nextLSN, lsn) back from the log, committing every `batchSize` records so a long spill
    /// checkpoints (and frees log segments) as it goes.
    private func catchUpInBatches(to lsn: UInt64) {
        while nextLSN < lsn {
            let before = nextLSN
            catchUp(to: min(lsn, nextLSN + UInt64(options.batchSize)))
            commit()
            pauseIfAsked()
            if nextLSN == before { break }  // the log could not be read; logged
        }
    }

    private func pauseIfAsked() {
        guard options.stagePause > .zero else { return }
        Thread.sleep(forTimeInterval: IngestOptions.seconds(options.stagePause))
    }

    /// Reads records [nextLSN, lsn) back from the log.
    private func catchUp(to lsn: UInt64) {
        do {
            if let current = reader, current.nextLSN != nextLSN {
                // The ring delivered records since this reader last read: jump past the last of them when it is in
                // the reader's segment (no bytes read), else position a new reader (headers only up to nextLSN).
                let jumped = lastFromRing.map { $0.lsn + 1 == nextLSN && current.skip(past: $0) } ?? false
                if !jumped { reader = nil }
            }
            if reader == nil { reader = try log.makeReader(from: nextLSN) }
        } catch {
            logger.error("reading the write-ahead log from record \(nextLSN) failed: \(error)")
            reader = nil
            return
        }
        guard let reader else { return }
        var damaged = 0
        while nextLSN < lsn {
            let read: UInt64?
            do {
                // Processed in place (as records from the ring are), not copied out of the reader's buffer.
                read = try reader.withNext { view in
                    if view.lsn != nextLSN {
                        // This record is intact and processed below; the ones before it are lost.
                        logger.error("log records \(nextLSN)–\(view.lsn &- 1) are missing (damaged); continuing from \(view.lsn)")
                        nextLSN = view.lsn
                    }
                    process(view)
                    return view.lsn
                }
            } catch {
                // Damage (a bad record, a gap between segments): the reader has moved past it and goes on with the
                // next intact record, which the check below reports as the records lost. A new reader would meet
                // the same damage again, and the records after it would be taken for lost when the ring moved on.
                switch error {
                case .corrupt, .lsnGap:
                    logger.error("the write-ahead log is damaged after record \(nextLSN &- 1): \(error); reading on")
                    damaged += 1
                    if damaged < 10_000 { continue }
                default:
                    logger.error("reading the write-ahead log from record \(nextLSN) failed: \(error)")
                }
                self.reader = nil
                return
            }
            guard read != nil else { break }
        }
    }

    private func processFromLog(_ descriptor: LogDescriptor) {
        lastFromRing = descriptor
        do {
            try log.withRecord(at: descriptor, buffer: &buffer, cache: segmentCache) { process($0) }
        } catch {
            logger.error("log record \(descriptor) cannot be read: \(error)")
            nextLSN = descriptor.lsn + 1
        }
    }

    /// Reads a run of records written back to back (`LogDescriptor.isFollowed(by:)`) with one call, and processes
    /// them in order; one by one when that read fails.
    private func processFromLog(run: ArraySlice<LogDescriptor>) {
        let read = log.withContiguousRecords(run, buffer: &buffer, cache: segmentCache) { descriptor, record in
            // Processed already: a catch-up that met damage may have moved past the run's first records.
            guard descriptor.lsn >= nextLSN else { return }
            lastFromRing = descriptor
            switch record {
            case .success(let view):
                process(view)
            case .failure(let error):
                logger.error("log record \(descriptor) cannot be read: \(error)")
                nextLSN = descriptor.lsn + 1
            }
        }
        if !read { for descriptor in run where descriptor.lsn >= nextLSN { processFromLog(descriptor) } }
    }

    private func process(_ view: RecordView) {
        if view.isTick {
            tick(lsn: view.lsn, at: view.receivedAt)
        } else {
            process(lsn: view.lsn, receivedAt: view.receivedAt, topic: routes.routed(topicBytes: view.topic),
                    qos: view.qos, retained: view.retained, payload: view.payload)
        }
    }

    private func tick(lsn: UInt64, at time: Int64) {
        settleIfNewSecond(at: time)
        lastReceivedAt = max(lastReceivedAt, time)
        nextLSN = lsn + 1
        for stage in stages { stage.accept(tick: lsn, receivedAt: time) }
    }

    /// Decodes one message and takes its readings through the sequencer.
    private func process(lsn: UInt64, receivedAt: Int64, topic routed: TopicRoutes.Routed, qos: UInt8, retained: Bool,
                         payload: UnsafeRawBufferPointer) {
        settleIfNewSecond(at: receivedAt)
        nextLSN = lsn + 1
        lastReceivedAt = max(lastReceivedAt, receivedAt)
        let topic = routed.topic
        if topic.utf8.first == UInt8(ascii: "$") {
            // The broker's own statistics, outside the message accounting (see `Acceptor`): handed to the stages.
            let text = String(decoding: payload, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if topic == LiveIngest.brokerDroppedTopic, let total = UInt64(text) {
                for stage in stages { stage.accept(brokerDropped: total, lsn: lsn, receivedAt: receivedAt) }
            }
            return
        }
        if lsn <= recoveredThrough { counters.recovered.add() }
        output.removeAll()
        decoder.currentSequence = lsn
        var origin: Origin?
        do throws(DecodeError) {
            let source = try routed.route.get()
            origin = source.origin
            try decoder.decode(payload: payload, receivedAt: receivedAt, topic: topic, retained: retained,
                               source: source, into: &output)
        } catch {
            counters.reject(error.reason)
            let message = InboundMessage(receivedAt: receivedAt, topic: topic, qos: qos, retained: retained,
                                         payload: Array(payload))
            if !deadLetters.write(message, reason: error.reason, detail: error.description) {
                counters.deadLetterDropped.add()
            }
            return
        }
        counters.decoded.add()
        if retained { counters.retained.add() }
        counters.events.add(output.events.count)
        counters.readingsDecoded.add(output.readings.count)
        for stage in stages { stage.accept(output, origin: origin, lsn: lsn, receivedAt: receivedAt) }
        if !output.readings.isEmpty { receiveTimes.note(lsn: lsn, receivedAt: receivedAt) }
        let counters = counters
        sequencer.add(contentsOf: output.readings, lsn: lsn, receivedAt: receivedAt, released: &released) { outcome in
            switch outcome {
            case .held: break
            case .duplicate: counters.readingsDuplicate.add()
            case .conflict: break  // counted when stored
            case .late: counters.readingsLate.add()
            case .future: counters.readingsFuture.add()
            }
        }
    }

    /// Settles before the first record of each new second of receive time (see `settle`). Any other second counts
    /// as new, an earlier one too: live receive times come from the wall clock, and after it steps back (NTP, a
    /// resumed VM) waiting for a later second would hold every reading and the checkpoint until it caught up.
    private func settleIfNewSecond(at receivedAt: Int64) {
        let second = receivedAt / 1000 - (receivedAt % 1000 < 0 ? 1 : 0)
        if second != settledSecond {
            if settledSecond != .min { settle() }
            settledSecond = second
        }
    }

    /// Releases what has waited in the reordering window, hands it to the stages, moves the watermark and lets the
    /// stages apply what it passed. Done where receive time enters a new second (before that second's first
    /// record: a message or a tick) and at the end — points the records alone fix, never where the worker happened
    /// to end a batch: so which items a stage applies together, and in what order, is the same live, in a replay at
    /// any speed, and after a restart.
    private func settle() {
        sequencer.advance(receiveTime: lastReceivedAt, into: &released)
        let fallback = lastReceivedAt
        for stage in stages { stage.accept(released: released) { receiveTimes.time(of: $0) ?? fallback } }
        counters.readingsHeld.set(sequencer.heldCount)
        // The watermark stays below the oldest reading still held and the oldest OCPP CALL (of the last minute)
        // still waiting for its result: after a restart both are read again, so nothing in memory needs saving.
        let held = sequencer.oldestHeldLSN
        let waiting = decoder.tracker.oldestPendingSequence(since: lastReceivedAt - Self.callHorizon)
        let oldestKept = [held, waiting].compactMap { $0 }.min()
        watermark = max(watermark, oldestKept.map { $0 - 1 } ?? (nextLSN - 1))
        receiveTimes.drop(through: watermark)
        for stage in stages { stage.advance(watermark: watermark) }
        // Emptied only now: the processors keep the array until they have applied its last reading (they refer to
        // the readings in place). When everything was due, they have let go and the buffer is reused; while the
        // watermark trails (a held reading, a call waiting for its result), emptying allocates a new one.
        released.removeAll(keepingCapacity: true)
    }

    /// Flushes the stages that are due (all of them at the end, after a last `settle`). The log keeps what the
    /// slowest stage has not checkpointed.
    private func commit(final: Bool = false) {
        if final { settle() }
        // Released by the window but not handed to the stages yet (until the next settle): still held.
        counters.readingsHeld.set(sequencer.heldCount + released.count)
        progress.update(processedThrough: nextLSN &- 1, receivedAt: lastReceivedAt)
        // While the log is over its low-water mark (the live runtime pauses intake at its quota), flush every batch
        // so checkpointed segments go at once.
        let pressed = Int(log.bytesOnDisk) >= options.logLowWaterBytes
        for stage in stages where final || pressed || stage.flushIsDue(at: lastReceivedAt) {
            do {
                // No checkpoint passes what the log made durable (usually done by its sync thread already), so a log
                // that ends below a checkpoint was replaced, never cut by an OS crash (`LogNumbering`).
                if (log.syncedLSN ?? 0) < watermark { try log.sync() }
                try stage.flush(watermark: watermark, receivedAt: lastReceivedAt, checkpointing: final || pressed)
                warnedStages.remove(stage.name)
                if stage === processors, let processors {
                    counters.openSessions.set(processors.chain.sessions.openSessionCount)
                    counters.openAnomalies.set(processors.chain.anomalies.openAnomalyCount)
                }
            } catch {
                // The stage keeps its pending outputs and its checkpoint: retried with the next batch.
                if warnedStages.insert(stage.name).inserted {
                    logger.error("stage \(stage.name) could not make its outputs durable: \(error); retrying with the next batch")
                }
            }
        }
        publishLoadIfDue()
        publishSessionsIfDue()
        logSessionEvents()
        let durable = stages.map { $0.checkpoint ?? 0 }.min() ?? watermark
        checkpointed = max(checkpointed, durable)
        // What the stages no longer need may go, unless the retention keeps it (not while the log is pressed).
        retention.note(endingBefore: nextLSN, receivedAt: lastReceivedAt)
        let kept = pressed ? nil : retention.removableBefore(now: lastReceivedAt)
        let removable = min(checkpointed + 1, kept ?? .max)
        guard removable > removedBefore else { return }
        removedBefore = removable
        do {
            _ = try log.removeSegments(before: removable)
        } catch {
            logger.warning("removing checkpointed log segments failed: \(error)")
        }
    }
}

extension IngestWorker {
    /// Session events (started, charging complete, ended, ...) go to the log at debug level until alert hooks take
    /// them (they never carry an id tag); taken every batch so they never pile up.
    private func logSessionEvents() {
        guard let processors else { return }
        for event in processors.drainSessionEvents() {
            logger.debug("\(event.kind.rawValue) \(event.site)/\(event.charger) EVSE \(event.evse) session \(event.sessionId) at \(Timestamp.format(event.at))")
        }
        for failure in processors.drainPricingFailures() { logger.warning("\(failure); its row says cost_status = failed") }
    }

    /// Publishes each site's load every `loadPublishing.interval` of log time. A topic one of Wattline's own input
    /// filters would match is never published (`check` refuses such a pipeline; this guards what site ids make).
    private func publishLoadIfDue() {
        guard let loadPublishing, lastReceivedAt > 0, let processors else { return }
        if let lastPublishedAt, lastReceivedAt - lastPublishedAt < loadPublishing.interval { return }
        lastPublishedAt = lastReceivedAt
        for message in loadPublishing.messages(from: processors.chain.levels) {
            publishOutside(OutputMessage(topic: message.topic, payload: message.payload, qos: 0, retain: true), what: "load")
        }
    }

    /// Publishes `message` unless one of Wattline's own input filters matches its topic (logged once per topic).
    private func publishOutside(_ message: OutputMessage, what: String) {
        if pipeline.topics.contains(where: { TopicFilter.matches(filter: $0.filter, topic: message.topic) }) {
            if warnedTopics.insert(message.topic).inserted {
                logger.error("not publishing \(what) on '\(message.topic)': Wattline's own input filters match it")
            }
            return
        }
        publish(message)
    }

    /// Publishes open sessions' progress (as of the processors' last commit) every `processors.sessions.publish`
    /// interval of log time, QoS 1; like load, never on a topic Wattline's own input filters match.
    private func publishSessionsIfDue() {
        guard let processors, let publishing = processors.outputs.publishing, lastReceivedAt > 0 else { return }
        if let lastSessionsPublishedAt, lastReceivedAt - lastSessionsPublishedAt < publishing.interval { return }
        lastSessionsPublishedAt = lastReceivedAt
        for message in publishing.messages(from: processors.openProgress) { publishOutside(message, what: "session progress") }
    }
}

/// What the worker has done, for metrics and the status line (relaxed atomics: statistics).
final class ProgressLevels: Sendable {
    let processedThrough = AtomicLevel()
    let lastReceivedAt = AtomicLevel()

    func update(processedThrough lsn: UInt64, receivedAt: Int64) {
        processedThrough.set(Int(truncatingIfNeeded: lsn))
        lastReceivedAt.set(Int(receivedAt))
    }
}
