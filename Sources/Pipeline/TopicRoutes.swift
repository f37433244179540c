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
    /// By topic, with the topic as received: String equality is Unicode canonical equivalence ("K" and the Kelvin
    /// sign are equal), but routing checks identifiers byte by byte, so a hit counts only when the bytes match too.
    private var routes: [String: (topic: String, route: Result<MessageSource, DecodeError>)] = [:]

    public init(pipeline: PipelineDefinition, capacity: Int = 65_536) {
        self.pipeline = pipeline
        self.capacity = max(1, capacity)
    }

    /// Byte-for-byte equality of two strings (`==` compares canonical equivalence), through their contiguous UTF-8:
    /// the generic `utf8.elementsEqual` walked string indices, about 2,400 instructions a topic.
    @inline(__always)
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
        }
        return (contiguous ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    /// The same answer as `pipeline.source(forTopic:)`.
    public func source(forTopic topic: String) throws(DecodeError) -> MessageSource {
        if let known = routes[topic] {
            if Self.sameBytes(known.topic, topic) { return try known.route.get() }
            // Canonically equal, other bytes: routed on its own, and not remembered (the first one keeps the entry).
            return try pipeline.source(forTopic: topic)
        }
        let route = Result { () throws(DecodeError) in try pipeline.source(forTopic: topic) }
        if routes.count >= capacity { routes.removeAll(keepingCapacity: true) }
        routes[topic] = (topic, route)
        return try route.get()
    }

    /// Topics remembered.
    public var count: Int { routes.count }
}
