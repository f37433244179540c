import Logging
import RingBuffer
import Synchronization
import Telemetry
import WriteAheadLog

/// The producer side of ingest: what the MQTT callback (and the tick timer) call.
///
/// Accepting a message means writing it to the write-ahead log — one `pwritev(2)`, so it is in the kernel before
/// the callback returns and libmosquitto sends the PUBACK — and then offering its descriptor to the ring. When the
/// ring is full the descriptor is simply not offered: the worker finds the gap and reads the record back from the
/// log, in strict LSN order (spill). So the network thread never blocks on the stages and memory stays bounded
/// whatever the backlog.
public final class Acceptor: Sendable {
    let log: WriteAheadLog
    let ring: StagedRing<LogDescriptor>
    let counters: IngestCounters
    let options: IngestOptions
    let logger: Logger
    /// Guards the ring's producer side (the network thread and the tick timer both publish, and the ring allows
    /// one producer at a time), the redelivery window and the time of the last append. Uncontended on the hot path:
    /// the tick timer takes it once a second.
    private let state: Mutex<State>
    /// Set once the log failed or filled: the live runtime disconnects. Written under `state`, read anywhere.
    let overQuota = Atomic<Bool>(false)

    struct State {
        var recent = RecentMessages()
        var lastAppendAt: Int64 = 0
        /// The newest record's descriptor, offered again by `repostNewest` (nil before the first append).
        var newest: LogDescriptor?
        var warnedOversize = false
        var warnedLog = false
    }

    init(log: WriteAheadLog, ring: StagedRing<LogDescriptor>, counters: IngestCounters, options: IngestOptions,
         logger: Logger, seed: [UInt64]) {
        self.log = log
        self.ring = ring
        self.counters = counters
        self.options = options
        self.logger = logger
        var initial = State()
        for hash in seed { _ = initial.recent.insert(hash) }
        state = Mutex(initial)
    }

    /// Accepts one message. Returns false when it was refused (counted and logged).
    ///
    /// The broker's own statistics (`$SYS/...`) are logged like messages, so the stages see them in order and
    /// replay reproduces them, but they stay out of the message accounting.
    @discardableResult
    public func accept(receivedAt: Int64, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8,
                       retained: Bool) -> Bool {
        let statistics = topic.first == UInt8(ascii: "$")
        if !statistics { counters.received.add() }
        return state.withLock { state -> Bool in
            guard payload.count <= options.hardPayloadLimitBytes else {
                if !statistics { counters.refusedOversize.add() }
                if !state.warnedOversize {
                    state.warnedOversize = true
                    logger.warning("refused a \(payload.count)-byte message on \(String(decoding: topic.prefix(200), as: UTF8.self)): over the hard limit of \(options.hardPayloadLimitBytes) bytes (counted in wattline_messages_refused_oversize_total; logged once)")
                }
                return false
            }
            if Int(log.bytesOnDisk) >= options.logQuotaBytes + options.hardPayloadLimitBytes {
                // Past the quota and its margin: the disconnect asked for at the quota has not happened yet.
                counters.refusedQuota.add()
                overQuota.store(true, ordering: .relaxed)
                return false
            }
            let descriptor: LogDescriptor
            do {
                descriptor = try log.append(receivedAt: receivedAt, topic: topic, qos: qos, retained: retained,
                                            payload: payload)
            } catch {
                counters.refusedQuota.add()
                overQuota.store(true, ordering: .relaxed)
                if !state.warnedLog {
                    state.warnedLog = true
                    logger.critical("cannot write to the write-ahead log: \(error); disconnecting so the broker keeps the messages")
                }
                return false
            }
            if !statistics {
                counters.accepted.add()
                counters.bytesAccepted.add(payload.count)
                // Only QoS 1 and 2 messages are ever delivered again by a broker; a QoS 0 one is not looked up
                // (hashing its payload cost the network thread about 5 % of its time at QoS 0).
                if qos > 0, state.recent.insert(MessageHash.hash(topic: topic, payload: payload)) {
                    counters.redeliveries.add()
                }
            }
            state.lastAppendAt = receivedAt
            state.newest = descriptor
            if Int(log.bytesOnDisk) >= options.logQuotaBytes { overQuota.store(true, ordering: .relaxed) }
            if !ring.producer.tryPush(descriptor) { counters.spills.add() }
            return true
        }
    }

    /// Offers the newest record's descriptor to the ring again. The worker learns of records that spilled (the ring
    /// was full) only from a later descriptor; when nothing more arrives — the end of a replay — this is that later
    /// descriptor: the worker reads the spilled records back from the log up to it, or skips it when it already
    /// has it. False when the ring is full (the worker has descriptors to go on with anyway).
    @discardableResult
    func repostNewest() -> Bool {
        state.withLock { state in
            guard let newest = state.newest else { return false }
            return ring.producer.tryPush(newest)
        }
    }

    /// Writes a tick record when nothing was appended for a tick interval; called about once a second.
    func tick(now: Int64) {
        state.withLock { state in
            guard now - state.lastAppendAt >= options.tickInterval else { return }
            appendTick(at: now, &state)
        }
    }

    /// Writes a tick record at `time`, whatever was appended before: a tick a recording holds (replay of an exported
    /// log writes each of its ticks at the instant the live run wrote it, and no other).
    public func appendTick(at time: Int64) {
        state.withLock { state in appendTick(at: time, &state) }
    }

    private func appendTick(at time: Int64, _ state: inout State) {
        do {
            let descriptor = try log.appendTick(at: time)
            state.lastAppendAt = time
            state.newest = descriptor
            if !ring.producer.tryPush(descriptor) { counters.spills.add() }
        } catch {
            if !state.warnedLog {
                state.warnedLog = true
                logger.critical("cannot write a tick to the write-ahead log: \(error)")
            }
        }
    }

    /// Tells the worker no more descriptors will come.
    func close() {
        state.withLock { _ in ring.producer.close() }
    }
}
