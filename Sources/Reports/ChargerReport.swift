import Foundation
import Pipeline

/// One line of `wattline chargers`: an EVSE, or a whole charger (its EVSEs summed), and how it performed.
public struct ChargerRow: Sendable, Equatable {
    /// Why a row stands out.
    public enum Flag: String, Sendable, CaseIterable {
        /// Uptime below the NEVI bar of 97 %.
        case belowUptimeBar = "uptime<97%"
        /// No session in the period.
        case noSessions = "no-sessions"
        /// Average power while charging below half the rating.
        case slow = "power<50%"
    }

    public var site: String
    public var charger: String
    /// Nil for the charger's own row.
    public var evse: Int?
    public var uptime: Uptime
    /// Sessions, energy, charging time, revenue and capacity of the row.
    public var usage: RevenueRow
    /// The largest connector's rating, kW (the charger row: the sum over its EVSEs); nil when not declared.
    public var ratedPowerKW: Double?
    /// Anomalies that started in the period.
    public var anomalies: Int
    public var flags: [Flag] = []

    /// Average power while charging, kW: energy over charging time.
    public var averagePowerKW: Double? {
        guard usage.chargingSeconds > 0 else { return nil }
        return usage.energyWh * 3.6 / usage.chargingSeconds
    }

    /// Average power against the rating, 0…1 (the charger row compares with its EVSEs' average rating).
    public var powerRatio: Double? {
        guard let average = averagePowerKW, let rated = ratedPowerKW, rated > 0 else { return nil }
        return evse == nil ? average / (rated / Double(max(1, evseCount))) : average / rated
    }

    /// EVSEs summed in the charger row (1 for an EVSE row).
    public var evseCount = 1
}

/// `wattline chargers`: a performance table per charger and EVSE — NEVI uptime, sessions, utilisation, energy,
/// average power against rating, anomalies and revenue — worst first, so underperformers stand out.
public struct ChargerReport: Sendable {
    /// The silence after which a charger counts as offline when the fleet declares no `offline_after`.
    public static let defaultOfflineAfterMs: Int64 = 540_000
    /// Below this share of the rating, the average charging power flags a row as slow.
    public static let slowRatio = 0.5

    public var period: Range<Int64>
    /// Chargers worst first (lowest uptime, then lowest utilisation), each charger's row followed by its EVSEs'.
    public var rows: [ChargerRow]

    public init(sessions: [ReportSession], anomalies: [ReportAnomaly], scope: ReportScope, period: Range<Int64>,
                offlineAfterMs: Int64 = defaultOfflineAfterMs) {
        self.period = period
        let length = Double(period.upperBound - period.lowerBound) / 1000
        var byCharger: [String: [ChargerRow]] = [:]
        for key in scope.evses.keys.sorted() {
            let site = scope.evses[key] ?? ""
            let declared = scope.fleet.charger(id: key.charger)?.offlineAfter
            let offlineAfter = declared.map(DurationText.milliseconds)
            var usage = RevenueRow(key: key.description)
            usage.capacitySeconds = length
            for session in sessions where session.evseKey == key && period.contains(session.startedAt) { usage.add(session) }
            let outage = OutageCalculator.outageSeconds(of: key, anomalies: anomalies, period: period,
                                                        offlineAfterMs: offlineAfter ?? offlineAfterMs)
            let count = anomalies.filter {
                $0.charger == key.charger && $0.evse == key.evse && period.contains($0.startedAt)
            }.count
            let row = ChargerRow(site: site, charger: key.charger, evse: key.evse,
                                 uptime: Uptime(periodSeconds: length, outageSeconds: outage), usage: usage,
                                 ratedPowerKW: scope.ratedPowerKW(key), anomalies: count)
            byCharger[key.charger, default: []].append(row)
        }
        var groups: [[ChargerRow]] = []
        for (charger, evses) in byCharger {
            var usage = RevenueRow(key: charger)
            usage.capacitySeconds = 0
            var uptime = Uptime(periodSeconds: 0, outageSeconds: 0)
            var rated: Double? = 0
            for row in evses {
                usage.sessions += row.usage.sessions
                usage.unpriced += row.usage.unpriced
                usage.energyWh += row.usage.energyWh
                usage.chargingSeconds += row.usage.chargingSeconds
                usage.idleSeconds += row.usage.idleSeconds
                usage.capacitySeconds.increase(by: row.usage.capacitySeconds ?? 0)
                for amount in row.usage.revenue.amounts { usage.revenue.add(amount) }
                uptime = uptime + row.uptime
                rated = row.ratedPowerKW.flatMap { value in rated.map { $0 + value } }
            }
            let count = anomalies.filter { $0.charger == charger && period.contains($0.startedAt) }.count
            var total = ChargerRow(site: evses.first?.site ?? "", charger: charger, evse: nil, uptime: uptime, usage: usage,
                                   ratedPowerKW: rated, anomalies: count)
            total.evseCount = evses.count
            groups.append([total] + evses)
        }
        for index in groups.indices {
            for row in groups[index].indices { groups[index][row].flags = Self.flags(groups[index][row]) }
        }
        groups.sort { a, b in
            let x = a[0], y = b[0]
            if x.uptime.ratio != y.uptime.ratio { return x.uptime.ratio < y.uptime.ratio }
            let ux = x.usage.utilisation ?? 0, uy = y.usage.utilisation ?? 0
            if ux != uy { return ux < uy }
            return x.charger < y.charger
        }
        rows = groups.flatMap { $0 }
    }

    static func flags(_ row: ChargerRow) -> [ChargerRow.Flag] {
        var flags: [ChargerRow.Flag] = []
        if !row.uptime.meetsBar { flags.append(.belowUptimeBar) }
        if row.usage.sessions == 0 { flags.append(.noSessions) }
        if let ratio = row.powerRatio, ratio < slowRatio { flags.append(.slow) }
        return flags
    }
}
