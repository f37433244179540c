import CMosquitto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One MQTT connection through libmosquitto, with its network thread, automatic reconnects and subscriptions.
///
/// ```swift
/// let client = try MQTTClient(options: options, onEvent: { log.info("mqtt: \($0)") }) { message in
///     ring.append(message.topicUTF8, message.payload)   // copy out; the buffers die when this returns
/// }
/// try client.connect()
/// // ...
/// client.close()
/// ```
///
/// **The message handler runs on the client's network thread** (a thread of this wrapper that runs
/// `mosquitto_loop`; `mosquitto_loop_start`'s thread stops silently after some errors), synchronously, one
/// message at a time, in the order the broker sent them. While it runs nothing else moves on this connection: no other message, no
/// keep-alive ping, no acknowledgement. Keep it short (copy into a buffer and return); a handler that blocks for
/// 1.5 × the keep-alive gets the connection dropped by the broker.
///
/// **At-least-once.** With libmosquitto 2.0.x in threaded mode, the PUBACK of a QoS 1 message leaves the
/// process only after the handler has returned: libmosquitto queues it before calling the handler, but only the
/// network thread writes to the socket, and it is busy running the handler. So a handler that durably
/// accepts the message (writes it to a write-ahead log, say) before it returns gets at-least-once delivery
/// across crashes: if the process dies first, the broker still holds the message and sends it again (with a
/// persistent session, on the next connect). Expect duplicates after a reconnect, up to `receiveMaximum` of
/// them. QoS 2 does not give this (see ``MQTTQoS/exactlyOnce``); QoS 0 gives nothing.
///
/// **Subscriptions** are sent on every CONNACK that reports no session present, and on the first CONNACK after
/// each `connect()` (so filters added since a persistent session was created take effect). They are never
/// unsubscribed: `close()` only disconnects, so a persistent session keeps queueing while the client is away.
///
/// **Threads.** `connect()`, `publish` and `close()` may be called from any thread, `publish` also from the
/// handlers. Never call `close()` (or drop the last reference) from inside a handler: it joins the network
/// thread that the handler runs on (a precondition stops the process).
public final class MQTTClient: Sendable {
    /// The options the client was created with.
    public let options: MQTTOptions
    private let context: MQTTCallbackContext
    /// The handle, until `close()` takes it out; and the network thread once `connect()` has started it.
    private let lifecycle: Mutex<Lifecycle>

    private struct Lifecycle {
        var handle: MosquittoHandle?
        var networkThread: MQTTNetworkThread?
    }

    /// Creates the client (no network traffic yet) and checks the options with libmosquitto.
    ///
    /// - Parameters:
    ///   - onEvent: Called on every connection change; log one line each.
    ///   - onMessage: Called for every message, on the network thread; see above.
    /// - Throws: ``MQTTError`` naming the option libmosquitto refused (a bad topic filter, an unreadable CA file).
    public init(
        options: MQTTOptions,
        onEvent: @escaping @Sendable (MQTTConnectionEvent) -> Void = { _ in },
        onMessage: @escaping @Sendable (borrowing MQTTMessage) -> Void
    ) throws(MQTTError) {
        try MosquittoLibrary.ensureInitialised()
        for subscription in options.subscriptions {
            try MQTTError.check(
                mosquitto_sub_topic_check(subscription.filter), "checking the subscription filter '\(subscription.filter)'")
        }
        let context = MQTTCallbackContext(options: options, onEvent: onEvent, onMessage: onMessage)
        let userdata = Unmanaged.passUnretained(context).toOpaque()
        guard let raw = mosquitto_new(options.clientID, options.session == .clean, userdata) else {
            // mosquitto_new says why only through errno: EINVAL for a client id it refuses, else ENOMEM.
            let rc = errno == EINVAL ? MOSQ_ERR_INVAL : MOSQ_ERR_NOMEM
            throw MQTTError.library(rc.rawValue, "creating the client '\(options.clientID)'")
        }
        do {
            try Self.configure(raw, options)
        } catch {
            mosquitto_destroy(raw)
            throw error
        }
        context.install(on: raw)
        self.options = options
        self.context = context
        self.lifecycle = Mutex(Lifecycle(handle: MosquittoHandle(raw: raw)))
    }

    deinit {
        close()
    }

    /// Connects to the broker (blocking until the TCP connection is made and CONNECT is queued), then starts the
    /// network thread, which completes the TLS handshake, reads the CONNACK, subscribes, and reconnects from
    /// then on.
    ///
    /// The broker's answer arrives as ``MQTTConnectionEvent/connected(sessionPresent:)``, or as
    /// `disconnected(error)` followed by retries (a refused CONNACK, a failed TLS verification). If this throws
    /// (no route, connection refused, unknown host), nothing is running and `connect()` may be called again.
    public func connect() throws(MQTTError) {
        context.onEvent(.connecting)
        try lifecycle.withLock { (state) throws(MQTTError) in
            let operation = "connecting to \(context.peer)"
            guard let handle = state.handle else { throw .closed(operation) }
            guard state.networkThread == nil else {
                throw MQTTError(kind: .library, code: MOSQ_ERR_INVAL.rawValue, message: "already connected", operation: operation)
            }
            context.beginAttempt(on: handle.raw, firstOfConnect: true)
            let (rc, savedErrno) = sendConnect(handle.raw)
            guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                context.removeAttemptLog(from: handle.raw)
                errno = savedErrno
                throw MQTTError.library(rc, operation, detail: context.takeAttemptLog())
            }
            let thread = try MQTTNetworkThread(handle: handle, context: context, policy: options.reconnect)
            try thread.start()
            state.networkThread = thread
        }
    }

    /// `mosquitto_connect` or, for MQTT 5, `mosquitto_connect_bind_v5` with the Session Expiry Interval;
    /// libmosquitto keeps the properties for its reconnects. Returns the code and `errno` right after the call.
    private func sendConnect(_ raw: OpaquePointer) -> (Int32, Int32) {
        let keepalive = Int32(clamping: options.keepaliveSeconds)
        let port = Int32(clamping: options.port)
        switch options.protocolVersion {
        case .v311:
            let rc = mosquitto_connect(raw, options.host, port, keepalive)
            return (rc, errno)
        case .v5:
            var properties: OpaquePointer?
            defer { mosquitto_property_free_all(&properties) }
            if case .persistent(let expiry) = options.session {
                let seconds = UInt32(clamping: expiry.components.seconds)
                let rc = mosquitto_property_add_int32(
                    &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), seconds)
                guard rc == MOSQ_ERR_SUCCESS.rawValue else { return (rc, errno) }
            }
            let rc = mosquitto_connect_bind_v5(raw, options.host, port, keepalive, nil, properties)
            return (rc, errno)
        }
    }

    /// Publishes a message (the availability topic, typically). Returns libmosquitto's mid for it.
    ///
    /// libmosquitto copies the payload and sends it from the network thread; QoS 1/2 messages published while
    /// disconnected are kept and sent after the reconnect.
    @discardableResult
    public func publish(
        topic: String, payload: UnsafeRawBufferPointer, qos: MQTTQoS = .atLeastOnce, retain: Bool = false
    ) throws(MQTTError) -> Int32 {
        let operation = "publishing to '\(topic)' on \(context.peer)"
        guard let length = Int32(exactly: payload.count) else {
            throw MQTTError.library(MOSQ_ERR_PAYLOAD_SIZE.rawValue, operation)
        }
        return try lifecycle.withLock { (state) throws(MQTTError) -> Int32 in
            guard let handle = state.handle else { throw .closed(operation) }
            var mid: Int32 = 0
            let rc = mosquitto_publish(handle.raw, &mid, topic, length, payload.baseAddress, qos.rawValue, retain)
            try MQTTError.check(rc, operation)
            return mid
        }
    }

    /// How many publishes libmosquitto has finished so far: QoS 0 written, QoS 1 acknowledged, QoS 2 completed.
    /// A publisher that must not lose its last messages waits until this reaches its own count before `close()`.
    public var completedPublishes: Int { context.completedPublishes.load(ordering: .relaxed) }

    /// Publishes `payload`'s bytes (copied by libmosquitto).
    @discardableResult
    public func publish(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = false) throws(MQTTError) -> Int32 {
        // Array.withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result = payload.withUnsafeBytes { bytes in
            Result { () throws(MQTTError) -> Int32 in try publish(topic: topic, payload: bytes, qos: qos, retain: retain) }
        }
        return try result.get()
    }

    /// Publishes `payload` as UTF-8.
    @discardableResult
    public func publish(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false) throws(MQTTError) -> Int32 {
        try publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    /// Disconnects and frees the client; safe to call more than once, and called by `deinit`.
    ///
    /// In this order: DISCONNECT (so the broker discards the will; no UNSUBSCRIBE, which would end a persistent
    /// session's queue), join the network thread once the DISCONNECT is written (so no handler runs after
    /// `close()` returns), `mosquitto_destroy`. No lock is held meanwhile, so handlers still running may call
    /// `publish` (which then throws, the client being closed).
    public func close() {
        let taken = lifecycle.withLock { state -> (MosquittoHandle, MQTTNetworkThread?)? in
            guard let handle = state.handle else { return nil }
            defer {
                state.handle = nil
                state.networkThread = nil
            }
            return (handle, state.networkThread)
        }
        guard let (handle, networkThread) = taken else { return }
        if let networkThread {
            context.beginClose()
            // MOSQ_ERR_NO_CONN between attempts is fine: the thread stops on `isClosing` either way.
            _ = mosquitto_disconnect(handle.raw)
            networkThread.stopAndJoin()
            context.finishClose()
        }
        mosquitto_destroy(handle.raw)
    }
}
