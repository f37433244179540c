import Foundation

/// Prices a session with a tariff. Pure: the same session and tariff always give the same breakdown.
///
/// Steps (docs/billing.md): split the time line into segments at every sample and every restriction boundary
/// (wall-clock times, local midnights and DST changes, duration crossings, the idle grace end); price each
/// segment's dimensions with the first element that holds; merge equal neighbours into periods; apply step_size to
/// the session totals; round each dimension (per VAT rate) once; VAT per rate; bound by min/max price.
public enum TariffCalculator {
    public static func cost(of session: BillableSession, tariff: Tariff) throws(BillingError) -> CostBreakdown {
        let samples = session.samples
        guard !samples.isEmpty else { throw .noSamples }
        for index in samples.indices.dropFirst() {
            if samples[index].time < samples[index - 1].time { throw .timeWentBackwards(index: index) }
            if samples[index].energyWh < samples[index - 1].energyWh { throw .energyWentBackwards(index: index) }
        }
        let pricer = Pricer(tariff: tariff, session: session, clock: LocalClock(timeZone: session.timeZone))
        return pricer.breakdown(pricer.segments())
    }
}

/// A piece of the time line with everything that prices it.
struct Segment {
    var start: Int64
    var end: Int64
    var state: BillableState
    var energyWh: Decimal
    var energyElement: Int?
    var timeElement: Int?
    var parkingElement: Int?
    var idleFeeApplies: Bool
    /// The first element with a FLAT component that holds at `start`.
    var flatElement: Int?

    func sameKey(_ other: Segment) -> Bool {
        state == other.state && energyElement == other.energyElement && timeElement == other.timeElement
            && parkingElement == other.parkingElement && idleFeeApplies == other.idleFeeApplies
    }
}

/// What restrictions are evaluated against at an instant.
struct RestrictionContext {
    var localDay: Int64
    var msOfDay: Int64
    var consumedWh: Decimal
    var powerW: Double?
    var currentA: Double?
    var elapsedMs: Int64
}

struct Pricer {
    let tariff: Tariff
    let session: BillableSession
    let clock: LocalClock

    // MARK: Segments

    /// Instants where a wall-clock or duration restriction may switch.
    func cuts(from: Int64, to: Int64) -> [Int64] {
        var minutes = Set<Int>()
        var wallClock = false
        var points = Set<Int64>()
        for element in tariff.elements {
            let r = element.restrictions
            if r.usesWallClock { wallClock = true }
            if let t = r.startTime { minutes.insert(t % 1_440) }
            if let t = r.endTime { minutes.insert(t % 1_440) }
            if r.usesLocalDate { minutes.insert(0) }
            if let d = r.minDurationMs { points.insert(session.startedAt + d) }
            if let d = r.maxDurationMs { points.insert(session.startedAt + d) }
        }
        if wallClock { points.formUnion(clock.boundaries(from: from, to: to, minutesOfDay: minutes)) }
        return points.filter { $0 > from && $0 < to }.sorted()
    }

    func segments() -> [Segment] {
        let samples = session.samples
        let origin = samples[0].energyWh
        guard samples.count > 1 else {
            return [segment(start: samples[0].time, end: samples[0].time, sample: samples[0], energy: 0,
                            consumed: 0, idleBefore: 0)]
        }
        let cuts = cuts(from: samples[0].time, to: samples[samples.count - 1].time)
        let grace = tariff.idleFee?.graceMs
        var result: [Segment] = []
        var idleSoFar: Int64 = 0
        var cutIndex = 0
        for index in 0..<(samples.count - 1) {
            let sample = samples[index]
            let next = samples[index + 1]
            var points = [sample.time]
            while cutIndex < cuts.count, cuts[cutIndex] <= sample.time { cutIndex += 1 }
            var scan = cutIndex
            while scan < cuts.count, cuts[scan] < next.time {
                points.append(cuts[scan])
                scan += 1
            }
            if sample.state == .idle, let grace, idleSoFar < grace, idleSoFar + (next.time - sample.time) > grace {
                points.append(sample.time + (grace - idleSoFar))
            }
            points = Array(Set(points)).sorted()
            points.append(next.time)

            let delta = next.energyWh - sample.energyWh
            let length = next.time - sample.time
            var given: Decimal = 0
            for k in 0..<(points.count - 1) {
                let a = points[k]
                let b = points[k + 1]
                // Energy between two samples is spread evenly over time, to 1 mWh; the last piece takes the rest.
                let energy = k == points.count - 2
                    ? delta - given : Money.round(delta * Decimal(b - a) / Decimal(length), scale: 3)
                given += energy
                let idleBefore = sample.state == .idle ? idleSoFar + (a - sample.time) : idleSoFar
                result.append(segment(start: a, end: b, sample: sample, energy: energy,
                                      consumed: sample.energyWh - origin, idleBefore: idleBefore))
            }
            if sample.state == .idle { idleSoFar += length }
        }
        return result
    }

    func segment(start: Int64, end: Int64, sample: BillableSample, energy: Decimal, consumed: Decimal,
                 idleBefore: Int64) -> Segment {
        let local = clock.local(at: start)
        let context = RestrictionContext(
            localDay: local.day, msOfDay: local.msOfDay, consumedWh: consumed, powerW: sample.powerW,
            currentA: sample.currentA, elapsedMs: start - session.startedAt)
        let state = sample.state
        var seg = Segment(start: start, end: end, state: state, energyWh: energy, energyElement: nil,
                          timeElement: nil, parkingElement: nil, idleFeeApplies: false,
                          flatElement: first(.flat, context))
        if energy > 0 || state == .charging { seg.energyElement = first(.energy, context) }
        switch state {
        case .charging:
            seg.timeElement = first(.time, context)
        case .suspendedEV:
            seg.parkingElement = first(.parkingTime, context)
        case .idle:
            if let fee = tariff.idleFee {
                seg.idleFeeApplies = idleBefore >= fee.graceMs
            } else {
                seg.parkingElement = first(.parkingTime, context)
            }
        case .suspendedEVSE:
            switch tariff.suspendedEVSE {
            case .none: break
            case .parking: seg.parkingElement = first(.parkingTime, context)
            case .time: seg.timeElement = first(.time, context)
            }
        }
        return seg
    }

    /// The first element with a component of `type` whose restrictions all hold.
    func first(_ type: PriceComponentType, _ context: RestrictionContext) -> Int? {
        tariff.elements.firstIndex { $0.component(type) != nil && holds($0.restrictions, context) }
    }

    func holds(_ r: TariffRestrictions, _ c: RestrictionContext) -> Bool {
        let minute = c.msOfDay
        switch (r.startTime.map { Int64($0) * 60_000 }, r.endTime.map { Int64($0) * 60_000 }) {
        case let (start?, end?):
            if start < end { if minute < start || minute >= end { return false } }
            else if minute < start && minute >= end { return false }
        case let (start?, nil): if minute < start { return false }
        case let (nil, end?): if minute >= end { return false }
        case (nil, nil): break
        }
        if let date = r.startDate, c.localDay < date.dayNumber { return false }
        if let date = r.endDate, c.localDay >= date.dayNumber { return false }
        if let days = r.daysOfWeek, !days.contains(LocalClock.dayOfWeek(c.localDay)) { return false }
        if let kwh = r.minKWh, c.consumedWh < kwh * 1_000 { return false }
        if let kwh = r.maxKWh, c.consumedWh >= kwh * 1_000 { return false }
        if let limit = r.minPowerKW { guard let p = c.powerW, p >= limit * 1_000 else { return false } }
        if let limit = r.maxPowerKW { guard let p = c.powerW, p < limit * 1_000 else { return false } }
        if let limit = r.minCurrent { guard let a = c.currentA, a >= limit else { return false } }
        if let limit = r.maxCurrent { guard let a = c.currentA, a < limit else { return false } }
        if let d = r.minDurationMs, c.elapsedMs < d { return false }
        if let d = r.maxDurationMs, c.elapsedMs >= d { return false }
        return true
    }

    // MARK: Breakdown

    func breakdown(_ segments: [Segment]) -> CostBreakdown {
        // Merge equal neighbours into periods; remember where the flat fee falls.
        var periods: [BilledPeriod] = []
        var flat: (element: Int, period: Int)?
        var previous: Segment?
        for seg in segments {
            defer { previous = seg }
            if let previous, previous.sameKey(seg), !periods.isEmpty {
                periods[periods.count - 1].end = seg.end
                periods[periods.count - 1].energyWh += seg.energyWh
            } else {
                periods.append(BilledPeriod(
                    start: seg.start, end: seg.end, state: seg.state, energyWh: seg.energyWh,
                    energyElement: seg.energyElement, timeElement: seg.timeElement,
                    parkingElement: seg.parkingElement, idleFeeApplies: seg.idleFeeApplies))
            }
            if flat == nil, let element = seg.flatElement { flat = (element, periods.count - 1) }
        }

        // Lines: one per priced dimension and period.
        var lines: [CostLine] = []
        var steps: [Int: Int] = [:]  // line index → step size in volume units
        let defaultVAT = tariff.vat ?? 0
        func add(_ dimension: CostDimension, _ period: Int, _ element: Int?, _ component: PriceComponent?,
                 volume: Decimal) {
            let price = component?.price ?? tariff.idleFee?.pricePerHour ?? 0
            let vat = component.map { $0.vat ?? defaultVAT } ?? (tariff.idleFee?.vat ?? defaultVAT)
            let step = component?.stepSize ?? tariff.idleFee?.stepSize ?? 0
            steps[lines.count] = dimension == .energy ? step : step * 1_000
            lines.append(CostLine(period: period, dimension: dimension, element: element, price: price, vatRate: vat,
                                  measuredVolume: volume, stepVolume: 0, amount: 0))
        }
        if let flat {
            add(.flat, flat.period, flat.element, tariff.elements[flat.element].component(.flat), volume: 1)
        }
        for (index, period) in periods.enumerated() {
            if let e = period.energyElement, period.energyWh > 0 {
                add(.energy, index, e, tariff.elements[e].component(.energy), volume: period.energyWh)
            }
            let duration = Decimal(period.durationMs)
            guard period.durationMs > 0 else { continue }
            if let e = period.timeElement { add(.time, index, e, tariff.elements[e].component(.time), volume: duration) }
            if let e = period.parkingElement {
                add(.parking, index, e, tariff.elements[e].component(.parkingTime), volume: duration)
            }
            if period.idleFeeApplies { add(.idle, index, nil, nil, volume: duration) }
        }

        // step_size on session totals: once for energy, once for the time-like dimension that applied last.
        func roundTotal(of dimensions: Set<CostDimension>) {
            guard let last = lines.lastIndex(where: { dimensions.contains($0.dimension) }) else { return }
            let dimension = lines[last].dimension
            let step = steps[last] ?? 0
            guard step > 0 else { return }
            let total = lines.filter { $0.dimension == dimension }.reduce(Decimal(0)) { $0 + $1.measuredVolume }
            lines[last].stepVolume = Money.roundUp(total, toMultipleOf: Decimal(step)) - total
        }
        roundTotal(of: [.energy])
        roundTotal(of: [.time, .parking, .idle])
        for index in lines.indices {
            lines[index].amount = lines[index].price * lines[index].billedVolume / lines[index].dimension.divisor
        }

        // Each dimension, per VAT rate, rounded once.
        var dimensions: [DimensionCost] = []
        let currency = tariff.currency
        for dimension in CostDimension.allCases {
            let ofDimension = lines.filter { $0.dimension == dimension }
            var rates: [Decimal] = []
            for line in ofDimension where !rates.contains(line.vatRate) { rates.append(line.vatRate) }
            for rate in rates {
                let group = ofDimension.filter { $0.vatRate == rate }
                let numerator = group.reduce(Decimal(0)) { $0 + $1.price * $1.billedVolume }
                let exact = numerator / dimension.divisor
                let rounded = currency.round(exact)
                var amount = rounded
                if dimension == .idle, let cap = tariff.idleFee?.cap { amount = min(rounded, currency.round(cap)) }
                dimensions.append(DimensionCost(
                    dimension: dimension, vatRate: rate,
                    billedVolume: group.reduce(Decimal(0)) { $0 + $1.billedVolume }, exactAmount: exact,
                    amount: amount, capReduction: rounded - amount))
            }
        }

        // VAT per rate on the rounded amounts, rounded once.
        var vatLines: [VATLine] = []
        for rate in Set(dimensions.map(\.vatRate)).sorted() {
            let base = dimensions.filter { $0.vatRate == rate }.reduce(Decimal(0)) { $0 + $1.amount }
            vatLines.append(VATLine(rate: rate, base: base, vat: currency.round(base * rate / 100)))
        }
        let subtotal = dimensions.reduce(Decimal(0)) { $0 + $1.amount }
        let subtotalVAT = vatLines.reduce(Decimal(0)) { $0 + $1.vat }

        // min_price / max_price on the total excluding VAT; the total including VAT follows the bound's
        // `incl_vat`, else VAT on the difference at the tariff's `vat` rate.
        var adjustment: PriceAdjustment?
        func bound(_ kind: PriceAdjustment.Bound, _ limit: PriceBound) {
            let target = currency.round(limit.exclVAT)
            let difference = target - subtotal
            let vat: Decimal
            if let incl = limit.inclVAT {
                vat = currency.round(incl) - target - subtotalVAT
            } else {
                vat = currency.round(difference * defaultVAT / 100)
            }
            adjustment = PriceAdjustment(bound: kind, exclVAT: difference, vat: vat)
        }
        if let limit = tariff.minPrice, subtotal < currency.round(limit.exclVAT) {
            bound(.minimum, limit)
        } else if let limit = tariff.maxPrice, subtotal > currency.round(limit.exclVAT) {
            bound(.maximum, limit)
        }

        return CostBreakdown(
            sessionId: session.id, tariffId: tariff.id, currency: currency, periods: periods, lines: lines,
            dimensions: dimensions, vat: vatLines, subtotalExclVAT: subtotal, subtotalVAT: subtotalVAT,
            adjustment: adjustment, totalExclVAT: subtotal + (adjustment?.exclVAT ?? 0),
            totalVAT: subtotalVAT + (adjustment?.vat ?? 0))
    }
}
