import Foundation
import Pipeline

extension TariffCatalog {
    static let sectionKeys = ["default", "groups", "assignments", "definitions"]
    static let definitionKeys = [
        "id", "description", "currency", "minor_unit", "vat", "valid_from", "valid_until", "elements", "min_price",
        "max_price", "idle_fee", "suspended_evse",
    ]
    static let elementKeys = ["price_components", "restrictions"]
    static let componentKeys = ["type", "price", "vat", "step_size"]
    static let restrictionKeys = [
        "start_time", "end_time", "start_date", "end_date", "min_kwh", "max_kwh", "min_current", "max_current",
        "min_power", "max_power", "min_duration", "max_duration", "day_of_week",
    ]
    static let idleFeeKeys = ["grace", "price_per_minute", "price_per_hour", "step_size", "cap", "vat"]
    static let boundKeys = ["excl_vat", "incl_vat"]
    static let assignmentKeys = ["tariff", "group", "site", "charger", "evse", "connector"]

    /// The catalog a pipeline's `tariffs:` section declares (inline, or merged from files the pipeline's top-level
    /// `include:` names); an empty catalog without the section. Every problem is reported with file and line.
    public static func read(_ pipeline: PipelineDefinition) throws(PipelineError) -> TariffCatalog {
        guard let section = pipeline.tariffs else { return TariffCatalog() }
        let issues = IssueCollector()
        let catalog = read(ConfigNode(section, path: ConfigPath([.key("tariffs")]), issues: issues),
                           fleet: pipeline.fleet)
        if !issues.isEmpty { throw PipelineError(issues: issues.sortedIssues) }
        return catalog
    }

    /// Reads a `tariffs:` section, reporting to the node's collector. With a non-empty `fleet`, assignments must
    /// name declared sites and chargers.
    public static func read(_ node: ConfigNode, fleet: Fleet? = nil) -> TariffCatalog {
        guard let mapping = node.mapping(allowedKeys: sectionKeys) else { return TariffCatalog() }
        var catalog = TariffCatalog()

        var idNodes: [(Tariff, ConfigNode)] = []
        for item in mapping.optional("definitions")?.list() ?? [] {
            if let tariff = readTariff(item) {
                // Versions of one id must not overlap.
                if let clash = idNodes.first(where: { $0.0.id == tariff.id && overlaps($0.0, tariff) }) {
                    (item.child("id") ?? item).report(.invalid(
                        "tariff '\(tariff.id)' already has a version valid in this period (declared at "
                            + "\(clash.1.location)); give the versions valid_from/valid_until that do not overlap"))
                    continue
                }
                idNodes.append((tariff, item))
                catalog.tariffs.append(tariff)
            }
        }
        // Ids declared, even by definitions with problems (reported already): no second, derived complaint.
        let declared = (mapping.optional("definitions")?.value.items ?? []).compactMap { $0["id"]?.scalar }
        let ids = Array(Set(declared)).sorted()
        let readIds = Set(catalog.tariffs.map(\.id))

        func tariffReference(_ node: ConfigNode?) -> String? {
            guard let node, let id = node.nonEmptyString() else { return nil }
            if !ids.contains(id) {
                node.report(.unknownValue(id, allowed: ids, suggestion: suggestion(id, ids)))
                return nil
            }
            return readIds.contains(id) ? id : nil
        }

        if let groups = mapping.optional("groups") {
            if let entries = groups.value.entries {
                for entry in entries {
                    let child = ConfigNode(entry.value, path: groups.path.appending(entry.key), issues: groups.issues)
                    let tags = child.list()?.compactMap { $0.nonEmptyString() } ?? []
                    catalog.groups[entry.key] = tags
                }
            } else {
                groups.report(.typeMismatch(expected: "a mapping of group names to lists of id tags",
                                            found: groups.value.kindDescription))
            }
        }
        let groupNames = catalog.groups.keys.sorted()

        catalog.defaultTariff = tariffReference(mapping.optional("default"))

        for item in mapping.optional("assignments")?.list() ?? [] {
            guard let m = item.mapping(allowedKeys: assignmentKeys) else { continue }
            let tariff = tariffReference(m.required("tariff"))
            var assignment = TariffAssignment(tariff: tariff ?? "")
            if let node = m.optional("group"), let group = node.nonEmptyString() {
                if catalog.groups[group] == nil {
                    node.report(.unknownValue(group, allowed: groupNames, suggestion: suggestion(group, groupNames)))
                } else {
                    assignment.group = group
                }
            }
            if let node = m.optional("site"), let site = node.identifier(.site) {
                if let fleet, !fleet.sites.isEmpty, fleet.site(id: site) == nil { node.report(.undeclaredSite(site)) }
                assignment.site = site
            }
            if let node = m.optional("charger"), let charger = node.identifier(.charger) {
                if let fleet, !fleet.chargers.isEmpty, fleet.charger(id: charger) == nil {
                    node.report(.invalid("'\(charger)' is not a declared charger"))
                }
                assignment.charger = charger
            }
            assignment.evse = m.optional("evse")?.int(in: 0...Int(Int32.max))
            assignment.connector = m.optional("connector")?.int(in: 0...Int(Int32.max))
            if assignment.evse != nil, assignment.charger == nil {
                m.optional("evse")?.report(.invalid("an assignment to an EVSE needs its 'charger'"))
            }
            if assignment.connector != nil, assignment.evse == nil {
                m.optional("connector")?.report(.invalid("an assignment to a connector needs its 'charger' and 'evse'"))
            }
            if tariff != nil { catalog.assignments.append(assignment) }
        }
        return catalog
    }

    static func overlaps(_ a: Tariff, _ b: Tariff) -> Bool {
        (a.validFrom ?? .min) < (b.validUntil ?? .max) && (b.validFrom ?? .min) < (a.validUntil ?? .max)
    }

    static func suggestion(_ word: String, _ candidates: [String]) -> String? {
        candidates.min { distance(word, $0) < distance(word, $1) }.flatMap { distance(word, $0) <= 2 ? $0 : nil }
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        var row = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return x.isEmpty ? y.count : row[y.count]
    }

    // MARK: One tariff

    static func readTariff(_ item: ConfigNode) -> Tariff? {
        guard let m = item.mapping(allowedKeys: definitionKeys) else { return nil }
        let id = m.required("id")?.nonEmptyString()
        _ = m.optional("description")?.string()

        var currency: Currency?
        let minorUnit = m.optional("minor_unit")?.int(in: 0...4)
        if let node = m.required("currency"), let code = node.nonEmptyString() {
            if let minorUnit, code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                currency = Currency(code: code, minorUnit: minorUnit)
            } else if let known = Currency.known(code) {
                currency = known
            } else {
                let codes = Currency.minorUnits.keys.sorted()
                node.report(.invalid(
                    "unknown currency '\(code)'" + (suggestion(code, codes).map { " (did you mean '\($0)'?)" } ?? "")
                        + "; give its ISO 4217 code with 'minor_unit' (digits after the point)"))
            }
        }
        let vat = m.optional("vat").flatMap(percent)
        let validFrom = m.optional("valid_from").flatMap(timestamp)
        let validUntil = m.optional("valid_until").flatMap(timestamp)
        if let validFrom, let validUntil, validFrom >= validUntil {
            m.optional("valid_until")?.report(.invalid("valid_until must be after valid_from"))
        }
        let minor = currency?.minorUnit ?? 2

        var elements: [TariffElement] = []
        if let list = m.required("elements")?.list() {
            if list.isEmpty { m.optional("elements")?.report(.invalid("a tariff needs at least one element")) }
            for element in list {
                if let value = readElement(element, minorUnit: minor) { elements.append(value) }
            }
        }
        let minPrice = m.optional("min_price").flatMap { bound($0, minorUnit: minor) }
        let maxPrice = m.optional("max_price").flatMap { bound($0, minorUnit: minor) }
        if let minPrice, let maxPrice, minPrice.exclVAT > maxPrice.exclVAT {
            m.optional("max_price")?.report(.invalid("max_price is below min_price"))
        }
        let idleFee = m.optional("idle_fee").flatMap { readIdleFee($0, minorUnit: minor) }
        let suspended = m.optional("suspended_evse")?.choice(SuspendedEVSEBilling.self) ?? SuspendedEVSEBilling.none

        guard let id, let currency else { return nil }
        return Tariff(
            id: id, currency: currency, vat: vat, elements: elements, minPrice: minPrice, maxPrice: maxPrice,
            idleFee: idleFee, suspendedEVSE: suspended, validFrom: validFrom, validUntil: validUntil,
            location: item.location)
    }

    static func readElement(_ node: ConfigNode, minorUnit: Int) -> TariffElement? {
        guard let m = node.mapping(allowedKeys: elementKeys) else { return nil }
        var components: [PriceComponent] = []
        if let list = m.required("price_components")?.list() {
            if list.isEmpty { m.optional("price_components")?.report(.invalid("an element needs a price component")) }
            for item in list {
                guard let c = item.mapping(allowedKeys: componentKeys) else { continue }
                let type = c.required("type")?.choice(PriceComponentType.self)
                let price = c.required("price").flatMap { decimal($0) }
                let vat = c.optional("vat").flatMap(percent)
                let step = c.optional("step_size")?.int(in: 0...86_400_000) ?? 0
                guard let type, let price else { continue }
                if components.contains(where: { $0.type == type }) {
                    item.child("type")?.report(.invalid("this element already has a \(type.rawValue) component"))
                    continue
                }
                if type == .flat, step != 0 {
                    c.optional("step_size")?.report(.invalid("a FLAT component has no step_size"))
                }
                components.append(PriceComponent(type: type, price: price, vat: vat, stepSize: step))
            }
        }
        var r = TariffRestrictions()
        if let rm = m.optional("restrictions")?.mapping(allowedKeys: restrictionKeys) {
            r.startTime = rm.optional("start_time").flatMap { timeOfDay($0, allow24: false) }
            r.endTime = rm.optional("end_time").flatMap { timeOfDay($0, allow24: true) }
            if let s = r.startTime, let e = r.endTime, s == e % 1_440 {
                rm.optional("end_time")?.report(.invalid("end_time equals start_time; leave both out for all day"))
            }
            r.startDate = rm.optional("start_date").flatMap(date)
            r.endDate = rm.optional("end_date").flatMap(date)
            if let s = r.startDate, let e = r.endDate, s >= e {
                rm.optional("end_date")?.report(.invalid("end_date (exclusive) must be after start_date"))
            }
            r.minKWh = rm.optional("min_kwh").flatMap { decimal($0) }
            r.maxKWh = rm.optional("max_kwh").flatMap { decimal($0) }
            r.minCurrent = rm.optional("min_current")?.double(in: 0...100_000)
            r.maxCurrent = rm.optional("max_current")?.double(in: 0...100_000)
            r.minPowerKW = rm.optional("min_power")?.double(in: 0...100_000)
            r.maxPowerKW = rm.optional("max_power")?.double(in: 0...100_000)
            r.minDurationMs = rm.optional("min_duration").flatMap(seconds)
            r.maxDurationMs = rm.optional("max_duration").flatMap(seconds)
            if let days = rm.optional("day_of_week") {
                let list = days.value.items == nil ? [days] : (days.list() ?? [])
                r.daysOfWeek = Set(list.compactMap { $0.choice(DayOfWeek.self) })
            }
            func ordered<T: Comparable>(_ a: T?, _ b: T?, _ key: String) {
                if let a, let b, a >= b { rm.optional(key)?.report(.invalid("\(key) must be above min_\(key.dropFirst(4))")) }
            }
            ordered(r.minKWh, r.maxKWh, "max_kwh")
            ordered(r.minCurrent, r.maxCurrent, "max_current")
            ordered(r.minPowerKW, r.maxPowerKW, "max_power")
            ordered(r.minDurationMs, r.maxDurationMs, "max_duration")
        }
        return TariffElement(components: components, restrictions: r)
    }

    static func readIdleFee(_ node: ConfigNode, minorUnit: Int) -> IdleFee? {
        guard let m = node.mapping(allowedKeys: idleFeeKeys) else { return nil }
        let grace = m.optional("grace")?.duration(in: .zero ... .seconds(86_400)).map(DurationText.milliseconds) ?? 0
        let perMinute = m.optional("price_per_minute").flatMap { decimal($0) }
        let perHour = m.optional("price_per_hour").flatMap { decimal($0) }
        if perMinute != nil, perHour != nil {
            m.optional("price_per_hour")?.report(.invalid("give price_per_minute or price_per_hour, not both"))
        } else if perMinute == nil, perHour == nil, !m.contains("price_per_minute"), !m.contains("price_per_hour") {
            node.report(.missingKey("price_per_minute"))
        }
        let step = m.optional("step_size")?.int(in: 0...86_400) ?? 0
        let cap = m.optional("cap").flatMap { decimal($0, minorUnit: minorUnit) }
        let vat = m.optional("vat").flatMap(percent)
        guard let price = perHour ?? perMinute.map({ $0 * 60 }) else { return nil }
        return IdleFee(graceMs: grace, pricePerHour: price, vat: vat, stepSize: step, cap: cap)
    }

    static func bound(_ node: ConfigNode, minorUnit: Int) -> PriceBound? {
        if node.value.entries != nil {
            guard let m = node.mapping(allowedKeys: boundKeys) else { return nil }
            let excl = m.required("excl_vat").flatMap { decimal($0, minorUnit: minorUnit) }
            let incl = m.optional("incl_vat").flatMap { decimal($0, minorUnit: minorUnit) }
            if let excl, let incl, incl < excl { m.optional("incl_vat")?.report(.invalid("incl_vat is below excl_vat")) }
            return excl.map { PriceBound(exclVAT: $0, inclVAT: incl) }
        }
        return decimal(node, minorUnit: minorUnit).map { PriceBound(exclVAT: $0) }
    }

    // MARK: Scalars

    /// A non-negative plain decimal; with `minorUnit`, at most that many digits after the point.
    public static func decimal(_ node: ConfigNode, minorUnit: Int? = nil) -> Decimal? {
        guard let text = node.string() else { return nil }
        guard let value = Money.parse(text) else {
            node.report(.typeMismatch(expected: "a decimal number such as 0.39", found: node.value.kindDescription))
            return nil
        }
        if let minorUnit, Money.fractionDigits(text) > minorUnit {
            node.report(.invalid("'\(text)' has more digits than the currency's minor unit (\(minorUnit))"))
            return nil
        }
        return value
    }

    static func percent(_ node: ConfigNode) -> Decimal? {
        guard let value = decimal(node) else { return nil }
        if value > 100 {
            node.report(.outOfRange(found: "\(value)", expected: "0...100 (percent)"))
            return nil
        }
        return value
    }

    /// `HH:MM` → minutes after midnight (`24:00` only for an end).
    static func timeOfDay(_ node: ConfigNode, allow24: Bool) -> Int? {
        guard let text = node.string() else { return nil }
        let parts = text.split(separator: ":")
        if parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...59).contains(m), (0...23).contains(h) || (allow24 && h == 24 && m == 0)
        {
            return h * 60 + m
        }
        node.report(.typeMismatch(expected: "a local time HH:MM such as 16:00", found: node.value.kindDescription))
        return nil
    }

    /// `YYYY-MM-DD`.
    static func date(_ node: ConfigNode) -> LocalDate? {
        guard let text = node.string() else { return nil }
        let parts = text.split(separator: "-")
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let mo = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(mo),
            (1...daysIn(month: mo, year: y)).contains(d)
        {
            return LocalDate(year: y, month: mo, day: d)
        }
        node.report(.typeMismatch(expected: "a date YYYY-MM-DD", found: node.value.kindDescription))
        return nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// RFC 3339 with an offset (`2026-01-01T00:00:00+01:00`, `...Z`; seconds optional) → ms UTC.
    static func timestamp(_ node: ConfigNode) -> Int64? {
        guard let text = node.string() else { return nil }
        if let ms = parseTimestamp(text) { return ms }
        node.report(.typeMismatch(expected: "a time with offset such as 2026-01-01T00:00:00+01:00",
                                  found: node.value.kindDescription))
        return nil
    }

    static func parseTimestamp(_ text: String) -> Int64? {
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard chars.count >= 17, chars[10] == "T" || chars[10] == " " else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count, range.allSatisfy({ chars[$0].isASCII && chars[$0].isNumber })
            else { return nil }
            return Int(String(chars[range]))
        }
        guard chars[4] == "-", chars[7] == "-", chars[13] == ":", let y = number(0..<4), let mo = number(5..<7),
            let d = number(8..<10), let h = number(11..<13), let mi = number(14..<16), (1...12).contains(mo),
            (1...daysIn(month: mo, year: y)).contains(d), (0...23).contains(h), (0...59).contains(mi)
        else { return nil }
        var index = 16
        var second = 0
        if index < chars.count, chars[index] == ":" {
            guard let s = number(17..<19), (0...59).contains(s) else { return nil }
            second = s
            index = 19
        }
        var offsetMinutes = 0
        guard index < chars.count else { return nil }
        if chars[index] == "Z" || chars[index] == "z" {
            guard index + 1 == chars.count else { return nil }
        } else if chars[index] == "+" || chars[index] == "-" {
            guard chars.count == index + 6, chars[index + 3] == ":", let oh = number(index + 1..<index + 3),
                let om = number(index + 4..<index + 6), oh <= 18, om <= 59
            else { return nil }
            offsetMinutes = (oh * 60 + om) * (chars[index] == "-" ? -1 : 1)
        } else {
            return nil
        }
        let days = LocalClock.days(year: y, month: mo, day: d)
        let seconds = days * 86_400 + Int64(h * 3_600 + mi * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1_000
    }

    /// OCPI seconds (a whole number) or a duration (`30m`) → ms.
    static func seconds(_ node: ConfigNode) -> Int64? {
        guard let text = node.string() else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(trimmed),
            value <= 100 * 86_400
        {
            return value * 1_000
        }
        if let duration = DurationText.parse(trimmed) { return DurationText.milliseconds(duration) }
        node.report(.typeMismatch(expected: "seconds or a duration such as 30m", found: node.value.kindDescription))
        return nil
    }
}
