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

    /// Feeds from message `start` on (a resume skips what the log already holds); returns how it ended and how
    /// many messages the log holds at the end.
    func run(from start: Int) throws -> (outcome: Outcome, fed: Int) {
        let messages = fixtures.messages
        let interval = core.options.tickInterval
        var checkpoint = ReplayCheckpoint(fixtures: fixtures.paths, digest: fixtures.digest, messages: messages.count,
                                          fed: start, nextLSN: core.nextLSN, complete: false)
        try save(checkpoint)
        var progress = ProgressLine(total: messages.count, resumedAt: start)
        defer { progress.clear() }
        var lastTime: Int64? = start > 0 ? messages[start - 1].receivedAt : nil
        let wallStart = Date()
        var lastSaved = wallStart
        let firstTime = start < messages.count ? messages[start].receivedAt : 0
        var index = start
        while index < messages.count {
            let message = messages[index]
            if let factor = speed.factor {
                // The recording's own pacing, scaled: wait until this message's time has come (a signal ends it).
                let due = Double(message.receivedAt - firstTime) / 1000 / factor
                let wait = due - Date().timeIntervalSince(wallStart)
                if wait > 0, stop.wait(timeout: .now() + wait) == .success { return try interrupted(&checkpoint, index) }
            }
            if index & 255 == 0, stop.wait(timeout: .now()) == .success { return try interrupted(&checkpoint, index) }
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
            index += 1
            if index & 63 == 0 {
                progress.update(done: index)
                let now = Date()
                if now.timeIntervalSince(lastSaved) >= 0.25 {
                    lastSaved = now
                    checkpoint.fed = index
                    checkpoint.nextLSN = core.nextLSN
                    try save(checkpoint)
                }
            }
        }
        progress.update(done: index, force: true)
        // Let the last reordering windows close, as they would when the chargers fell silent.
        if let last = lastTime { tick(after: last, before: last + core.options.lateness + interval + 1, every: interval) }
        // A full-speed feed outruns the worker: the log holds records it has not processed yet. Stopping now would
        // leave them for a later start (a replay that said "finished" with part of its results missing), so wait
        // until the worker has processed every record; a signal meanwhile interrupts as usual.
        var lag = core.levels().stageLagRecords, movedAt = Date()
        while lag > 0 {
            core.wakeWorker()
            if stop.wait(timeout: .now() + 0.01) == .success { return try interrupted(&checkpoint, index) }
            let now = core.levels().stageLagRecords
            if now != lag { (lag, movedAt) = (now, Date()) }
            if Date().timeIntervalSince(movedAt) > 30 {
                printError("wattline replay: the stages stopped making progress with \(lag) log records to go; "
                           + "they stay in the log for the next run")
                break
            }
        }
        checkpoint.fed = index
        checkpoint.nextLSN = core.nextLSN
        checkpoint.complete = true
        try save(checkpoint)
        return (.finished, index)
    }

    private func interrupted(_ checkpoint: inout ReplayCheckpoint, _ index: Int) throws -> (outcome: Outcome, fed: Int) {
        checkpoint.fed = index
        checkpoint.nextLSN = core.nextLSN
        try save(checkpoint)
        return (.interrupted, index)
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
