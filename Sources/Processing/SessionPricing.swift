import Billing
import Foundation
import Pipeline
import Sessions

/// A session's cost as the sessions table stores it: the status, the breakdown when priced, and the progress
/// figures of an open session.
public struct SessionCost: Sendable, Equatable {
    /// `cost_status`.
    public enum Status: String, Sendable {
        /// Open: the cost so far.
        case running
        /// Closed or finalized.
        case priced
        /// No tariff applies (no assignment matched and no default, or none valid at the start).
        case noTariff = "no_tariff"
        /// Pricing failed (`error` says why).
        case failed
    }

    public var status: Status
    public var breakdown: CostBreakdown?
    public var error: String?
    /// The latest active power, W (open sessions).
    public var powerW: Double?
    /// The estimated time to full charge, s (open sessions whose vehicle reports SoC and is charging).
    public var timeToFullS: Double?
}

/// Prices sessions from their billing traces with the pipeline's tariffs, in each site's time zone. Pure: no
/// clock, no I/O; "now" for an open session is its charger's event clock, handed in.
public struct SessionPricing: Sendable {
    public let catalog: TariffCatalog
    let timeZones: [String: TimeZone]

    public init(catalog: TariffCatalog, fleet: Fleet) {
        self.catalog = catalog
        var zones: [String: TimeZone] = [:]
        for site in fleet.sites { zones[site.id] = site.timeZone }
        timeZones = zones
    }

    /// The pipeline's tariffs (an empty catalog without a `tariffs:` section).
    public init(pipeline: PipelineDefinition) throws(PipelineError) {
        self.init(catalog: try TariffCatalog.read(pipeline), fleet: pipeline.fleet)
    }

    /// The session energies (Wh), powers (W) and currents (A) where a tariff restriction switches: the readings the
    /// billing trace must keep so splits fall where they would with every reading.
    public var thresholds: (energyWh: [Double], powerW: [Double], currentA: [Double]) {
        var energy = Set<Double>()
        var power = Set<Double>()
        var current = Set<Double>()
        for tariff in catalog.tariffs {
            for element in tariff.elements {
                let r = element.restrictions
                for kWh in [r.minKWh, r.maxKWh].compactMap({ $0 }) {
                    energy.insert(NSDecimalNumber(decimal: kWh * 1_000).doubleValue)
                }
                for kW in [r.minPowerKW, r.maxPowerKW].compactMap({ $0 }) { power.insert(kW * 1_000) }
                for amps in [r.minCurrent, r.maxCurrent].compactMap({ $0 }) { current.insert(amps) }
            }
        }
        return (energy.sorted(), power.sorted(), current.sorted())
    }

    /// The site's time zone; UTC for a site the fleet does not declare.
    public func timeZone(site: String) -> TimeZone {
        timeZones[site] ?? TimeZone(identifier: "UTC")!
    }

    /// Prices `record` from its trace. An open session is priced up to `now` (never before its last traced point).
    public func cost(of record: SessionRecord, trace: BillingTrace?, now: Int64) -> SessionCost {
        let open = record.state == .open
        var cost = SessionCost(status: .noTariff)
        if open {
            cost.powerW = trace?.latest?.powerW
            cost.timeToFullS = record.timeToFullS
        }
        guard catalog.tariff(site: record.site, charger: record.charger, evse: record.evse,
                             connector: record.connector, idTag: record.idTag, at: record.startedAt) != nil
        else { return cost }
        let session = BillableSession(record: record, timeZone: timeZone(site: record.site),
                                      samples: Self.samples(of: record, trace: trace, now: now))
        let priced = price(session)
        cost.status = priced.status == .priced && open ? .running : priced.status
        cost.breakdown = priced.breakdown
        cost.error = priced.error
        return cost
    }

    /// Prices a billable session: `priced`, `no_tariff`, or `failed` with the reason (never throws).
    public func price(_ session: BillableSession) -> SessionCost {
        do throws(BillingError) {
            guard let breakdown = try catalog.cost(of: session) else { return SessionCost(status: .noTariff) }
            return SessionCost(status: .priced, breakdown: breakdown)
        } catch {
            return SessionCost(status: .failed, error: "session \(session.id) cannot be priced: \(error)")
        }
    }

    /// The billed time line: the trace's phase changes and readings, idle from `charging_ended_at` on once the
    /// session closed or completed, up to the unplug (else the end) of a closed session or `now` of an open one.
    /// Without a trace (a snapshot older than traces): one charging stretch with the record's energy.
    static func samples(of record: SessionRecord, trace: BillingTrace?, now: Int64) -> [BillableSample] {
        let end: Int64
        if record.state == .open {
            end = max(now, trace?.latest?.t ?? .min, trace?.points.last?.t ?? .min, record.startedAt)
        } else {
            end = record.unpluggedAt ?? record.endedAt ?? record.startedAt
        }
        guard let trace, let first = trace.points.first else {
            let energy = record.energyWh.map(BillableSample.decimalWh) ?? 0
            return [BillableSample(time: record.startedAt, energyWh: 0, state: .charging),
                    BillableSample(time: max(end, record.startedAt), energyWh: max(energy, 0), state: .idle)]
        }
        let chargingEnded = record.state != .open || record.complete ? record.chargingEndedAt : nil
        // The phase says what the charger reports; measured power, when there is any, says whether energy flows
        // (as the session's own charging time does): above the threshold it is charging, below it a reported
        // `charging` is a pause by the vehicle.
        var phaseState = first.phase.flatMap(BillableState.init(phase:)) ?? .charging
        var powerW: Double?
        func effective(at t: Int64) -> BillableState {
            if let chargingEnded, t >= chargingEnded { return .idle }
            guard let powerW else { return phaseState }
            if powerW > trace.chargingThresholdW { return phaseState == .idle ? .idle : .charging }
            return phaseState == .charging ? .suspendedEV : phaseState
        }
        var timeline = BillableTimeline(startedAt: record.startedAt, state: effective(at: record.startedAt))
        let points = (trace.points.dropFirst() + (trace.latest.map { [$0] } ?? [])).enumerated()
            .sorted { $0.element.t != $1.element.t ? $0.element.t < $1.element.t : $0.offset < $1.offset }.map(\.element)
        for point in points {
            if let phase = point.phase {
                guard let state = BillableState(phase: phase) else { continue }
                phaseState = state
            } else {
                if let power = point.powerW { powerW = power }
                timeline.reading(energyWh: point.energyWh.map(BillableSample.decimalWh), powerW: point.powerW,
                                 currentA: point.currentA, at: point.t)
            }
            timeline.state(effective(at: point.t), at: point.t)
        }
        if let chargingEnded { timeline.state(.idle, at: chargingEnded) }
        return timeline.samples(endingAt: end)
    }
}
