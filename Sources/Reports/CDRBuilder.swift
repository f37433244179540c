import Billing
import Foundation
import Pipeline
import Telemetry

/// One line of a session's price breakdown (`session_costs`), as the CDR's charging periods need it.
public struct CostLineRow: Sendable, Equatable {
    public var period: Int
    /// ms UTC.
    public var periodStart: Int64
    public var periodEnd: Int64
    /// `charging`, `suspended_ev`, `suspended_evse` or `idle`.
    public var state: String
    /// `flat`, `energy`, `time`, `parking` or `idle`.
    public var dimension: String
    /// Measured plus step volume, in `unit` (Wh, ms or session).
    public var billedVolume: Decimal

    public init(period: Int, periodStart: Int64, periodEnd: Int64, state: String, dimension: String, billedVolume: Decimal) {
        self.period = period
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.state = state
        self.dimension = dimension
        self.billedVolume = billedVolume
    }
}

/// Builds OCPI 2.2.1 CDR objects (CDRs module, `CDR` object) from a priced, finalized session, its breakdown
/// lines and the fleet declaration. The output depends on nothing else, so the same inputs give the same bytes.
public struct CDRBuilder: Sendable {
    public let fleet: Fleet
    /// The pipeline's tariffs: the version that priced a session goes into the CDR's `tariffs`.
    public let tariffs: TariffCatalog

    public init(fleet: Fleet, tariffs: TariffCatalog = TariffCatalog()) {
        self.fleet = fleet
        self.tariffs = tariffs
    }

    /// Why a session gets no CDR.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case notFinalized(session: String, state: String)
        case notPriced(session: String, status: String?)
        case undeclaredSite(session: String, site: String)
        case missingLocation(site: String, field: String)

        public var description: String {
            switch self {
            case .notFinalized(let session, let state): "session \(session) is \(state), not finalized: no CDR yet"
            case .notPriced(let session, let status): "session \(session) is not priced (cost_status \(status ?? "NULL")): no CDR"
            case .undeclaredSite(let session, let site):
                "session \(session): site '\(site)' is not declared in the fleet; a CDR needs its location"
            case .missingLocation(let site, let field):
                "site '\(site)' declares no \(field) (fleet.sites[].\(field)): OCPI CDRs require it"
            }
        }
    }

    /// The CDR for `session`, with this id and `last_updated`.
    public func cdr(for session: ReportSession, lines: [CostLineRow], id: String, issuedAt: Int64) throws(Refusal) -> JSONValue {
        guard session.state == "finalized" else { throw .notFinalized(session: session.id, state: session.state) }
        guard session.costStatus == "priced", let price = session.price else {
            throw .notPriced(session: session.id, status: session.costStatus)
        }
        guard let site = fleet.site(id: session.site) else { throw .undeclaredSite(session: session.id, site: session.site) }
        guard let party = site.ocpi else { throw .missingLocation(site: site.id, field: "ocpi") }
        guard let address = site.address, let country = address.country else {
            throw .missingLocation(site: site.id, field: "address")
        }
        guard let coordinates = site.coordinates else { throw .missingLocation(site: site.id, field: "coordinates") }

        let end = session.unpluggedAt ?? session.endedAt ?? session.occupiedUntil
        let totalMs = max(0, end - session.startedAt)
        let chargingMs = min(Int64((session.chargingSeconds * 1000).rounded()), totalMs)
        let connector = fleet.connector(charger: session.charger, evse: session.evse, connector: session.connector)
        let token: JSONValue = .object([
            ("country_code", .string(party.countryCode)),
            ("party_id", .string(party.partyID)),
            ("uid", .string(session.idTag ?? "UNKNOWN")),
            ("type", .string(session.idTag == nil ? "OTHER" : "RFID")),
            ("contract_id", .string(session.idTag ?? "UNKNOWN")),
        ])
        let location: JSONValue = .object([
            ("id", .string(site.id)),
            ("name", .string(site.name)),
            ("address", .string(address.street ?? "")),
            ("city", .string(address.city ?? "")),
            ("postal_code", .string(address.postalCode ?? "")),
            ("country", .string(country)),
            ("coordinates", .object([
                ("latitude", .string(Self.fixed(coordinates.latitude, 6))),
                ("longitude", .string(Self.fixed(coordinates.longitude, 6))),
            ])),
            ("evse_uid", .string("\(session.charger)-\(session.evse)")),
            ("evse_id", .string(Self.evseId(party: party, charger: session.charger, evse: session.evse))),
            ("connector_id", .string(String(session.connector))),
            ("connector_standard", .string(connector?.standard.rawValue ?? "IEC_62196_T2")),
            ("connector_format", .string(connector?.powerType == .dc ? "CABLE" : "SOCKET")),
            ("connector_power_type", .string(connector?.powerType.rawValue ?? "AC_3_PHASE")),
        ])
        var members: [(String, JSONValue)] = [
            ("country_code", .string(party.countryCode)),
            ("party_id", .string(party.partyID)),
            ("id", .string(id)),
            ("start_date_time", .string(Self.time(session.startedAt))),
            ("end_date_time", .string(Self.time(end))),
            ("session_id", .string(session.id)),
            ("cdr_token", token),
            ("auth_method", .string(session.idTag == nil ? "WHITELIST" : "AUTH_REQUEST")),
            ("cdr_location", location),
            ("currency", .string(price.currency)),
        ]
        if let id = price.tariffId, let version = tariffs.version(of: id, at: session.startedAt) {
            members.append(("tariffs", .array([OCPITariff.json(version, party: party, sessionStart: session.startedAt)])))
        }
        members += [
            ("charging_periods", .array(Self.chargingPeriods(session, lines: lines, tariffId: price.tariffId, chargingMs: chargingMs,
                                                             totalMs: totalMs))),
        ]
        if let signed = Self.signedData(session) { members.append(("signed_data", signed)) }
        let digits = AmountText.minorUnit(price.currency)
        func amount(_ value: Decimal) -> JSONValue { .number(AmountText.format(value, digits: digits)) }
        members += [
            ("total_cost", .object([("excl_vat", amount(price.exclVAT)), ("incl_vat", amount(price.total))])),
            ("total_fixed_cost", .object([("excl_vat", amount(price.flat))])),
            ("total_energy", .number(Self.decimalText(Decimal(session.energyWh) / 1000, digits: 3))),
            ("total_energy_cost", .object([("excl_vat", amount(price.energy))])),
            ("total_time", .number(Self.hours(totalMs))),
            ("total_time_cost", .object([("excl_vat", amount(price.time))])),
            ("total_parking_time", .number(Self.hours(totalMs - chargingMs))),
            ("total_parking_cost", .object([("excl_vat", amount(price.parking))])),
            ("last_updated", .string(Self.time(issuedAt))),
        ]
        return .object(members)
    }

    /// The credit record cancelling `original`: the same CDR with its own id, every cost negated, `credit: true`
    /// and `credit_reference_id` naming the original (OCPI 2.2.1 credit CDRs).
    public static func credit(of original: JSONValue, id: String, issuedAt: Int64) -> JSONValue {
        var credit = original
        for key in ["total_cost", "total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost",
                    "total_reservation_cost"] {
            guard case .object(let members)? = original[key] else { continue }
            credit = credit.setting(key, .object(members.map { ($0.0, negated($0.1)) }))
        }
        let reference = original["id"] ?? .null
        return credit.setting("id", .string(id)).setting("credit", .bool(true)).setting("credit_reference_id", reference)
            .setting("last_updated", .string(time(issuedAt)))
    }

    /// The members of a CDR that say what was charged and for what: times, currency, periods, signed values and
    /// totals. A change there (and only there: not a renamed site or an edited tariff text) calls for a correction.
    public static func figures(of cdr: JSONValue) -> JSONValue {
        let keys = ["start_date_time", "end_date_time", "currency", "charging_periods", "signed_data", "total_cost",
                    "total_fixed_cost", "total_energy", "total_energy_cost", "total_time", "total_time_cost",
                    "total_parking_time", "total_parking_cost"]
        return .object(keys.map { ($0, cdr[$0] ?? .null) })
    }

    // MARK: - Pieces

    /// Periods from the breakdown lines: ENERGY in kWh, TIME (charging) and PARKING_TIME (not charging) in hours,
    /// billed volumes (step remainders included). Without lines, one period from the start with the session's
    /// energy, charging time and the rest as parking.
    static func chargingPeriods(_ session: ReportSession, lines: [CostLineRow], tariffId: String?, chargingMs: Int64,
                                totalMs: Int64) -> [JSONValue] {
        func period(start: Int64, _ dimensions: [JSONValue]) -> JSONValue {
            var members: [(String, JSONValue)] = [("start_date_time", .string(time(start))), ("dimensions", .array(dimensions))]
            if let tariffId { members.append(("tariff_id", .string(tariffId))) }
            return .object(members)
        }
        func dimension(_ type: String, _ volume: String) -> JSONValue {
            .object([("type", .string(type)), ("volume", .number(volume))])
        }
        guard !lines.isEmpty else {
            var dimensions = [dimension("ENERGY", decimalText(Decimal(session.energyWh) / 1000, digits: 3)),
                              dimension("TIME", hours(chargingMs))]
            if totalMs > chargingMs { dimensions.append(dimension("PARKING_TIME", hours(totalMs - chargingMs))) }
            return [period(start: session.startedAt, dimensions)]
        }
        var periods: [JSONValue] = []
        for index in Array(Set(lines.map(\.period))).sorted() {
            let own = lines.filter { $0.period == index }
            let first = own[0]
            var dimensions: [JSONValue] = []
            let energy = own.filter { $0.dimension == "energy" }.reduce(Decimal(0)) { $0 + $1.billedVolume }
            if own.contains(where: { $0.dimension == "energy" }) {
                dimensions.append(dimension("ENERGY", decimalText(energy / 1000, digits: 3)))
            }
            let timeLines = own.filter { ["time", "parking", "idle"].contains($0.dimension) }
            let parking = first.state != "charging"
            let timeMs = timeLines.isEmpty
                ? Decimal(first.periodEnd - first.periodStart) : timeLines.reduce(Decimal(0)) { $0 + $1.billedVolume }
            let type = timeLines.contains { $0.dimension == "time" } ? "TIME" : parking ? "PARKING_TIME" : "TIME"
            dimensions.append(dimension(type, decimalText(timeMs / 3_600_000, digits: 6)))
            periods.append(period(start: first.periodStart, dimensions))
        }
        return periods
    }

    /// OCMF (and other) signed meter values at start and end, verbatim.
    static func signedData(_ session: ReportSession) -> JSONValue? {
        let values = [("Start", session.signedBegin), ("End", session.signedEnd)].compactMap { nature, text in
            text.map { (nature, $0) }
        }
        guard !values.isEmpty else { return nil }
        let ocmf = values.allSatisfy { $0.1.hasPrefix("OCMF|") }
        return .object([
            ("encoding_method", .string(ocmf ? "OCMF" : "OTHER")),
            ("signed_values", .array(values.map { nature, text in
                .object([("nature", .string(nature)), ("plain_data", .string(plainData(text))), ("signed_data", .string(text))])
            })),
        ])
    }

    /// The payload of an OCMF text (`OCMF|{payload}|{signature}`); other texts whole.
    static func plainData(_ text: String) -> String {
        let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "OCMF" else { return text }
        return String(parts[1])
    }

    /// `DE*WTL*ECP1*1`: an eMI3-style EVSE id from the operator's party, the charger id (letters and digits only) and the EVSE.
    static func evseId(party: Site.OCPIParty, charger: String, evse: Int) -> String {
        let letters = charger.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        return "\(party.countryCode)*\(party.partyID)*E\(String(String.UnicodeScalarView(letters)).uppercased())*\(evse)"
    }

    static func time(_ milliseconds: Int64) -> String {
        // OCPI DateTime: RFC 3339 in UTC, `Z`, at most second precision is common; keep the stored milliseconds.
        Timestamp.format(milliseconds)
    }

    static func hours(_ milliseconds: Int64) -> String {
        decimalText(Decimal(milliseconds) / 3_600_000, digits: 6)
    }

    /// Rounded to at most `digits` decimals, trailing zeros dropped (`1.500000` → `1.5`).
    static func decimalText(_ value: Decimal, digits: Int) -> String {
        var text = AmountText.format(value, digits: digits)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        AmountText.format(Decimal(string: String(value)) ?? 0, digits: digits)
    }

    private static func negated(_ value: JSONValue) -> JSONValue {
        guard case .number(let text) = value else { return value }
        if text.hasPrefix("-") { return .number(String(text.dropFirst())) }
        if text.allSatisfy({ $0 == "0" || $0 == "." }) { return value }
        return .number("-" + text)
    }
}
