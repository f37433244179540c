import Dispatch
import Foundation
import Ingest
import Telemetry

/// Feeds merged fixture messages into an ingest core as the live runtime would have received them: at the
/// recording's pacing (or as fast as the stages go), with tick records across silences, waiting while the log is
/// over its quota, saving the resume checkpoint every quarter second and drawing the progress bar.
struct ReplayFeed {
    enum Outcome: Equatable {
        case finished
        /// Stopped by SIGINT or SIGTERM after `fed` messages; the checkpoint lets the same command resume.
        case interrupted
    }

    let core: IngestCore
    let fixtures: ReplayFixtures
    let speed: ReplaySpeed
    let dataDirectory: String
    /// Set by SIGINT/SIGTERM.
    let stop: DispatchSemaphore
    /// False for a replay with no message: it only lets the stages finish what the log holds, and leaves the
    /// checkpoint of an earlier replay as it is.
    var checkpointing = true

    /// Feeds the messages `fixtures` still holds (a resume has taken those the log already holds); returns how it
    /// ended and how many messages the log holds at the end. A fixture that cannot be read further (corrupt zstd,
    /// an I/O error) throws, after the checkpoint records what was fed.
    func run() throws -> (outcome: Outcome, fed: Int) {
        let interval = core.options.tickInterval
        let start = fixtures.taken
        var checkpoint = ReplayCheckpoint(fixtures: fixtures.paths, digest: fixtures.digest.hex, fed: start,
                                          nextLSN: core.nextLSN, complete: false)
        try save(checkpoint)
        var progress = ProgressLine(resumedAt: start, fractionAtStart: fixtures.fractionRead)
        defer { progress.clear() }
        var lastTime = fixtures.newestTaken
        let wallStart = Date()
        var lastSaved = wallStart
        var firstTime: Int64?
        while true {
            let next: InboundMessage?
            do { next = try fixtures.peek() } catch {
                _ = try interrupted(&checkpoint)
                throw error
            }
            guard let message = next else { break }
            if let factor = speed.factor {
                // The recording's own pacing, scaled: wait until this message's time has come (a signal ends it).
                let due = Double(message.receivedAt - (firstTime ?? message.receivedAt)) / 1000 / factor
                let wait = due - Date().timeIntervalSince(wallStart)
                if wait > 0, stop.wait(timeout: .now() + wait) == .success { return try interrupted(&checkpoint) }
            }
            firstTime = firstTime ?? message.receivedAt
            if fixtures.taken & 255 == 0, stop.wait(timeout: .now()) == .success { return try interrupted(&checkpoint) }
            if let last = lastTime { tick(after: last, before: message.receivedAt, every: interval) }
            lastTime = max(lastTime ?? .min, message.receivedAt)
            // Backpressure instead of loss: wait while the log is over its quota (the worker frees segments).
            while core.logBytes >= core.options.logQuotaBytes { Thread.sleep(forTimeInterval: 0.01) }
            let accepted = message.topic.utf8.withContiguousStorageIfAvailable { topic in
                message.payload.withUnsafeBytes { payload in
                    core.acceptor.accept(receivedAt: message.receivedAt, topic: UnsafeRawBufferPointer(topic),
                                         payload: payload, qos: message.qos, retained: message.retained)
                }
            }
            if accepted == nil { printError("wattline replay: a topic could not be read: \(message.topic)") }
            _ = try fixtures.take()  // the message peeked at: no read, so no error
            if fixtures.taken & 63 == 0 {
                progress.update(done: fixtures.taken, fraction: fixtures.fractionRead)
                let now = Date()
                if now.timeIntervalSince(lastSaved) >= 0.25 {
                    lastSaved = now
                    try save(record(&checkpoint))
                }
            }
        }
        progress.update(done: fixtures.taken, fraction: fixtures.fractionRead, force: true)
        // Let the last reordering windows close, as they would when the chargers fell silent.
        if let last = lastTime { tick(after: last, before: last + core.options.lateness + interval + 1, every: interval) }
        // A full-speed feed outruns the worker: the log holds records it has not processed yet. Stopping now would
        // leave them for a later start (a replay that said "finished" with part of its results missing), so wait
        // until the worker has processed every record; a signal meanwhile interrupts as usual.
        var lag = core.levels().stageLagRecords, movedAt = Date()
        while lag > 0 {
            core.wakeWorker()
            if stop.wait(timeout: .now() + 0.01) == .success { return try interrupted(&checkpoint) }
            let now = core.levels().stageLagRecords
            if now != lag { (lag, movedAt) = (now, Date()) }
            if Date().timeIntervalSince(movedAt) > 30 {
                printError("wattline replay: the stages stopped making progress with \(lag) log records to go; "
                           + "they stay in the log for the next run")
                break
            }
        }
        record(&checkpoint)
        checkpoint.messages = fixtures.taken
        checkpoint.complete = true
        try save(checkpoint)
        return (.finished, fixtures.taken)
    }

    /// The checkpoint brought up to what was fed: the count, its digest and the log's next LSN.
    @discardableResult
    private func record(_ checkpoint: inout ReplayCheckpoint) -> ReplayCheckpoint {
        checkpoint.fed = fixtures.taken
        checkpoint.digest = fixtures.digest.hex
        checkpoint.nextLSN = core.nextLSN
        return checkpoint
    }

    private func interrupted(_ checkpoint: inout ReplayCheckpoint) throws -> (outcome: Outcome, fed: Int) {
        try save(record(&checkpoint))
        return (.interrupted, fixtures.taken)
    }

    private func save(_ checkpoint: ReplayCheckpoint) throws {
        if checkpointing { try checkpoint.save(in: dataDirectory) }
    }

    /// Tick records every `interval` after `last` and before `end`, as the live runtime writes them across a silence.
    private func tick(after last: Int64, before end: Int64, every interval: Int64) {
        var time = last + interval
        while time < end {
            core.tick(at: time)
            time += interval
        }
    }
}
