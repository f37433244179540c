import Dispatch
import Foundation
import Logging
import SQLite
import Synchronization
import Telemetry

/// Counts for metrics and tests. Guarded by a mutex: they change once per hook run or commit, never per message.
public final class AlertCounters: Sendable {
    /// The counters by name.
    public enum Counter: String, Sendable, CaseIterable {
        /// Events a hook took (exit 0); a batch counts each event.
        case delivered
        /// Hook runs that failed (non-zero exit, timeout, not started); each is retried or dead-lettered.
        case failedRuns
        /// Events given up on after the last retry, into `failed.jsonl`.
        case deadLettered
        /// Events refused by the outbox quota, into `failed.jsonl`.
        case overQuota
        /// `anomaly.updated` events merged into a waiting one.
        case coalesced
        /// Runs killed at their timeout.
        case timeouts
        /// Rows in the outbox at the dispatcher's last look (a level, not a count).
        case outboxRows
    }

    private let values = Mutex<[Counter: Int]>([:])

    public init() {}

    public func value(_ counter: Counter) -> Int { values.withLock { $0[counter, default: 0] } }

    public func add(_ counter: Counter, _ amount: Int = 1) { values.withLock { $0[counter, default: 0] += amount } }

    public func set(_ counter: Counter, _ value: Int) { values.withLock { $0[counter] = value } }
}

/// Delivers the outbox to the hooks, on threads of its own, so a slow or hanging hook never slows ingestion.
///
/// One scheduler thread owns a connection to `DATA/wattline.db`: it takes due rows per hook (oldest first, at most
/// `concurrency` runs per hook at once, up to `batch` events per run, within each charger's rate limit), marks them
/// claimed, and starts a delivery thread per run. A run that exits 0 removes its rows; any other ending schedules
/// a retry with exponential backoff, and after the last retry the events go to `failed.jsonl` (appended and
/// fsynced before the rows are removed). Rows claimed when the process died are released at start: delivery is at
/// least once, and the stable event ids let receivers drop repeats. Backoff and rate limits use the wall clock
/// (delivery is outside the processing that replay must reproduce).
public final class AlertDispatcher: Sendable {
    public let configuration: AlertConfiguration
    public let databasePath: String
    public let failedEvents: FailedEventsFile
    public let counters: AlertCounters
    let logger: Logger
    /// Guarded by its mutex: runs in flight, what they reported, and the lifecycle.
    private let state = Mutex<State>(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    struct State {
        var started = false
        var stopping = false
        var inFlight: [String: Int] = [:]
        var completions: [Completion] = []
        var startError: (any Error)?
        /// The scheduler found nothing to do or wait for on its last pass.
        var idle = false
        /// Scheduler passes completed: `drain` trusts `idle` only from a pass that began after it was called.
        var passes = 0
    }

    struct Completion {
        var hook: String
        var rows: [OutboxRow]
        var outcome: HookOutcome
    }

    public init(configuration: AlertConfiguration, dataDirectory: String, databasePath: String,
                counters: AlertCounters = AlertCounters(), logger: Logger) {
        self.configuration = configuration
        self.databasePath = databasePath
        self.failedEvents = FailedEventsFile(dataDirectory: dataDirectory)
        self.counters = counters
        self.logger = logger
    }

    /// Starts the scheduler thread (which first releases claims a dead process left).
    public func start() throws {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            let outbox: Outbox
            do {
                outbox = try Outbox(database: Database(path: databasePath))
                try outbox.releaseClaims()
                try deadLetterOrphans(outbox)
            } catch {
                state.withLock { $0.startError = error }
                ready.signal()
                finished.signal()
                return
            }
            ready.signal()
            schedule(outbox)
            outbox.database.close()
            finished.signal()
        }
        thread.name = "wattline-alerts"
        thread.start()
        ready.wait()
        if let error = state.withLock({ $0.startError }) {
            throw AlertError.cannotStart(databasePath, "\(error)")
        }
        state.withLock { $0.started = true }
    }

    /// New rows were committed: look now rather than at the next poll.
    public func notify() { wake.signal() }

    /// Stops taking rows; runs in flight finish (within their timeouts). What is left stays in the outbox.
    public func stop() {
        let run = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return s.started && !s.stopping
        }
        guard run else { return }
        wake.signal()
        finished.wait()
    }

    /// Waits until the outbox is empty and no run is in flight (replay with hooks, tests). False at the timeout.
    public func drain(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        // A pass under way may have counted the outbox before the last commit put events in it: wait for the next.
        let firstTrusted = state.withLock { $0.passes } + 2
        while ContinuousClock.now < deadline {
            wake.signal()
            if state.withLock({ $0.passes >= firstTrusted && $0.idle && $0.inFlight.values.allSatisfy { $0 == 0 }
                                    && $0.completions.isEmpty }),
               counters.value(.outboxRows) == 0 {
                return true
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    // MARK: The scheduler thread

    private func schedule(_ outbox: Outbox) {
        var limiter = RateLimiter()
        var warned = false
        while true {
            let now = Self.wallMs()
            let (completions, stopping) = state.withLock { s in
                defer { s.completions.removeAll() }
                return (s.completions, s.stopping)
            }
            do {
                for completion in completions { try settle(completion, outbox: outbox, now: now) }
                if stopping {
                    if state.withLock({ $0.inFlight.values.allSatisfy { $0 == 0 } && $0.completions.isEmpty }) { break }
                } else {
                    for hook in configuration.hooks { try startRuns(of: hook, outbox: outbox, limiter: &limiter, now: now) }
                }
                let rows = try outbox.count()
                counters.set(.outboxRows, rows)
                let busy = state.withLock { $0.inFlight.values.contains { $0 > 0 } }
                state.withLock {
                    $0.idle = rows == 0 && !busy
                    $0.passes += 1
                }
                warned = false
            } catch {
                if !warned { logger.error("alert outbox: \(error); retrying") }
                warned = true
            }
            _ = wake.wait(timeout: .now() + .milliseconds(stopping ? 20 : 250))
        }
    }

    private func startRuns(of hook: HookConfiguration, outbox: Outbox, limiter: inout RateLimiter, now: Int64) throws {
        while state.withLock({ $0.inFlight[hook.name, default: 0] }) < hook.concurrency {
            let candidates = try outbox.due(hook: hook.name, nowMs: now, limit: max(64, hook.batch * 8))
            var batch: [OutboxRow] = []
            for row in candidates where batch.count < hook.batch {
                if let limit = hook.rateLimit, !limiter.allow(hook: hook.name, charger: row.charger ?? "", limit: limit, now: now) {
                    continue
                }
                batch.append(row)
            }
            guard !batch.isEmpty else { return }
            try outbox.claim(batch.map(\.seq))
            state.withLock { $0.inFlight[hook.name, default: 0] += 1 }
            let rows = batch
            let thread = Thread { [self] in deliver(rows, to: hook) }
            thread.name = "wattline-hook"
            thread.start()
        }
    }

    /// A run finished: remove, retry later, or dead-letter its rows.
    private func settle(_ completion: Completion, outbox: Outbox, now: Int64) throws {
        defer { state.withLock { $0.inFlight[completion.hook, default: 1] -= 1 } }
        let seqs = completion.rows.map(\.seq)
        if completion.outcome.delivered {
            try outbox.remove(seqs)
            counters.add(.delivered, seqs.count)
            return
        }
        counters.add(.failedRuns)
        if completion.outcome.ending == .timedOut { counters.add(.timeouts) }
        let attempts = (completion.rows.map(\.attempts).max() ?? 0) + 1
        let hook = configuration.hook(named: completion.hook)
        if let hook, attempts <= hook.retries {
            let wait = hook.backoff(afterAttempt: attempts)
            logger.warning("hook \(completion.hook) failed (\(completion.outcome.summary)) for \(seqs.count) event(s); attempt \(attempts + 1) of \(hook.retries + 1) in \(wait) ms")
            try outbox.retryLater(seqs, attempts: attempts, nextAttemptMs: now + wait, error: completion.outcome.summary)
            return
        }
        let failedAt = Timestamp.format(now)
        let failed = completion.rows.map {
            FailedEvent(hook: completion.hook, failedAt: failedAt, attempts: attempts, error: completion.outcome.summary,
                        coalesced: $0.coalesced, event: $0.decodedEvent)
        }
        try failedEvents.append(failed)
        try outbox.remove(seqs)
        counters.add(.deadLettered, seqs.count)
        logger.error("hook \(completion.hook) failed \(attempts) time(s) (\(completion.outcome.summary)); \(seqs.count) event(s) kept in \(failedEvents.path): `wattline alerts retry` sends them again")
    }

    /// Rows of hooks no longer in the pipeline: nothing can deliver them, so they are kept in `failed.jsonl`.
    private func deadLetterOrphans(_ outbox: Outbox) throws {
        let known = Set(configuration.hooks.map(\.name))
        let orphans = try outbox.all().filter { !known.contains($0.hook) }
        guard !orphans.isEmpty else { return }
        let failedAt = Timestamp.format(Self.wallMs())
        try failedEvents.append(orphans.map {
            FailedEvent(hook: $0.hook, failedAt: failedAt, attempts: $0.attempts,
                        error: "hook '\($0.hook)' is no longer in the pipeline", coalesced: $0.coalesced, event: $0.decodedEvent)
        })
        try outbox.remove(orphans.map(\.seq))
        counters.add(.deadLettered, orphans.count)
        logger.warning("\(orphans.count) alert event(s) were waiting for hooks no longer in the pipeline; kept in \(failedEvents.path)")
    }

    // MARK: Delivery threads

    private func deliver(_ rows: [OutboxRow], to hook: HookConfiguration) {
        let outcome = Self.run(hook, rows: rows, logger: logger)
        state.withLock { $0.completions.append(Completion(hook: hook.name, rows: rows, outcome: outcome)) }
        wake.signal()
    }

    /// One run of `hook` with `rows` (one object, or an array when the hook batches), logging its output.
    static func run(_ hook: HookConfiguration, rows: [OutboxRow], logger: Logger) -> HookOutcome {
        let input = hook.batch > 1 ? "[" + rows.map(\.deliveredJSON).joined(separator: ",") + "]\n" : rows[0].deliveredJSON + "\n"
        let outcome = HookProcess.run(hook.command, input: Array(input.utf8),
                                      environment: HookEnvironment.variables(for: rows.map(\.decodedEvent), batched: hook.batch > 1),
                                      timeoutMs: hook.timeoutMs)
        let more = outcome.truncated > 0 ? " (\(outcome.truncated) more bytes not kept)" : ""
        for (name, bytes) in [("stdout", outcome.stdout), ("stderr", outcome.stderr)] where !bytes.isEmpty {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if outcome.delivered {
                logger.info("hook \(hook.name) \(name): \(text)\(more)")
            } else {
                logger.warning("hook \(hook.name) \(name): \(text)\(more)")
            }
        }
        return outcome
    }

    static func wallMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Delivers failed events again, now, on the calling thread (`wattline alerts retry`): in the hook's batches,
    /// each with the hook's retries and backoff. Returns those that failed again, with the new error.
    public static func deliverNow(_ events: [FailedEvent], to hook: HookConfiguration, logger: Logger) -> [FailedEvent] {
        var again: [FailedEvent] = []
        var start = 0
        while start < events.count {
            let chunk = Array(events[start..<min(events.count, start + hook.batch)])
            start += chunk.count
            let rows = chunk.map {
                OutboxRow(seq: 0, hook: hook.name, eventId: $0.event.id, charger: $0.event.charger, event: $0.event.jsonText(),
                          attempts: 0, coalesced: $0.coalesced)
            }
            var attempt = 0
            var outcome = run(hook, rows: rows, logger: logger)
            while !outcome.delivered, attempt < hook.retries {
                attempt += 1
                Thread.sleep(forTimeInterval: Double(hook.backoff(afterAttempt: attempt)) / 1000)
                outcome = run(hook, rows: rows, logger: logger)
            }
            if !outcome.delivered {
                let failedAt = Timestamp.format(wallMs())
                again += chunk.map {
                    var event = $0
                    event.attempts += attempt + 1
                    event.error = outcome.summary
                    event.failedAt = failedAt
                    return event
                }
            }
        }
        return again
    }
}

/// Per (hook, charger): the start times of runs within the last window.
struct RateLimiter {
    private var starts: [String: [Int64]] = [:]

    mutating func allow(hook: String, charger: String, limit: RateLimit, now: Int64) -> Bool {
        let key = hook + "\u{0}" + charger
        var recent = starts[key, default: []].filter { now - $0 < limit.perMs }
        defer { starts[key] = recent.isEmpty ? nil : recent }
        guard recent.count < limit.events else { return false }
        recent.append(now)
        return true
    }
}

/// The environment a hook runs with: Wattline's own, less any `WATTLINE_*`, plus the event's.
public enum HookEnvironment {
    /// For a batch, a variable is set only when every event in it has the same value (so `WATTLINE_CHARGER` is
    /// there when the whole batch is about one charger); `WATTLINE_BATCH_SIZE` says how many events came.
    public static func variables(for events: [AlertEvent], batched: Bool,
                                 base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = base.filter { !$0.key.hasPrefix("WATTLINE_") }
        func common(_ name: String, _ value: (AlertEvent) -> String?) {
            let values = Set(events.map { value($0) ?? "" })
            if values.count == 1, let only = values.first, !only.isEmpty { environment[name] = only }
        }
        common("WATTLINE_EVENT_ID") { $0.id }
        common("WATTLINE_EVENT") { $0.type }
        common("WATTLINE_KIND") { $0.kind }
        common("WATTLINE_SEVERITY") { $0.severity.rawValue }
        common("WATTLINE_SITE") { $0.site }
        common("WATTLINE_CHARGER") { $0.charger }
        common("WATTLINE_EVSE") { $0.evse.map(String.init) }
        common("WATTLINE_CONNECTOR") { $0.connector.map(String.init) }
        common("WATTLINE_SESSION") { $0.sessionId }
        if batched { environment["WATTLINE_BATCH_SIZE"] = String(events.count) }
        return environment
    }
}

extension OutboxRow {
    /// The stored event; a row whose JSON cannot be read (never written that way) still yields an event with its id.
    var decodedEvent: AlertEvent {
        if let event = try? JSONDecoder().decode(AlertEvent.self, from: Data(event.utf8)) { return event }
        return AlertEvent(id: eventId, type: "unknown", kind: "unknown", severity: .info, site: nil, charger: charger,
                          at: 0, message: event)
    }
}

/// Why alerts cannot run.
public enum AlertError: Error, Sendable, CustomStringConvertible {
    case cannotStart(String, String)

    public var description: String {
        switch self {
        case .cannotStart(let path, let reason): "the alert dispatcher cannot open its outbox in \(path): \(reason)"
        }
    }
}
