import Simulator
import Telemetry

/// Decodes a simulated stream with Wattline's decoder, routed as the shipped pipeline (Pipelines/default.yaml with
/// the simulator's fleet file) routes it, and checks that what comes out makes sense.
struct StreamAudit {
    let fleet: SimulatedFleet
    let start: Int64
    let decoder = TelemetryDecoder()
    private var output = DecodeOutput()

    /// Messages the decoder refused, with the reason.
    private(set) var rejections: [String] = []
    /// Everything else that is wrong.
    private(set) var problems: [String] = []

    private(set) var messages = 0
    private(set) var readings: [Measurand: Int] = [:]
    private(set) var rawStatuses: Set<String> = []
    private(set) var stopReasons: Set<String> = []
    private(set) var triggerReasons: Set<String> = []
    /// Transactions opened: OCPP 1.6 once the back-end assigned the id, 2.0.1 with TransactionEvent Started.
    private(set) var started = 0
    /// OCPP 1.6 StartTransactions whose result has not been seen yet.
    private(set) var startsAwaitingID = 0
    private(set) var ended = 0
    private(set) var maxPowerW = 0.0
    private(set) var payloadFormats: Set<PayloadFormat> = []

    /// Open transactions, "charger transaction-id" → EVSE.
    private(set) var open: [String: Int] = [:]
    private var meterStarts: [String: Double] = [:]
    private var lastEnergy: [Series: Reading] = [:]

    init(fleet: SimulatedFleet, start: Int64) {
        self.fleet = fleet
        self.start = start
    }

    /// The shipped pipeline's topic templates, matched here independently of the simulator's own topic helpers:
    /// `ocpp/{charger}/in|out` (format from the charger's declared protocol, as MessageRouting does for `ocpp-j`),
    /// `everest-{charger}/modules/{module}/impl/{impl}/var/powermeter` and
    /// `{charger}/everest_api/{module}/var/session_info`. Nil for a topic no template matches or an undeclared charger.
    static func route(_ topic: String, fleet: SimulatedFleet) -> MessageSource? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let chargerID: String
        var format = PayloadFormat.everest
        var fromBackend = false
        if parts.count == 3, parts[0] == "ocpp", parts[2] == "in" || parts[2] == "out" {
            chargerID = parts[1]
            fromBackend = parts[2] == "out"
            format = .ocppJ
        } else if parts.count == 7, parts[0].hasPrefix("everest-"), parts[1] == "modules", parts[3] == "impl",
                  parts[5] == "var", parts[6] == "powermeter" {
            chargerID = String(parts[0].dropFirst("everest-".count))
        } else if parts.count == 5, parts[1] == "everest_api", parts[3] == "var", parts[4] == "session_info" {
            chargerID = parts[0]
        } else {
            return nil
        }
        guard Identifier.isValid(chargerID), let charger = fleet.charger(id: chargerID),
              Identifier.isValid(charger.siteID) else { return nil }
        if format == .ocppJ {
            switch charger.protocol {
            case .ocpp16: format = .ocpp16
            case .ocpp201: format = .ocpp201
            case .everest: return nil
            }
        }
        return MessageSource(origin: Origin(site: charger.siteID, charger: chargerID), format: format,
                             fromBackend: fromBackend)
    }

    mutating func audit(_ message: InboundMessage) {
        messages += 1
        guard let source = Self.route(message.topic, fleet: fleet), let charger = fleet.charger(id: source.origin.charger)
        else {
            problems.append("no template or declared charger for topic \(message.topic)")
            return
        }
        payloadFormats.insert(source.format)
        output.removeAll()
        do throws(DecodeError) {
            try decoder.decode(message, source: source, into: &output)
        } catch {
            rejections.append("\(error.reason.rawValue) \(error) in \(String(decoding: message.payload.prefix(400), as: UTF8.self))")
            return
        }
        for reading in output.readings { check(reading, of: charger, receivedAt: message.receivedAt) }
        for event in output.events { check(event, of: charger, receivedAt: message.receivedAt) }
    }

    private mutating func check(_ reading: Reading, of charger: SimulatedCharger, receivedAt: Int64) {
        readings[reading.series.measurand, default: 0] += 1
        let where_ = "\(charger.id) EVSE \(reading.series.evse) \(reading.series.measurand.rawValue)"
            + (reading.series.phase.map { " \($0.rawValue)" } ?? "")
        guard reading.timestamp >= start && reading.timestamp <= receivedAt else {
            problems.append("\(where_): timestamp \(reading.timestamp) outside \(start)...\(receivedAt) (receive time)")
            return
        }
        guard let evse = charger.evse(id: reading.series.evse) else {
            problems.append("\(where_): no such EVSE")
            return
        }
        let rating = evse.rating
        let value = reading.value
        func expect(_ range: ClosedRange<Double>, _ what: String) {
            if !range.contains(value) { problems.append("\(where_): \(value) outside \(range) (\(what))") }
        }
        switch reading.series.measurand {
        case .energyActiveImportRegister:
            if let last = lastEnergy[reading.series] {
                if value < last.value || reading.timestamp < last.timestamp {
                    problems.append("\(where_): register went from \(last.value) Wh at \(last.timestamp) to \(value) at \(reading.timestamp)")
                }
                // No more energy than the rating allows in the time between (plus the meters' 1 Wh step).
                let hours = Double(reading.timestamp - last.timestamp) / 3_600_000
                if reading.series.phase == nil && value - last.value > Double(rating.ratedPowerW) * hours + 1 {
                    problems.append("\(where_): \(value - last.value) Wh in \(hours) h is beyond \(rating.ratedPowerW) W")
                }
            }
            lastEnergy[reading.series] = reading
        case .powerActiveImport:
            expect(0...Double(rating.ratedPowerW), "the connector's rating")
            if reading.series.phase == nil { maxPowerW = max(maxPowerW, value) }
        case .currentImport:
            expect(0...Double(rating.ratedCurrentA), "the connector's rated current")
        case .voltage:
            if rating.isDC {
                expect(200...Double(rating.nominalVoltageV), "a DC output voltage")
            } else {
                expect(207...253, "230 V ± 10 % phase to neutral")
            }
        case .soc:
            expect(0...100, "a state of charge")
        case .frequency:
            expect(49.8...50.2, "grid frequency")
        default:
            problems.append("\(where_): unexpected measurand")
        }
    }

    private mutating func check(_ event: TelemetryEvent, of charger: SimulatedCharger, receivedAt: Int64) {
        switch event {
        case .status(let status):
            rawStatuses.insert(status.rawStatus)
            if status.evse != 0 && charger.evse(id: status.evse) == nil {
                problems.append("\(charger.id): status \(status.rawStatus) on unknown EVSE \(status.evse)")
            }
            if status.timestamp > receivedAt {
                problems.append("\(charger.id): status \(status.rawStatus) stamped after it was received")
            }
        case .transaction(let transaction):
            check(transaction, of: charger)
        case .callFailure(let failure):
            problems.append("\(charger.id): CALLERROR \(failure.errorCode) for \(failure.action)")
        }
    }

    private mutating func check(_ event: TransactionEvent, of charger: SimulatedCharger) {
        if let trigger = event.triggerReason { triggerReasons.insert(trigger) }
        guard let id = event.transactionId else {
            // An OCPP 1.6 StartTransaction: its id arrives with the back-end's result (`idAssigned`).
            if event.kind == .started { startsAwaitingID += 1 } else { problems.append("\(charger.id): \(event.kind) without an id") }
            return
        }
        let key = "\(charger.id) \(id)"
        switch event.kind {
        case .started, .idAssigned:
            started += 1
            if event.kind == .idAssigned { startsAwaitingID -= 1 }
            if open[key] != nil { problems.append("\(key): started twice") }
            if open.contains(where: { $0.key.hasPrefix(charger.id + " ") && $0.value == event.evse }) {
                problems.append("\(key): EVSE \(event.evse) already has an open transaction")
            }
            if charger.evse(id: event.evse) == nil { problems.append("\(key): started on unknown EVSE \(event.evse)") }
            open[key] = event.evse
            if let meterStart = event.meterStartWh { meterStarts[key] = meterStart }
        case .updated:
            if open[key] != event.evse { problems.append("\(key): update on EVSE \(event.evse), open on \(String(describing: open[key]))") }
        case .ended:
            guard let evse = open.removeValue(forKey: key) else {
                problems.append("\(key): ended without being started")
                return
            }
            if evse != event.evse { problems.append("\(key): ended on EVSE \(event.evse), started on \(evse)") }
            ended += 1
            if let reason = event.stopReason { stopReasons.insert(reason) }
            if let stop = event.meterStopWh, let begin = meterStarts.removeValue(forKey: key),
               !(0...150_000).contains(stop - begin) {
                problems.append("\(key): meterStop \(stop) - meterStart \(begin) is no car's charge")
            }
        }
    }

    /// Checks what can only be judged at the end of the stream.
    mutating func finish() {
        let connectors = fleet.chargers.reduce(0) { $0 + $1.evses.count }
        if open.count > connectors { problems.append("\(open.count) transactions open on \(connectors) connectors") }
        // Only a StartTransaction whose result fell after the end of the stretch may still wait for its id.
        if startsAwaitingID < 0 || startsAwaitingID > 1 { problems.append("\(startsAwaitingID) StartTransactions without a result") }
        if decoder.tracker.expired > 0 { problems.append("\(decoder.tracker.expired) OCPP calls were never answered") }
    }
}
