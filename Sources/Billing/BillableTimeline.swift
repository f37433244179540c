import Foundation
import Sessions

/// Builds a session's samples from what the runtime sees: state changes and meter readings, in any order.
///
/// Each state change and each reading becomes a sample carrying the state, the last cumulative energy, power
/// and current known at that time (held forward); several at one instant collapse into one sample (the last fed
/// wins). Energy that goes backwards (a register reset the session stage already flagged) is held at the highest
/// value seen, so the timeline stays non-decreasing. `samples(endingAt:)` closes the timeline with a final sample
/// (the unplug or session end, or "now" for a running cost).
public struct BillableTimeline: Sendable {
    private enum Change: Sendable {
        case state(BillableState)
        case reading(energyWh: Decimal?, powerW: Double?, currentA: Double?)
    }

    private var changes: [(time: Int64, order: Int, change: Change)] = []
    public let startedAt: Int64
    public let initialState: BillableState
    public let startEnergyWh: Decimal

    public init(startedAt: Int64, state: BillableState = .charging, startEnergyWh: Decimal = 0) {
        self.startedAt = startedAt
        self.initialState = state
        self.startEnergyWh = startEnergyWh
    }

    /// The session's phase changed (phases that are not billable, `available`, are ignored).
    public mutating func phase(_ phase: ChargePhase, at time: Int64) {
        if let state = BillableState(phase: phase) { self.state(state, at: time) }
    }

    public mutating func state(_ state: BillableState, at time: Int64) {
        changes.append((time, changes.count, .state(state)))
    }

    /// A reading: cumulative energy (Wh), power (W), current (A); nil parts keep their previous value.
    public mutating func reading(energyWh: Decimal? = nil, powerW: Double? = nil, currentA: Double? = nil,
                                 at time: Int64) {
        changes.append((time, changes.count, .reading(energyWh: energyWh, powerW: powerW, currentA: currentA)))
    }

    /// The samples from `startedAt` to `end` (changes outside that range are used for the values they carry
    /// but make no sample of their own).
    public func samples(endingAt end: Int64) -> [BillableSample] {
        var current = BillableSample(time: startedAt, energyWh: startEnergyWh, state: initialState)
        var result: [BillableSample] = [current]
        let ordered = changes.sorted { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
        for (time, _, change) in ordered where time <= end {
            switch change {
            case .state(let state): current.state = state
            case .reading(let energy, let power, let amps):
                if let energy { current.energyWh = max(current.energyWh, energy) }
                if let power { current.powerW = power }
                if let amps { current.currentA = amps }
            }
            current.time = max(time, startedAt)
            if result[result.count - 1].time == current.time {
                result[result.count - 1] = current
            } else {
                result.append(current)
            }
        }
        if end > result[result.count - 1].time {
            current.time = end
            result.append(current)
        }
        return result
    }
}

extension BillableSession {
    /// A session record's identity (id, site, charger, EVSE, connector, id tag, start) with its timeline.
    public init(record: SessionRecord, timeZone: TimeZone, samples: [BillableSample]) {
        self.init(id: record.id, site: record.site, charger: record.charger, evse: record.evse,
                  connector: record.connector, idTag: record.idTag, timeZone: timeZone, startedAt: record.startedAt,
                  samples: samples)
    }
}

extension CostBreakdown {
    /// Time spent in `state` (ms): charging hours and idle hours for the revenue report.
    public func timeMs(in state: BillableState) -> Int64 {
        periods.filter { $0.state == state }.reduce(0) { $0 + $1.durationMs }
    }
}
