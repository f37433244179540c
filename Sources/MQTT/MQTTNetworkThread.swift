import CMosquitto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The thread that runs one client's network loop (`mosquitto_loop`), reconnecting with backoff when the
/// connection ends, until `close()`.
///
/// Why not `mosquitto_loop_start`: its loop (`mosquitto_loop_forever`, libmosquitto 2.0.x) stops for good after
/// "fatal" errors, and one of them, a TLS handshake that fails certificate verification, ends it without calling
/// the disconnect callback: the client would sit silently disconnected forever. A refused MQTT 5 CONNACK and a
/// DISCONNECT from the broker stop it too. This loop is the same `mosquitto_loop` calls on a thread of our own,
/// so every end is reported and every error is retried. libmosquitto is told it is used from several threads
/// (`mosquitto_threaded_set`), which keeps all socket writes on this thread, as with `mosquitto_loop_start`.
final class MQTTNetworkThread: Sendable {
    private let handle: MosquittoHandle
    private let context: MQTTCallbackContext
    private let policy: MQTTReconnectPolicy
    /// A pipe whose write end wakes the thread from its backoff wait when `close()` runs.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// The running thread, until `stopAndJoin()` takes it.
    private let thread = Mutex<pthread_t?>(nil)

    /// How long one `mosquitto_loop` call may wait in `select`; publishes and `close()` wake it sooner.
    private static let loopTimeoutMilliseconds: Int32 = 1_000
    /// How long `close()` lets the DISCONNECT take to leave.
    private static let disconnectTimeout = Duration.seconds(3)

    init(handle: MosquittoHandle, context: MQTTCallbackContext, policy: MQTTReconnectPolicy) throws(MQTTError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw MQTTError.library(MOSQ_ERR_ERRNO.rawValue, "creating the network thread's wake-up pipe")
        }
        self.handle = handle
        self.context = context
        self.policy = policy
        wakeRead = ends[0]
        wakeWrite = ends[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread; it holds a reference to `self` until it ends.
    func start() throws(MQTTError) {
        let retained = Unmanaged.passRetained(self).toOpaque()
        var id = pthread_t()
        let rc = pthread_create(&id, nil, { argument in
            let thread = Unmanaged<MQTTNetworkThread>.fromOpaque(argument!).takeRetainedValue()
            thread.run()
            return nil
        }, retained)
        guard rc == 0 else {
            Unmanaged<MQTTNetworkThread>.fromOpaque(retained).release()
            errno = rc
            throw MQTTError.library(MOSQ_ERR_ERRNO.rawValue, "starting the network thread for \(context.peer)")
        }
        thread.withLock { $0 = id }
    }

    /// Wakes the thread and waits for it to end. Call after `context.beginClose()` and `mosquitto_disconnect`:
    /// the thread ends once the DISCONNECT is written, or at once if it was waiting to reconnect.
    func stopAndJoin() {
        guard let id = thread.withLock({ $0.take() }) else { return }
        // Joining from the thread itself would fail, and the handle would then be destroyed under the running loop.
        precondition(pthread_equal(id, pthread_self()) == 0, "MQTTClient.close() called from one of its own handlers")
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        pthread_join(id, nil)
    }

    private func run() {
        let raw = handle.raw
        var failures = 0
        var connacksSeen = context.connackCount
        let clock = ContinuousClock()
        var closingSince: ContinuousClock.Instant?
        while true {
            var rc = mosquitto_loop(raw, Self.loopTimeoutMilliseconds, 1)
            if rc == MOSQ_ERR_SUCCESS.rawValue, closingSince == nil {
                if context.isClosing { closingSince = clock.now } else { rc = drainWaitingPackets(raw) }
            }
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                // Closing: the loop ends when the DISCONNECT has been written; give up on it after a while.
                if let closingSince, clock.now - closingSince > Self.disconnectTimeout { return }
                continue
            }
            let savedErrno = errno
            if context.isClosing { return }
            // The connection (or the attempt) is over; usually the disconnect callback has said so already.
            context.reportUnreportedEnd(rc, savedErrno: savedErrno)
            while true {
                let connacks = context.connackCount
                if connacks != connacksSeen {
                    connacksSeen = connacks
                    failures = 0
                }
                failures += 1
                let delay = policy.delay(afterFailures: failures)
                context.onEvent(.reconnecting(after: delay))
                if waitForWakeUp(delay) || context.isClosing { return }
                context.beginAttempt(on: raw, firstOfConnect: false)
                let rc = mosquitto_reconnect(raw)
                if rc == MOSQ_ERR_SUCCESS.rawValue { break }
                context.reportUnreportedEnd(rc, savedErrno: errno)
                if context.isClosing { return }
            }
        }
    }

    /// Reads the packets already waiting in the socket without a `select` before each: up to `drainCalls` calls of
    /// `mosquitto_loop_read`, and for no longer than `drainTime`.
    ///
    /// `mosquitto_loop` reads one packet per `select` unless QoS 1 and 2 messages are in flight, so at QoS 0 a
    /// burst cost one `pselect` (and the loop's bookkeeping) per message on top of the packet's own reads. Here
    /// `mosquitto_loop_read` is called again as long as the last call read a whole packet: a read that finds the
    /// socket empty (or a packet incomplete) leaves `errno` at `EAGAIN`, and the next `select` waits for more. A
    /// stale `EAGAIN` left by a handler only ends the drain early. (libmosquitto 2.0 ignores the call's packet count:
    /// one call reads one packet, or as many as there are QoS 1 and 2 messages in flight.)
    ///
    /// The drain stops as soon as libmosquitto has something to write, which is every QoS 1 message's PUBACK.
    /// Queuing a packet also writes a byte to libmosquitto's private wake-up socket, and `mosquitto_loop` reads one
    /// such byte per call: draining past queued packets would pile the bytes up and turn the next `select`s into
    /// polls. So QoS 1 traffic keeps one `mosquitto_loop` per message (the PUBACK is written there, after the
    /// handler has returned, as before), and QoS 0 traffic reads in runs. The limits bound how long the keep-alive
    /// check at the end of `mosquitto_loop` waits: with slow handlers, 256 calls could otherwise outlast the 1.5 ×
    /// keep-alive after which MQTT lets a broker drop a client it has heard nothing from.
    private func drainWaitingPackets(_ raw: OpaquePointer) -> Int32 {
        // Timed from the first packet the drain reads: no clock read when there is none (every QoS 1 message).
        var deadline: ContinuousClock.Instant?
        for _ in 0..<Self.drainCalls {
            guard mosquitto_socket(raw) >= 0, !mosquitto_want_write(raw) else { break }
            errno = 0
            let rc = mosquitto_loop_read(raw, 1)
            guard rc == MOSQ_ERR_SUCCESS.rawValue else { return rc }
            if errno == EAGAIN || errno == EWOULDBLOCK { break }
            let now = ContinuousClock.now
            if let deadline, now >= deadline { break }
            if deadline == nil { deadline = now + Self.drainTime }
        }
        return MOSQ_ERR_SUCCESS.rawValue
    }

    /// At most this many `mosquitto_loop_read` calls between two `mosquitto_loop` calls…
    private static let drainCalls = 256
    /// …and no longer than this.
    private static let drainTime = Duration.milliseconds(50)

    /// Waits up to `delay`; true if woken by `stopAndJoin()`.
    private func waitForWakeUp(_ delay: Duration) -> Bool {
        let (seconds, attoseconds) = delay.components
        let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }
}
