import Anomalies
import Pipeline
import PowerLevels
import Sessions
import Telemetry

/// The three processors in the order they feed each other: power levels (load for the site rules), sessions
/// (session events for bay_blocked and the like), anomalies. A plain value: what a checkpoint snapshots.
///
/// Items arrive already ordered per charger by event time (`ProcessorStage` sees to it); every time comes from the
/// items (event time, and the receive time of the record they came from), never the wall clock.
public struct ProcessorChain: Sendable, Codable {
    public var levels: PowerLevelProcessor
    public var sessions: SessionTracker
    public var anomalies: AnomalyDetector

    public init(levels: PowerLevelProcessor, sessions: SessionTracker, anomalies: AnomalyDetector) {
        self.levels = levels
        self.sessions = sessions
        self.anomalies = anomalies
    }

    /// The processors a pipeline asks for: anomaly settings from `processors.anomalies`, connector ratings and
    /// site limits from the fleet.
    public init(pipeline: PipelineDefinition) throws(PipelineError) {
        let configuration = try AnomalyConfiguration.read(pipeline)
        levels = PowerLevelProcessor()
        sessions = SessionTracker(configuration: try SessionConfiguration.read(pipeline))
        anomalies = AnomalyDetector(configuration: configuration, fleet: pipeline.fleet)
        for rating in Self.ratings(of: pipeline.fleet) {
            sessions.setRating(site: rating.site, charger: rating.charger, evse: rating.evse, watts: rating.watts)
        }
    }

    /// Takes `pipeline`'s settings over a chain restored from a snapshot (which carries the settings it was made
    /// with), so that a tuned rule, session setting or fleet rating counts from the restart on:
    /// `SessionTracker.reconfigure` and `AnomalyDetector.reconfigure` say what changes and what carries on. The
    /// power curve's step and size stay the snapshot's: the restored curves were built with them.
    public mutating func reconfigure(pipeline: PipelineDefinition) throws(PipelineError) {
        var configured = try SessionConfiguration.read(pipeline)
        configured.curveStepMs = sessions.configuration.curveStepMs
        configured.maxCurvePoints = sessions.configuration.maxCurvePoints
        sessions.reconfigure(configured, ratings: Self.ratings(of: pipeline.fleet))
        anomalies.reconfigure(configuration: try AnomalyConfiguration.read(pipeline), fleet: pipeline.fleet)
    }

    /// Each declared EVSE's rating: the largest of its connectors' (W).
    static func ratings(of fleet: Fleet) -> [(site: String, charger: String, evse: Int, watts: Double?)] {
        fleet.chargers.flatMap { charger in
            charger.evses.map { evse in
                (charger.site, charger.id, evse.id, evse.connectors.map(\.ratedPowerKW).max().map { $0 * 1000 })
            }
        }
    }

    /// The power levels close intervals on event time: the newest event time applied, moved on by the receive time
    /// that passed since it was seen (so a silent fleet's intervals still close, and a fleet whose clocks lag the
    /// receive time — an offline backlog, a replay — is not judged late against the wall).
    var eventClock: Int64 = .min
    var eventClockSeenAt: Int64 = .min

    /// One released reading.
    public mutating func apply(_ reading: Reading, receivedAt: Int64) {
        if reading.timestamp > eventClock && reading.timestamp <= receivedAt + Self.futureTolerance {
            eventClock = reading.timestamp
            eventClockSeenAt = receivedAt
        }
        let s = reading.series
        switch s.measurand {
        case .energyActiveImportRegister, .powerActiveImport, .powerOffered, .voltage, .currentImport, .soc:
            // Measurands some processor uses: each processor's slot for the series resolved once per series (a
            // hash here, on the first reading of a message; then cached), handed to their fast paths.
            let h = handle(for: s)
            if let key = levels.channel(for: s, connector: &handles[h].levels) {
                levels.ingest(key, timestamp: reading.timestamp, value: reading.value)
                if key.kind != .register { anomalies.noteSiteLoad(from: levels, connector: key.connector, at: reading.timestamp) }
            }
            sessions.process(reading, receivedAt: receivedAt, slot: &handles[h].sessions)
            anomalies.process(reading, receivedAt: receivedAt, contact: true, slot: &handles[h].anomalies)
        default:
            if let key = levels.channel(for: s) {
                levels.ingest(key, timestamp: reading.timestamp, value: reading.value)
                if key.kind != .register { anomalies.noteSiteLoad(from: levels, connector: key.connector, at: reading.timestamp) }
            }
            sessions.process(reading, receivedAt: receivedAt)
            anomalies.process(reading, receivedAt: receivedAt)
        }
        forwardSessionEvents()
    }

    /// Per connector series (site, charger, EVSE, connector): the processors' slots, -1 until a processor
    /// resolved it. Each processor checks a slot still names the series before using it. Not part of snapshots.
    struct SeriesHandles {
        var levels: Int32 = -1
        var sessions: Int32 = -1
        var anomalies: Int32 = -1
    }

    var handles: [SeriesHandles] = []
    var handleIndex: [SeriesKey: Int32] = [:]

    /// A connector series' place. Hashes the charger id and numbers only (a charger id is nearly always unique
    /// across sites); equality compares everything.
    struct SeriesKey: Hashable {
        var site: String
        var charger: String
        var evse: Int
        var connector: Int
        func hash(into hasher: inout Hasher) {
            hasher.combine(charger)
            hasher.combine(evse &* 64 &+ connector)
        }
    }
    // The last series resolved (a message's readings share it).
    var lastSite = ""
    var lastCharger = ""
    var lastEVSE = Int.min
    var lastConnector = Int.min
    var lastHandle = -1

    mutating func handle(for s: Series) -> Int {
        if lastHandle >= 0, s.evse == lastEVSE, s.connector == lastConnector, s.charger == lastCharger,
           s.site == lastSite {
            return lastHandle
        }
        let identity = SeriesKey(site: s.site, charger: s.charger, evse: s.evse, connector: s.connector)
        let h: Int
        if let found = handleIndex[identity] {
            h = Int(found)
        } else {
            h = handles.count
            handles.append(SeriesHandles())
            handleIndex[identity] = Int32(h)
        }
        lastSite = s.site
        lastCharger = s.charger
        lastEVSE = s.evse
        lastConnector = s.connector
        lastHandle = h
        return h
    }

    public mutating func apply(_ signed: SignedMeterValue, receivedAt: Int64) {
        sessions.process(signed, receivedAt: receivedAt)
    }

    /// One event of a decoded message; `contact` is false for retained deliveries (the broker's replay).
    public mutating func apply(_ event: TelemetryEvent, receivedAt: Int64, contact: Bool) {
        switch event {
        case .status(let change):
            sessions.process(change, receivedAt: receivedAt)
            anomalies.process(change, receivedAt: receivedAt, contact: contact)
        case .transaction(let transaction):
            sessions.process(transaction, receivedAt: receivedAt)
            anomalies.process(transaction, receivedAt: receivedAt, contact: contact)
        case .callFailure:
            break
        }
        forwardSessionEvents()
    }

    /// A message that carried no readings or events (a heartbeat): the charger is alive.
    public mutating func noteContact(_ origin: Origin, receivedAt: Int64) {
        sessions.noteContact(site: origin.site, charger: origin.charger, receivedAt: receivedAt)
        anomalies.noteContact(site: origin.site, charger: origin.charger, receivedAt: receivedAt)
    }

    /// Receive time moved on (a record or a tick): silence, timeouts and closing intervals are judged on it.
    public mutating func advance(to receiveTime: Int64) {
        advancedAt = max(advancedAt, receiveTime)
        if eventClock != .min { levels.advance(to: eventClock + max(0, receiveTime - eventClockSeenAt)) }
        sessions.advance(to: receiveTime)
        forwardSessionEvents()
        anomalies.advance(to: receiveTime)
    }

    /// The receive time the chain was last advanced to (`ProcessorStage` advances it once per receive-time second).
    public private(set) var advancedAt: Int64 = .min

    /// Session events still to be handed to the stage (alerts, logs), in order.
    public private(set) var sessionEvents: [SessionEvent] = []

    private mutating func forwardSessionEvents() {
        guard sessions.hasPendingEvents else { return }
        let events = sessions.drainEvents()
        guard !events.isEmpty else { return }
        for event in events {
            switch event.kind {
            case .started:
                anomalies.noteSession(site: event.site, charger: event.charger, evse: event.evse, sessionId: event.sessionId)
            case .ended:
                anomalies.noteSession(site: event.site, charger: event.charger, evse: event.evse, sessionId: nil)
            default:
                break
            }
            anomalies.process(event)
        }
        sessionEvents += events
    }

    /// Takes the session events gathered since the last call.
    public mutating func drainSessionEvents() -> [SessionEvent] {
        defer { sessionEvents.removeAll() }
        return sessionEvents
    }

    /// Event times further than this past their receive time move no clock (the sequencer flags them `future`).
    static let futureTolerance: Int64 = 300_000

    enum CodingKeys: String, CodingKey {
        case levels, sessions, anomalies, sessionEvents, eventClock, eventClockSeenAt, advancedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        levels = try c.decode(PowerLevelProcessor.self, forKey: .levels)
        sessions = try c.decode(SessionTracker.self, forKey: .sessions)
        anomalies = try c.decode(AnomalyDetector.self, forKey: .anomalies)
        sessionEvents = try c.decode([SessionEvent].self, forKey: .sessionEvents)
        eventClock = try c.decode(Int64.self, forKey: .eventClock)
        eventClockSeenAt = try c.decode(Int64.self, forKey: .eventClockSeenAt)
        // Snapshots written before it existed lack it: the next item advances the chain.
        advancedAt = try c.decodeIfPresent(Int64.self, forKey: .advancedAt) ?? .min
    }
}
