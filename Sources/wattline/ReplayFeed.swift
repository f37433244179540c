import Dispatch
import Foundation
import Ingest
import Recording
import Telemetry

/// Feeds merged fixture entries into an ingest core as the live runtime would have received them: at the
/// recording's pacing (or as fast as the stages go), with tick records across silences, waiting while the log is
/// over its quota, saving the resume checkpoint every quarter second and drawing the progress bar.
///
/// The ticks: when a fixture records its ticks (`ReplayFixtures.recordsTicks`: an exported log), exactly those are
/// written, at their instants, and none is synthesized, not even after the last entry — so the log, and whatever
/// the stages decide on ticks, is the live run's. Otherwise a tick is written every `tick_interval` of silence after
/// each message, and after the last one until the reordering windows have closed.
struct ReplayFeed {
    enum Outcome: Equatable {
        case finished
        /// Stopped by SIGINT or SIGTERM; the checkpoint lets the same command resume.
        case interrupted
    }

    let core: IngestCore
    let fixtures: ReplayFixtures
    let speed: ReplaySpeed
    let dataDirectory: String
    /// Set by SIGINT/SIGTERM.
    let stop: DispatchSemaphore
    /// False for a replay with nothing to feed: it only lets the stages finish what the log holds, and leaves the
    /// checkpoint of an earlier replay as it is.
    var checkpointing = true
    /// A resume's newest tick already in the log: synthesized ticks at or before it are not written again.
    var ticksWrittenThrough: Int64?

    /// Feeds the entries `fixtures` still holds (a resume has taken those the log already holds) and returns how it
    /// ended. A fixture that cannot be read further (corrupt zstd, an I/O error) throws, after the checkpoint records
    /// what was fed.
    func run() throws -> Outcome {
        let interval = core.options.tickInterval
        var checkpoint = ReplayCheckpoint(fixtures: fixtures.paths, digest: fixtures.digest.hex, fed: fixtures.taken,
                                          nextLSN: core.nextLSN, complete: false)
        record(&checkpoint)
        try save(checkpoint)
        var progress = ProgressLine(resumedAt: fixtures.messagesTaken, fractionAtStart: fixtures.fractionRead)
        defer { progress.clear() }
        var lastTime = fixtures.newestTaken
        let wallStart = Date()
        var lastSaved = wallStart
        var firstTime: Int64?
        while true {
            let next: FixtureEntry?
            do { next = try fixtures.peek() } catch {
                _ = try interrupted(&checkpoint)
                throw error
            }
            guard let entry = next else { break }
            if let factor = speed.factor {
                // The recording's own pacing, scaled: wait until this entry's time has come (a signal ends it).
                let due = Double(entry.receivedAt - (firstTime ?? entry.receivedAt)) / 1000 / factor
                let wait = due - Date().timeIntervalSince(wallStart)
                if wait > 0, stop.wait(timeout: .now() + wait) == .success { return try interrupted(&checkpoint) }
            }
            firstTime = firstTime ?? entry.receivedAt
            if fixtures.taken & 255 == 0, stop.wait(timeout: .now()) == .success { return try interrupted(&checkpoint) }
            if !fixtures.recordsTicks, let last = lastTime { tick(after: last, before: entry.receivedAt, every: interval) }
            lastTime = max(lastTime ?? .min, entry.receivedAt)
            // Backpressure instead of loss: wait while the log is over its quota (the worker frees segments).
            while core.logBytes >= core.options.logQuotaBytes { Thread.sleep(forTimeInterval: 0.01) }
            switch entry {
            case .tick(let time):
                // The live run wrote it at this instant: so does the replay, whatever came before it.
                core.acceptor.appendTick(at: time)
            case .message(let message):
                let accepted = message.topic.utf8.withContiguousStorageIfAvailable { topic in
                    message.payload.withUnsafeBytes { payload in
                        core.acceptor.accept(receivedAt: message.receivedAt, topic: UnsafeRawBufferPointer(topic),
                                             payload: payload, qos: message.qos, retained: message.retained)
                    }
                }
                if accepted == nil { printError("wattline replay: a topic could not be read: \(message.topic)") }
            }
            _ = try fixtures.take()  // the entry peeked at: no read, so no error
            if fixtures.taken & 63 == 0 {
                progress.update(done: fixtures.messagesTaken, fraction: fixtures.fractionRead)
                let now = Date()
                if now.timeIntervalSince(lastSaved) >= 0.25 {
                    lastSaved = now
                    try save(record(&checkpoint))
                }
            }
        }
        progress.update(done: fixtures.messagesTaken, fraction: fixtures.fractionRead, force: true)
        // Let the last reordering windows close, as they would when the chargers fell silent. Recorded ticks end
        // where the recording ends: what the live run decided after it is not in it.
        if !fixtures.recordsTicks, let last = lastTime {
            tick(after: last, before: last + core.options.lateness + interval + 1, every: interval)
        }
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
        checkpoint.messages = fixtures.messagesTaken
        checkpoint.complete = true
        try save(checkpoint)
        return .finished
    }

    /// The checkpoint brought up to what was fed: the count, its digest and the log's next LSN.
    @discardableResult
    private func record(_ checkpoint: inout ReplayCheckpoint) -> ReplayCheckpoint {
        checkpoint.fed = fixtures.taken
        checkpoint.ticksFed = fixtures.recordsTicks ? fixtures.ticksTaken : nil
        checkpoint.digest = fixtures.digest.hex
        checkpoint.nextLSN = core.nextLSN
        return checkpoint
    }

    private func interrupted(_ checkpoint: inout ReplayCheckpoint) throws -> Outcome {
        try save(record(&checkpoint))
        return .interrupted
    }

    private func save(_ checkpoint: ReplayCheckpoint) throws {
        if checkpointing { try checkpoint.save(in: dataDirectory) }
    }

    /// Tick records every `interval` after `last` and before `end`, as the live runtime writes them across a silence
    /// (those a resumed replay's log already holds excepted).
    private func tick(after last: Int64, before end: Int64, every interval: Int64) {
        var time = last + interval
        if let written = ticksWrittenThrough, time <= written {
            time += (written - time) / interval * interval + interval
        }
        while time < end {
            core.tick(at: time)
            time += interval
        }
    }
}
