import Telemetry

/// `PipelineDefinition.source(forTopic:)` remembered per topic: a fleet publishes on a fixed set of topics, so the
/// template matching and fleet lookup (about a microsecond a message) run once per topic, then cost one hash.
///
/// Rejections are remembered too (a misconfigured charger repeats its topic). Bounded: past `capacity` topics the
/// memory starts over, so a flood of distinct topics costs matching, never unbounded memory.
///
/// Not thread-safe: one owner (the ingest worker's thread).
public final class TopicRoutes {
    public let pipeline: PipelineDefinition
    public let capacity: Int
    /// By a 64-bit hash of the topic's bytes, with the topic as received: a hit counts only when the bytes match
    /// (routing checks identifiers byte by byte, and two topics may share a hash). Keyed by the word, the dictionary
    /// hashes eight bytes, not the whole string (String hashing normalizes it: about 700 instructions a topic).
    private var routes: [UInt64: Routed] = [:]

    /// The hash the table is keyed by (`MessageHash` of the topic's bytes; a test gives every topic the same one).
    let hash: (UnsafeRawBufferPointer) -> UInt64

    /// A topic as received, with its answer.
    public struct Routed: Sendable {
        /// The topic: for a known topic the `String` remembered with it (read from the log, a topic is bytes; making
        /// a `String` of them allocated once a message).
        public let topic: String
        public let route: Result<MessageSource, DecodeError>
    }

    public convenience init(pipeline: PipelineDefinition, capacity: Int = 65_536) {
        self.init(pipeline: pipeline, capacity: capacity, hash: MessageHash.hash(bytes:))
    }

    init(pipeline: PipelineDefinition, capacity: Int, hash: @escaping (UnsafeRawBufferPointer) -> UInt64) {
        self.pipeline = pipeline
        self.capacity = max(1, capacity)
        self.hash = hash
    }

    /// The same answer as `pipeline.source(forTopic:)`.
    public func source(forTopic topic: String) throws(DecodeError) -> MessageSource {
        try routed(topic: topic).route.get()
    }

    /// The topic and the same answer as `pipeline.source(forTopic:)`, for a topic given as a `String`.
    public func routed(topic: String) -> Routed {
        var contiguous = topic
        return contiguous.withUTF8 { bytes in lookUp(UnsafeRawBufferPointer(bytes)) { topic } }
    }

    /// The topic and the same answer as `pipeline.source(forTopic:)`, for a topic given as its bytes (not
    /// necessarily UTF-8: the `String` is then repaired, U+FFFD, and routing refuses it as it would the `String`).
    public func routed(topicBytes bytes: UnsafeRawBufferPointer) -> Routed {
        lookUp(bytes) { String(decoding: bytes, as: UTF8.self) }
    }

    private func lookUp(_ bytes: UnsafeRawBufferPointer, topic: () -> String) -> Routed {
        let key = hash(bytes)
        if let known = routes[key] {
            if Self.sameBytes(known.topic, bytes) { return known }
            // Another topic with the same hash: routed on its own, and not remembered (the first one keeps the entry).
            return Self.route(topic(), in: pipeline)
        }
        let routed = Self.route(topic(), in: pipeline)
        if routes.count >= capacity { routes.removeAll(keepingCapacity: true) }
        // Remembered under these bytes only when the String has them (a repaired topic is routed each time).
        if Self.sameBytes(routed.topic, bytes) { routes[key] = routed }
        return routed
    }

    private static func route(_ topic: String, in pipeline: PipelineDefinition) -> Routed {
        Routed(topic: topic, route: Result { () throws(DecodeError) in try pipeline.source(forTopic: topic) })
    }

    /// Whether the string's UTF-8 is `bytes`, byte for byte (`==` compares canonical equivalence), eight bytes a
    /// step (the generic `utf8.elementsEqual` walked string indices, about 2,400 instructions a topic).
    @inline(__always)
    static func sameBytes(_ a: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard a.utf8.count == bytes.count else { return false }
        var a = a
        return a.withUTF8 { x in memcmpEqual(x, bytes.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Topics remembered.
    public var count: Int { routes.count }
}
