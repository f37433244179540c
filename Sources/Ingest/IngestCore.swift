import Alerts
import ChunkStore
import Dispatch
import Foundation
import Logging
import Pipeline
import Processing
import RingBuffer
import Synchronization
import Telemetry
import WriteAheadLog

/// The ingest runtime without its network side: the write-ahead log, the ring, the worker thread that runs the
/// stages, and the tick timer. Live ingest feeds it from MQTT (`LiveIngest`); replay can feed it from fixtures.
///
/// Threads: whoever calls `acceptor.accept` (libmosquitto's network thread), the tick timer, and the worker.
public final class IngestCore: Sendable {
    public let counters: IngestCounters
    public let acceptor: Acceptor
    public let options: IngestOptions
    public let pipeline: PipelineDefinition
    let log: WriteAheadLog
    let ring: StagedRing<LogDescriptor>
    let logger: Logger
    let progress = ProgressLevels()
    /// Set by `stop()`; the tick timer exits when it sees it.
    private let stopping = Atomic<Bool>(false)
    private let workerDone = DispatchSemaphore(value: 0)
    private let tickerDone = DispatchSemaphore(value: 0)
    /// Guarded by its mutex: the worker's start-up error, and whether `start`/`stop` ran.
    private let lifecycle = Mutex<Lifecycle>(Lifecycle())
    /// Called on the tick timer's thread about every 250 ms (live ingest watches its quota there).
    private let onTimer: Mutex<(@Sendable () -> Void)?> = Mutex(nil)
    /// Delivers alert events to the pipeline's hooks; nil when there are none or they do not run.
    public let alerts: AlertDispatcher?
    /// Publishes the processors' outputs (topic, payload); set by live ingest, nil for replay. Guarded by its mutex.
    let outputPublisher: Mutex<(@Sendable (OutputMessage) -> Void)?> = Mutex(nil)

    struct Lifecycle {
        var started = false
        var stopped = false
        var startError: (any Error)?
    }

    /// Opens (and recovers) the log in `options.dataDirectory`. Nothing runs until `start()`, and nothing may be
    /// accepted before it: it first checks the log's numbering against the stages' checkpoints (`LogNumbering`).
    public init(pipeline: PipelineDefinition, options: IngestOptions, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true)
        let log = try WriteAheadLog(directory: options.logDirectory, segmentSize: options.segmentBytes,
                                    syncPolicy: options.syncPolicy)
        if !log.recoveryReport.isClean { logger.warning("write-ahead log recovery: \(log.recoveryReport)") }
        self.log = log
        self.pipeline = pipeline
        self.options = options
        self.logger = logger
        self.counters = IngestCounters()
        let alertConfiguration = try AlertConfiguration.read(pipeline)
        if options.runHooks, options.stages.contains(.processors), !alertConfiguration.hooks.isEmpty {
            alerts = AlertDispatcher(configuration: alertConfiguration, dataDirectory: options.dataDirectory,
                                     databasePath: options.databasePath, logger: logger)
        } else {
            alerts = nil
        }
        self.ring = StagedRing<LogDescriptor>(capacity: options.ringCapacity, stages: 1)
        // Seed the redelivery window with the QoS 1 and 2 messages the log already holds, so a broker's redelivery
        // after a crash is recognised.
        var seed: [UInt64] = []
        let start = log.nextLSN > 65_536 ? log.nextLSN - 65_536 : 1
        if let reader = try? log.makeReader(from: max(start, log.firstLSN)) {
            while let entry = try? reader.next() {
                if case .message(let message) = entry.record, message.qos > 0 { seed.append(MessageHash.hash(message)) }
            }
        }
        acceptor = Acceptor(log: log, ring: ring, counters: counters, options: options, logger: logger, seed: seed)
    }

    /// Sets how the processors' outputs (site load for dashboards, session progress) are published; nil publishes
    /// nothing (replay).
    public func setOutputPublisher(_ publisher: (@Sendable (OutputMessage) -> Void)?) {
        outputPublisher.withLock { $0 = publisher }
    }

    /// Sets what runs on the timer thread about every 250 ms.
    public func setTimerHook(_ hook: @escaping @Sendable () -> Void) {
        onTimer.withLock { $0 = hook }
    }

    /// Starts the worker (which first processes what earlier runs left in the log) and the tick timer.
    ///
    /// A log that holds no record while a stage's checkpoint is at or past its next LSN (it was deleted or lost) is
    /// numbered on from just after the highest checkpoint; one that holds records but ends below a checkpoint (it was
    /// replaced) makes it throw `LogBehindCheckpointsError`. docs/write-ahead-log.md, "When the log is lost".
    ///
    /// `wallClockTicks: false` is replay: no timer thread; the feeder calls `tick(at:)` with the recording's times.
    public func start(wallClockTicks: Bool = true) throws {
        try alerts?.start()
        let ready = DispatchSemaphore(value: 0)
        let worker = Thread { [self] in
            // When the machine is full (broker, publishers and Wattline on two cores), the network thread must win:
            // it only appends to the log, and the log absorbs whatever the stages have not done yet. So the worker
            // runs at a lower scheduling priority (nice 5, Linux per-thread); it catches up when there is CPU.
            #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)  // who 0: the calling thread on Linux
            #endif
            Self.nameKernelThread("wattline-worker")
            do {
                // Before anything is accepted (nothing appends until `start` returns): the log's numbering is
                // aligned with the stages' checkpoints there.
                let stages = try openStages()
                let deadLetters = try DeadLetterWriter(directory: options.deadLetterDirectory,
                                                       maxFileBytes: options.deadLetterFileBytes,
                                                       quotaBytes: options.deadLetterQuotaBytes)
                let logger = self.logger
                deadLetters.onQuotaReached = { logger.warning("\($0)") }
                let checkpoint = stages.map { $0.checkpoint ?? 0 }.min() ?? 0
                let startAt = max(checkpoint + 1, log.firstLSN)
                let worker = IngestWorker(log: log, stage: ring.stage(0), counters: counters, pipeline: pipeline,
                                          options: options, logger: logger, stages: stages, deadLetters: deadLetters,
                                          startAt: startAt, progress: progress,
                                          loadPublishing: try LoadPublishing.read(pipeline),
                                          publish: { [self] message in outputPublisher.withLock { $0 }?(message) })
                ready.signal()
                worker.run()
            } catch {
                lifecycle.withLock { $0.startError = error }
                ready.signal()
            }
            workerDone.signal()
        }
        worker.name = "wattline-worker"
        worker.start()
        ready.wait()
        if let error = lifecycle.withLock({ $0.startError }) {
            alerts?.stop()
            throw error
        }
        lifecycle.withLock { $0.started = true }
        guard wallClockTicks else {
            tickerDone.signal()
            return
        }

        let ticker = Thread { [self] in
            Self.nameKernelThread("wattline-ticker")
            while !stopping.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 0.25)
                acceptor.tick(now: Int64(Date().timeIntervalSince1970 * 1000))
                onTimer.withLock { $0 }?()
            }
            tickerDone.signal()
        }
        ticker.name = "wattline-ticker"
        ticker.start()
    }

    /// Gives the calling thread its name in the kernel (`top -H`, `/proc/PID/task/TID/comm`), which Foundation's
    /// `Thread.name` does not set on Linux. At most 15 bytes; a failure only leaves the process's name.
    static func nameKernelThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        #endif
    }

    /// Stops: no more descriptors, the worker drains what the ring holds and checkpoints, the log is closed. A
    /// backlog still in the log stays there for the next start. Call after the network side has stopped.
    ///
    /// `drainAlerts`: how long to wait for the hooks to take every event in the outbox before stopping them (replay
    /// with hooks); nil stops at once, leaving what waits for the next start.
    public func stop(drainAlerts: Duration? = nil) {
        let run = lifecycle.withLock { state -> Bool in
            defer { state.stopped = true }
            return state.started && !state.stopped
        }
        guard run else { return }
        stopping.store(true, ordering: .relaxed)
        tickerDone.wait()
        acceptor.close()
        if workerDone.wait(timeout: .now() + IngestOptions.seconds(options.shutdownTimeout)) == .timedOut {
            logger.error("the worker did not finish within the shutdown timeout; the log keeps the backlog")
        }
        do {
            try log.close()
        } catch {
            logger.error("closing the write-ahead log: \(error)")
        }
        if let alerts, let drainAlerts, !alerts.drain(timeout: drainAlerts) {
            logger.warning("alert hooks did not take every event within \(drainAlerts); the rest wait in the outbox")
        }
        alerts?.stop()
    }

    /// Appends a tick record at `time` when nothing was appended for a tick interval (replay's clock).
    public func tick(at time: Int64) { acceptor.tick(now: time) }

    /// Makes the worker read back records that spilled past a full ring when nothing else would: a feeder that has
    /// finished (replay) calls it while `levels().stageLagRecords` is above zero.
    public func wakeWorker() { acceptor.repostNewest() }

    /// Levels for metrics and the status line.
    public func levels() -> RuntimeLevels {
        var levels = RuntimeLevels()
        levels.pending = counters.pending
        levels.readingsHeld = counters.readingsHeld.current
        levels.ringCapacity = ring.capacity
        let processed = UInt64(max(0, progress.processedThrough.current))
        let newest = log.nextLSN &- 1
        levels.stageLagRecords = newest > processed ? Int(newest - processed) : 0
        levels.spillBacklog = max(0, levels.stageLagRecords - ring.stage(0).available())
        levels.ringOccupancy = ring.stage(0).available()
        let lastReceived = progress.lastReceivedAt.current
        if lastReceived > 0 {
            levels.stageLagSeconds = max(0, Date().timeIntervalSince1970 - Double(lastReceived) / 1000)
        }
        levels.logBytes = Int(log.bytesOnDisk)
        levels.logQuotaBytes = options.logQuotaBytes
        levels.brokerDropped = counters.brokerDropped.current
        levels.openSessions = counters.openSessions.current
        levels.openAnomalies = counters.openAnomalies.current
        return levels
    }

    /// The LSN the log's next record gets.
    public var nextLSN: UInt64 { log.nextLSN }

    /// The write-ahead log's size on disk.
    public var logBytes: Int { Int(log.bytesOnDisk) }
}
