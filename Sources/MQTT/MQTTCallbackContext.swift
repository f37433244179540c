import CMosquitto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What libmosquitto's callbacks need, reached through the client's userdata pointer
/// (`Unmanaged.passUnretained(context).toOpaque()`), never through globals.
///
/// The ``MQTTClient`` owns it strongly and destroys the `struct mosquitto` (after joining the network thread)
/// before releasing it, so the unretained pointer never dangles. The message path reads only `let`s and takes no
/// lock; the connection bookkeeping is behind a `Mutex` that is never held while user code or libmosquitto runs.
final class MQTTCallbackContext: Sendable {
    let onMessage: @Sendable (borrowing MQTTMessage) -> Void
    let onEvent: @Sendable (MQTTConnectionEvent) -> Void
    let subscriptions: [MQTTSubscription]
    let protocolVersion: MQTTProtocolVersion
    /// "host:port as 'client'", for error messages.
    let peer: String

    /// Publishes libmosquitto has finished: QoS 0 written to the socket, QoS 1 acknowledged (PUBACK), QoS 2
    /// completed (PUBCOMP). Only grows; relaxed, as it orders nothing else.
    let completedPublishes = Atomic<Int>(0)

    /// Connection bookkeeping shared by the callbacks and the network thread's loop (network thread) and by
    /// `connect()`/`close()` (caller's thread).
    private let bookkeeping = Mutex(Bookkeeping())

    private struct Bookkeeping {
        /// `close()` has begun: the next disconnect is the requested one and the network thread must stop.
        var closing = false
        /// The disconnect of a `close()` has been reported.
        var closeReported = false
        /// The end of the current connection (or attempt) has been reported by the disconnect callback.
        var attemptEndReported = false
        /// Successful CONNACKs so far; the network thread restarts its backoff when this moves.
        var connacks = 0
        /// Subscribe on the next successful CONNACK even if the session is present (once per `connect()`), so that
        /// filters added to the configuration since the session was created take effect.
        var subscribeOnNextConnack = true
        /// Why the broker refused the last CONNACK, reported with the disconnect that follows it.
        var refusal: MQTTError?
        /// libmosquitto's last error log line during the current attempt (OpenSSL's reason for a TLS failure).
        var attemptLog: String?
        /// Subscription filters by the mid of their SUBSCRIBE, until the SUBACK arrives.
        var pendingSubscriptions: [Int32: String] = [:]
    }

    init(
        options: MQTTOptions,
        onEvent: @escaping @Sendable (MQTTConnectionEvent) -> Void,
        onMessage: @escaping @Sendable (borrowing MQTTMessage) -> Void
    ) {
        self.onMessage = onMessage
        self.onEvent = onEvent
        self.subscriptions = options.subscriptions
        self.protocolVersion = options.protocolVersion
        self.peer = "\(options.endpoint) as '\(options.clientID)'"
    }

    /// Recovers the context from libmosquitto's userdata pointer.
    static func from(_ userdata: UnsafeMutableRawPointer?) -> MQTTCallbackContext {
        // Force unwrap: the pointer is set in `mosquitto_new` and never cleared.
        Unmanaged<MQTTCallbackContext>.fromOpaque(userdata!).takeUnretainedValue()
    }

    // MARK: Attempts, from connect() and the network thread

    /// Starts a connection attempt: its errors are collected from libmosquitto's log until the CONNACK (the log
    /// callback is set only while not connected, because with one set libmosquitto formats a debug line for
    /// every packet, including every message).
    func beginAttempt(on raw: OpaquePointer, firstOfConnect: Bool) {
        bookkeeping.withLock {
            $0.attemptEndReported = false
            $0.refusal = nil
            $0.attemptLog = nil
            if firstOfConnect { $0.subscribeOnNextConnack = true }
        }
        installAttemptLog(on: raw)
    }

    func recordLog(level: Int32, _ line: UnsafePointer<CChar>?) {
        guard level & Int32(MOSQ_LOG_ERR) != 0, let line else { return }
        let text = String(cString: line)
        bookkeeping.withLock { $0.attemptLog = text }
    }

    /// The error log line of the current attempt, once.
    func takeAttemptLog() -> String? {
        bookkeeping.withLock { state in
            defer { state.attemptLog = nil }
            return state.attemptLog
        }
    }

    var isClosing: Bool { bookkeeping.withLock { $0.closing } }
    var connackCount: Int { bookkeeping.withLock { $0.connacks } }

    /// Reports the end of an attempt or connection that libmosquitto's disconnect callback did not report: a
    /// failed `mosquitto_reconnect`, or a TLS handshake that failed inside `mosquitto_loop` (libmosquitto 2.0.x
    /// returns `MOSQ_ERR_TLS` from there without calling the disconnect callback).
    func reportUnreportedEnd(_ rc: Int32, savedErrno: Int32) {
        let report = bookkeeping.withLock { state in
            defer { state.attemptEndReported = true }
            return !state.attemptEndReported && !state.closing
        }
        guard report else { return }
        errno = savedErrno
        onEvent(.disconnected(.library(rc, "connecting to \(peer)", detail: takeAttemptLog())))
    }

    // MARK: close()

    func beginClose() {
        bookkeeping.withLock { $0.closing = true }
    }

    /// Reports the end of a `close()` unless the disconnect callback already did (it does not run when the
    /// client was between attempts).
    func finishClose() {
        let report = bookkeeping.withLock { state in
            defer { state.closeReported = true }
            return !state.closeReported
        }
        if report { onEvent(.disconnected(nil)) }
    }

    // MARK: Callbacks (network thread)

    func handleMessage(_ message: UnsafePointer<mosquitto_message>) {
        let raw = message.pointee
        let topic = UnsafeRawBufferPointer(start: raw.topic, count: raw.topic.map { strlen($0) } ?? 0)
        let payload = UnsafeRawBufferPointer(start: raw.payload, count: Int(max(raw.payloadlen, 0)))
        let view = MQTTMessage(
            topicUTF8: topic, payload: payload, qos: MQTTQoS(rawValue: raw.qos) ?? .atMostOnce,
            isRetained: raw.retain, messageID: raw.mid)
        onMessage(view)
    }

    func handleConnack(_ mosq: OpaquePointer?, code: Int32, flags: Int32) {
        guard code == 0 else {
            let refusal = MQTTError.connack(code, version: protocolVersion, "connecting to \(peer)")
            bookkeeping.withLock { $0.refusal = refusal }
            return
        }
        // Connected: stop formatting log lines before the first message arrives.
        if let mosq { removeAttemptLog(from: mosq) }
        let sessionPresent = flags & 0x01 != 0
        let subscribe = bookkeeping.withLock { state in
            defer { state.subscribeOnNextConnack = false }
            state.connacks += 1
            state.attemptLog = nil
            return !sessionPresent || state.subscribeOnNextConnack
        }
        if subscribe, let mosq { sendSubscriptions(mosq) }
        onEvent(.connected(sessionPresent: sessionPresent))
    }

    private func sendSubscriptions(_ mosq: OpaquePointer) {
        // MQTT 5: retained messages only for a new subscription, and never our own publishes.
        let v5Options = Int32(MQTT_SUB_OPT_SEND_RETAIN_NEW.rawValue | MQTT_SUB_OPT_NO_LOCAL.rawValue)
        for subscription in subscriptions {
            var mid: Int32 = 0
            let rc = switch protocolVersion {
            case .v311: mosquitto_subscribe(mosq, &mid, subscription.filter, subscription.qos.rawValue)
            case .v5: mosquitto_subscribe_v5(mosq, &mid, subscription.filter, subscription.qos.rawValue, v5Options, nil)
            }
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                bookkeeping.withLock { $0.pendingSubscriptions[mid] = subscription.filter }
            } else {
                let error = MQTTError.library(rc, "subscribing to '\(subscription.filter)' on \(peer)")
                onEvent(.subscriptionRefused(filter: subscription.filter, error))
            }
        }
    }

    func handleSuback(mid: Int32, grantedCount: Int32, granted: UnsafePointer<Int32>?) {
        guard let filter = bookkeeping.withLock({ $0.pendingSubscriptions.removeValue(forKey: mid) }) else { return }
        // One SUBSCRIBE per filter, so one granted QoS; 0x80 and up is a failure (3.1.1) or a reason code (5).
        guard grantedCount > 0, let granted, granted[0] >= 0x80 else { return }
        onEvent(.subscriptionRefused(filter: filter, .reason(granted[0], "subscribing to '\(filter)' on \(peer)")))
    }

    func handleDisconnect(code: Int32) {
        let savedErrno = errno
        let (closing, refusal) = bookkeeping.withLock { state in
            defer {
                state.refusal = nil
                state.attemptEndReported = true
                state.pendingSubscriptions.removeAll()
                if state.closing { state.closeReported = true }
            }
            return (state.closing, state.refusal)
        }
        if closing {
            onEvent(.disconnected(nil))
            return
        }
        // A DISCONNECT from an MQTT 5 broker arrives as its reason code (0, or 0x80 and up); libmosquitto's own
        // codes are 1–31.
        let error: MQTTError
        if let refusal {
            error = refusal
        } else if protocolVersion == .v5 && (code == 0 || code >= 0x80) {
            error = .reason(code, "connected to \(peer): the broker sent DISCONNECT")
        } else {
            errno = savedErrno
            error = .library(code, "connected to \(peer)", detail: takeAttemptLog())
        }
        onEvent(.disconnected(error))
    }
}
