import Billing
import Foundation
import Pipeline
import Telemetry

/// A tariff version as an OCPI 2.2.1 `Tariff` object (Tariffs module), for a CDR's `tariffs`: the elements with
/// their price components and restrictions. Wattline's idle fee and `min_price`/`max_price` VAT details have no
/// place in it beyond what OCPI carries (`min_price`, `max_price`); the CDR's totals include them.
enum OCPITariff {
    /// `last_updated` is the version's `valid_from` (else the session's start), so the same version always gives
    /// the same bytes.
    static func json(_ tariff: Tariff, party: Site.OCPIParty, sessionStart: Int64) -> JSONValue {
        let digits = tariff.currency.minorUnit
        func decimal(_ value: Decimal) -> JSONValue { .number(CDRBuilder.decimalText(value, digits: 6)) }
        var members: [(String, JSONValue)] = [
            ("country_code", .string(party.countryCode)),
            ("party_id", .string(party.partyID)),
            ("id", .string(tariff.id)),
            ("currency", .string(tariff.currency.code)),
            ("elements", .array(tariff.elements.map { element in
                var members: [(String, JSONValue)] = [
                    ("price_components", .array(element.components.map { component in
                        var members: [(String, JSONValue)] = [("type", .string(component.type.rawValue)), ("price", decimal(component.price))]
                        if let vat = component.vat ?? tariff.vat { members.append(("vat", decimal(vat))) }
                        members.append(("step_size", .number(String(component.stepSize))))
                        return .object(members)
                    })),
                ]
                let restrictions = Self.restrictions(element.restrictions)
                if !restrictions.isEmpty { members.append(("restrictions", .object(restrictions))) }
                return .object(members)
            })),
        ]
        func price(_ bound: PriceBound) -> JSONValue {
            var members: [(String, JSONValue)] = [("excl_vat", .number(AmountText.format(bound.exclVAT, digits: digits)))]
            if let incl = bound.inclVAT { members.append(("incl_vat", .number(AmountText.format(incl, digits: digits)))) }
            return .object(members)
        }
        if let min = tariff.minPrice { members.append(("min_price", price(min))) }
        if let max = tariff.maxPrice { members.append(("max_price", price(max))) }
        if let from = tariff.validFrom { members.append(("start_date_time", .string(Timestamp.format(from)))) }
        if let until = tariff.validUntil { members.append(("end_date_time", .string(Timestamp.format(until)))) }
        members.append(("last_updated", .string(Timestamp.format(tariff.validFrom ?? sessionStart))))
        return .object(members)
    }

    /// OCPI `TariffRestrictions`: the ones that are set.
    static func restrictions(_ r: TariffRestrictions) -> [(String, JSONValue)] {
        func clock(_ minutes: Int) -> JSONValue {
            let hours = minutes / 60, rest = minutes % 60
            return .string((hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest))
        }
        func number(_ value: Double) -> JSONValue { .number(CDRBuilder.decimalText(Decimal(string: String(value)) ?? 0, digits: 3)) }
        var members: [(String, JSONValue)] = []
        if let value = r.startTime { members.append(("start_time", clock(value))) }
        if let value = r.endTime { members.append(("end_time", clock(value))) }
        if let value = r.startDate { members.append(("start_date", .string(value.description))) }
        if let value = r.endDate { members.append(("end_date", .string(value.description))) }
        if let value = r.minKWh { members.append(("min_kwh", .number(CDRBuilder.decimalText(value, digits: 3)))) }
        if let value = r.maxKWh { members.append(("max_kwh", .number(CDRBuilder.decimalText(value, digits: 3)))) }
        if let value = r.minCurrent { members.append(("min_current", number(value))) }
        if let value = r.maxCurrent { members.append(("max_current", number(value))) }
        if let value = r.minPowerKW { members.append(("min_power", number(value))) }
        if let value = r.maxPowerKW { members.append(("max_power", number(value))) }
        if let value = r.minDurationMs { members.append(("min_duration", .number(String(value / 1000)))) }
        if let value = r.maxDurationMs { members.append(("max_duration", .number(String(value / 1000)))) }
        if let days = r.daysOfWeek {
            let ordered = DayOfWeek.allCases.filter { days.contains($0) }
            members.append(("day_of_week", .array(ordered.map { .string($0.rawValue) })))
        }
        return members
    }
}
