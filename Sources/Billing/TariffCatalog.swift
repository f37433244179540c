import Foundation
import Pipeline

/// Which tariff a session gets: per site, charger, EVSE or connector, optionally for a group of id tags.
public struct TariffAssignment: Sendable, Equatable {
    /// The tariff id (any of its versions).
    public var tariff: String
    /// An id-tag group; nil: everyone.
    public var group: String?
    public var site: String?
    public var charger: String?
    public var evse: Int?
    public var connector: Int?

    public init(tariff: String, group: String? = nil, site: String? = nil, charger: String? = nil, evse: Int? = nil,
                connector: Int? = nil) {
        self.tariff = tariff
        self.group = group
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
    }

    /// Higher is more specific: a group first, then connector > EVSE > charger > site > anywhere.
    public var specificity: Int {
        (group != nil ? 10 : 0)
            + (connector != nil ? 4 : evse != nil ? 3 : charger != nil ? 2 : site != nil ? 1 : 0)
    }
}

/// The tariffs of a pipeline, their versions, id-tag groups and assignments.
public struct TariffCatalog: Sendable, Equatable {
    /// Every version of every tariff, in declaration order.
    public var tariffs: [Tariff]
    /// Group name → id tags (as the session record stores them; a trailing `*` matches a prefix).
    public var groups: [String: [String]]
    public var assignments: [TariffAssignment]
    /// The tariff id used when no assignment matches.
    public var defaultTariff: String?

    public init(tariffs: [Tariff] = [], groups: [String: [String]] = [:], assignments: [TariffAssignment] = [],
                defaultTariff: String? = nil) {
        self.tariffs = tariffs
        self.groups = groups
        self.assignments = assignments
        self.defaultTariff = defaultTariff
    }

    /// The version of tariff `id` valid at `time` (ms UTC).
    public func version(of id: String, at time: Int64) -> Tariff? {
        tariffs.first { $0.id == id && $0.isValid(at: time) }
    }

    /// True when `idTag` belongs to `group`.
    public func isMember(_ idTag: String?, of group: String) -> Bool {
        guard let idTag, let members = groups[group] else { return false }
        return members.contains { member in
            member.hasSuffix("*") ? idTag.hasPrefix(member.dropLast()) : idTag == member
        }
    }

    /// The tariff pricing a session that started at `time`: the most specific matching assignment (ties: the one
    /// declared first) whose tariff has a version valid at `time`, else the default's version valid then.
    public func tariff(site: String, charger: String, evse: Int, connector: Int, idTag: String?, at time: Int64)
        -> Tariff?
    {
        let matching = assignments.enumerated().filter { _, a in
            (a.site.map { $0 == site } ?? true) && (a.charger.map { $0 == charger } ?? true)
                && (a.evse.map { $0 == evse } ?? true) && (a.connector.map { $0 == connector } ?? true)
                && (a.group.map { isMember(idTag, of: $0) } ?? true)
        }.sorted { x, y in
            x.element.specificity != y.element.specificity
                ? x.element.specificity > y.element.specificity : x.offset < y.offset
        }
        for (_, assignment) in matching {
            if let tariff = version(of: assignment.tariff, at: time) { return tariff }
        }
        return defaultTariff.flatMap { version(of: $0, at: time) }
    }

    /// The tariff pricing `session` (valid at its start).
    public func tariff(for session: BillableSession) -> Tariff? {
        tariff(site: session.site, charger: session.charger, evse: session.evse, connector: session.connector,
               idTag: session.idTag, at: session.startedAt)
    }

    /// Picks the session's tariff and prices it; nil when no tariff applies.
    public func cost(of session: BillableSession) throws(BillingError) -> CostBreakdown? {
        guard let tariff = tariff(for: session) else { return nil }
        return try TariffCalculator.cost(of: session, tariff: tariff)
    }
}
