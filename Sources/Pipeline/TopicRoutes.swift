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
    private var routes: [UInt64: (topic: String, route: Result<MessageSource, DecodeError>)] = [:]

    /// The hash the table is keyed by (`byteHash`; a test gives every topic the same one).
    let hash: (String) -> UInt64

    public convenience init(pipeline: PipelineDefinition, capacity: Int = 65_536) {
        self.init(pipeline: pipeline, capacity: capacity, hash: Self.byteHash)
    }

    init(pipeline: PipelineDefinition, capacity: Int, hash: @escaping (String) -> UInt64) {
        self.pipeline = pipeline
        self.capacity = max(1, capacity)
        self.hash = hash
    }

    /// Byte-for-byte equality of two strings (`==` compares canonical equivalence), through their UTF-8: the generic
    /// `utf8.elementsEqual` walked string indices, about 2,400 instructions a topic.
    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in memcmpEqual(x, y) } }
    }

    /// `MessageHash` of the topic's UTF-8: eight bytes a step (walking `utf8` a byte at a time cost more than the
    /// dictionary it saves); a hash, never an identity.
    static func byteHash(_ topic: String) -> UInt64 {
        var topic = topic
        return topic.withUTF8 { MessageHash.hash(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The same answer as `pipeline.source(forTopic:)`.
    public func source(forTopic topic: String) throws(DecodeError) -> MessageSource {
        let key = hash(topic)
        if let known = routes[key] {
            if Self.sameBytes(known.topic, topic) { return try known.route.get() }
            // Another topic with the same hash: routed on its own, and not remembered (the first one keeps the entry).
            return try pipeline.source(forTopic: topic)
        }
        let route = Result { () throws(DecodeError) in try pipeline.source(forTopic: topic) }
        if routes.count >= capacity { routes.removeAll(keepingCapacity: true) }
        routes[key] = (topic, route)
        return try route.get()
    }

    /// Topics remembered.
    public var count: Int { routes.count }
}
