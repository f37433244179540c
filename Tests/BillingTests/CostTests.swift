import Foundation
import Testing

@testable import Billing

@Suite("Known-answer costs")
struct CostTests {
    /// DOMAIN.md's known-good example. FLAT 0.50 (20 %) + ENERGY 0.25/kWh (10 %) + PARKING 2.00/h (20 %, step 900 s);
    /// 20 kWh, then 40 min parking.
    ///   flat     0.50
    ///   energy   20 kWh × 0.25 = 5.00
    ///   parking  40 min → step 900 s → 45 min = 0.75 h × 2.00 = 1.50
    ///   excl VAT 7.00; VAT 20 %: (0.50 + 1.50) × 0.20 = 0.40, VAT 10 %: 5.00 × 0.10 = 0.50 → 0.90; incl 7.90
    @Test func domainExample() throws {
        let tariff = Tariff(id: "t", currency: eur, elements: [
            element([flat("0.50", vat: "20"), energy("0.25", vat: "10"), parking("2.00", vat: "20", step: 900)]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging),
            s("2026-05-04T12:00:00Z", "20000", .suspendedEV),
            s("2026-05-04T12:40:00Z", "20000", .idle),
        ]), tariff)
        #expect(cost.costFlat == d("0.50"))
        #expect(cost.costEnergy == d("5.00"))
        #expect(cost.costParking == d("1.50"))
        #expect(cost.totalExclVAT == d("7.00"))
        #expect(cost.vat == [VATLine(rate: 10, base: d("5.00"), vat: d("0.50")),
                             VATLine(rate: 20, base: d("2.00"), vat: d("0.40"))])
        #expect(cost.totalInclVAT == d("7.90"))
        // The 5 min step remainder (300 000 ms) lands on the last parking line.
        let parkingLine = try #require(cost.lines.last { $0.dimension == .parking })
        #expect(parkingLine.measuredVolume == 2_400_000 && parkingLine.stepVolume == 300_000)
        #expect(cost.cdrDimensions(period: 1) == [CDRDimension(type: "PARKING_TIME", volume: d("0.75"))])
        #expect(cost.cdrDimensions(period: 0) == [CDRDimension(type: "ENERGY", volume: 20),
                                                  CDRDimension(type: "TIME", volume: 2)])
    }

    /// Time of use in Berlin (CET, UTC+1), Monday 2026-03-02: ENERGY 0.45 from 16:00 to 20:00, else 0.30; VAT 19 %.
    /// Charging 15:00–17:00 local (14:00Z–16:00Z) at a steady 11 kW, samples only at start and end:
    ///   16:00 local = 15:00Z splits the interval in half: 11 kWh before, 11 kWh after (energy spread over time)
    ///   11 × 0.30 = 3.30 + 11 × 0.45 = 4.95 → energy 8.25; VAT 8.25 × 0.19 = 1.5675 → 1.57; total 9.82
    @Test func timeOfUseBoundary() throws {
        let tariff = Tariff(id: "tou", currency: eur, vat: 19, elements: [
            element([energy("0.45")], TariffRestrictions(startTime: 16 * 60, endTime: 20 * 60)),
            element([energy("0.30")]),
        ])
        let cost = try price(session([
            s("2026-03-02T14:00:00Z", "1000", .charging),
            s("2026-03-02T16:00:00Z", "23000", .idle),
        ], zone: "Europe/Berlin"), tariff)
        #expect(cost.periods.count == 2)
        #expect(cost.periods[1].start == ms("2026-03-02T16:00:00+01:00"))
        #expect(cost.periods.map(\.energyWh) == [11000, 11000])
        #expect(cost.periods.map(\.energyElement) == [1, 0])
        #expect(cost.costEnergy == d("8.25"))
        #expect(cost.totalVAT == d("1.57"))
        #expect(cost.totalInclVAT == d("9.82"))
    }

    /// Night rate TIME 6.00/h from 02:00 to 03:00 local, else 1.00/h; charging 3 real hours through each DST night.
    static let nightTariff = Tariff(id: "night", currency: eur, elements: [
        element([time("6.00")], TariffRestrictions(startTime: 2 * 60, endTime: 3 * 60)),
        element([time("1.00")]),
    ])

    /// Berlin, autumn 2026-10-25: 03:00 CEST (01:00Z) becomes 02:00 CET; 02:00–03:00 local happens twice.
    ///   23:30Z = 01:30 CEST · 00:00Z = 02:00 CEST · 01:00Z = 02:00 CET · 02:00Z = 03:00 CET · 02:30Z = 03:30 CET
    ///   night 00:00Z–02:00Z = 2 h × 6.00 = 12.00; rest 1 h × 1.00 = 1.00 → 13.00 for 3 elapsed hours
    @Test func berlinAutumn() throws {
        let cost = try price(session([
            s("2026-10-24T23:30:00Z", "0", .charging), s("2026-10-25T02:30:00Z", "30000", .idle),
        ], zone: "Europe/Berlin"), Self.nightTariff)
        #expect(cost.periods.map(\.timeElement) == [1, 0, 1])
        #expect(cost.periods[1].durationMs == 2 * 3_600_000)
        #expect(cost.costTime == d("13.00"))
    }

    /// Berlin, spring 2026-03-29: 02:00 CET (01:00Z) jumps to 03:00 CEST; 02:00–03:00 local never happens.
    ///   00:30Z = 01:30 CET · 01:00Z = 03:00 CEST · 02:30Z = 04:30 CEST → 2 h × 1.00 = 2.00
    @Test func berlinSpring() throws {
        let cost = try price(session([
            s("2026-03-29T00:30:00Z", "0", .charging), s("2026-03-29T02:30:00Z", "20000", .idle),
        ], zone: "Europe/Berlin"), Self.nightTariff)
        #expect(cost.periods.map(\.timeElement) == [1])
        #expect(cost.costTime == d("2.00"))
    }

    /// New York, autumn 2026-11-01: 02:00 EDT (06:00Z) becomes 01:00 EST. Night window 01:00–02:00 here.
    ///   04:30Z = 00:30 EDT · 05:00Z = 01:00 EDT · 06:00Z = 01:00 EST · 07:00Z = 02:00 EST · 07:30Z = 02:30 EST
    ///   night 05:00Z–07:00Z = 2 h × 6.00 = 12.00; rest 1 h × 1.00 → 13.00 USD
    @Test func newYorkAutumn() throws {
        var tariff = Self.nightTariff
        tariff.currency = Currency.known("USD")!
        tariff.elements[0].restrictions = TariffRestrictions(startTime: 60, endTime: 120)
        let cost = try price(session([
            s("2026-11-01T04:30:00Z", "0", .charging), s("2026-11-01T07:30:00Z", "30000", .idle),
        ], zone: "America/New_York"), tariff)
        #expect(cost.periods.map(\.durationMs) == [1_800_000, 7_200_000, 1_800_000])
        #expect(cost.costTime == d("13.00"))
    }

    /// New York, spring 2026-03-08: 02:00 EST (07:00Z) jumps to 03:00 EDT; 02:00–03:00 never happens.
    ///   06:30Z = 01:30 EST · 07:00Z = 03:00 EDT · 08:30Z = 04:30 EDT → 2 h × 1.00 = 2.00 USD
    @Test func newYorkSpring() throws {
        var tariff = Self.nightTariff
        tariff.currency = Currency.known("USD")!
        let cost = try price(session([
            s("2026-03-08T06:30:00Z", "0", .charging), s("2026-03-08T08:30:00Z", "20000", .idle),
        ], zone: "America/New_York"), tariff)
        #expect(cost.periods.count == 1)
        #expect(cost.costTime == d("2.00"))
    }

    /// step_size: ENERGY 0.29/kWh step 500 Wh; TIME 2.00/h step 300 s; PARKING 1.20/h step 900 s; no VAT.
    /// 10 min waiting (suspendedEV), 60.5 min charging 12 345.6 Wh, 31 min parked.
    ///   energy  12 345.6 Wh → 12 500 Wh = 12.5 × 0.29 = 3.625 → 3.63 (half-up)
    ///   time    parking follows charging, so only parking is rounded: 3 630 s = 1.0083… h × 2.00 = 2.0166… → 2.02
    ///   parking 10 + 31 = 41 min → 45 min (2 700 s) = 0.75 × 1.20 = 0.90; the 4 min go on the last parking period
    ///   total 6.55
    @Test func stepSizeEnergyAndParking() throws {
        let tariff = Tariff(id: "step", currency: eur, elements: [
            element([energy("0.29", step: 500), time("2.00", step: 300), parking("1.20", step: 900)]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .suspendedEV),
            s("2026-05-04T10:10:00Z", "0", .charging),
            s("2026-05-04T11:10:30Z", "12345.6", .suspendedEV),
            s("2026-05-04T11:41:30Z", "12345.6", .idle),
        ]), tariff)
        #expect(cost.costEnergy == d("3.63"))
        #expect(cost.costTime == d("2.02"))
        #expect(cost.costParking == d("0.90"))
        #expect(cost.totalExclVAT == d("6.55"))
        let parkingLines = cost.lines.filter { $0.dimension == .parking }
        #expect(parkingLines.map(\.stepVolume) == [0, 240_000])
        #expect(cost.lines.first { $0.dimension == .energy }?.stepVolume == d("154.4"))
        #expect(cost.lines.first { $0.dimension == .time }?.stepVolume == 0)
    }

    /// Idle fee: ENERGY 0.40; idle_fee 15 min grace, 0.40/min (24/h), step 60 s, cap 10.00; no VAT.
    /// 1 h charging 20 kWh, then idle.
    ///   idle 27.5 min: 12.5 min billable → 13 min × 0.40 = 5.20; total 8.00 + 5.20 = 13.20
    ///   idle 60 min:   45 min × 0.40 = 18.00 → capped at 10.00; total 18.00
    @Test func idleFeeWithGrace() throws {
        let tariff = Tariff(id: "idle", currency: eur, elements: [element([energy("0.40")])],
                            idleFee: IdleFee(graceMs: 900_000, pricePerHour: d("24"), stepSize: 60, cap: d("10.00")))
        let short = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging),
            s("2026-05-04T11:00:00Z", "20000", .idle),
            s("2026-05-04T11:10:00Z", "20000", .idle),
            s("2026-05-04T11:27:30Z", "20000", .idle),
        ]), tariff)
        #expect(short.periods.map(\.idleFeeApplies) == [false, false, true])
        #expect(short.periods[2].start == ms("2026-05-04T11:15:00Z"))
        #expect(short.amount(.idle) == d("5.20"))
        #expect(short.costParking == d("5.20"))
        #expect(short.totalExclVAT == d("13.20"))

        let long = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging),
            s("2026-05-04T11:00:00Z", "20000", .idle),
            s("2026-05-04T12:00:00Z", "20000", .idle),
        ]), tariff)
        let idle = try #require(long.dimensions.first { $0.dimension == .idle })
        #expect(idle.amount == d("10.00") && idle.capReduction == d("8.00"))
        #expect(long.totalExclVAT == d("18.00"))
    }

    /// Suspended by the charger: ENERGY 0.30, TIME 1.00/h, PARKING 3.00/h; no VAT.
    /// 30 min charging (5 kWh), 20 min suspendedEVSE, 30 min charging (5 kWh), 10 min idle.
    ///   default: energy 3.00 + time 1 h × 1.00 + parking 10 min × 3.00 = 0.50 → 4.50 (the 20 min are free)
    ///   suspended_evse: parking → + 20 min × 3.00 = 1.00 → 5.50
    @Test func suspendedByCharger() throws {
        var tariff = Tariff(id: "evse", currency: eur, elements: [
            element([energy("0.30"), time("1.00"), parking("3.00")]),
        ])
        let samples = session([
            s("2026-05-04T10:00:00Z", "0", .charging),
            s("2026-05-04T10:30:00Z", "5000", .suspendedEVSE),
            s("2026-05-04T10:50:00Z", "5000", .charging),
            s("2026-05-04T11:20:00Z", "10000", .idle),
            s("2026-05-04T11:30:00Z", "10000", .idle),
        ])
        let free = try price(samples, tariff)
        #expect(free.costTime == d("1.00") && free.costParking == d("0.50") && free.totalExclVAT == d("4.50"))
        #expect(free.cdrDimensions(period: 1) == [CDRDimension(type: "TIME", volume: d("0.333333"))])
        tariff.suspendedEVSE = .parking
        let billed = try price(samples, tariff)
        #expect(billed.costParking == d("1.50") && billed.totalExclVAT == d("5.50"))
    }

    /// min_kwh: ENERGY 0.35 from 10 kWh on, 0.50 before; no VAT. Samples at 0, 15, 30, 45, 50, 60 min.
    /// The split falls at the first sample at or over 10 kWh (50 min, exactly 10 000 Wh), not interpolated:
    ///   10 kWh × 0.50 = 5.00 + 2 kWh × 0.35 = 0.70 → 5.70
    @Test func minKWhSplit() throws {
        let tariff = Tariff(id: "kwh", currency: eur, elements: [
            element([energy("0.35")], TariffRestrictions(minKWh: 10)),
            element([energy("0.50")]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "500", .charging),
            s("2026-05-04T10:15:00Z", "3500", .charging),
            s("2026-05-04T10:30:00Z", "6500", .charging),
            s("2026-05-04T10:45:00Z", "9500", .charging),
            s("2026-05-04T10:50:00Z", "10500", .charging),
            s("2026-05-04T11:00:00Z", "12500", .idle),
        ]), tariff)
        #expect(cost.periods.map(\.start) == [ms("2026-05-04T10:00:00Z"), ms("2026-05-04T10:50:00Z")])
        #expect(cost.periods.map(\.energyWh) == [10000, 2000])
        #expect(cost.costEnergy == d("5.70"))
    }

    /// min_duration: TIME 3.00/h after the first hour (3600 s), 1.50/h before; no VAT. 90 min charging with
    /// samples only at start and end: elapsed time crosses 60 min exactly there.
    ///   1 h × 1.50 + 0.5 h × 3.00 = 3.00; energy 9 kWh spread evenly: 6 000 + 3 000 Wh
    @Test func minDurationSplit() throws {
        let tariff = Tariff(id: "dur", currency: eur, elements: [
            element([time("3.00")], TariffRestrictions(minDurationMs: 3_600_000)),
            element([time("1.50")]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging), s("2026-05-04T11:30:00Z", "9000", .idle),
        ]), tariff)
        #expect(cost.periods.map(\.durationMs) == [3_600_000, 1_800_000])
        #expect(cost.periods.map(\.energyWh) == [6000, 3000])
        #expect(cost.costTime == d("3.00"))
    }

    /// FLAT once per session: 1.00 on weekends, else 2.50; VAT 19 % → 2.50 × 0.19 = 0.475 → 0.48 (half-up).
    /// Monday 2026-05-04, three periods (charging, parking, idle) but one flat fee: 2.50 + 0.48 = 2.98.
    @Test func flatFee() throws {
        let tariff = Tariff(id: "flat", currency: eur, vat: 19, elements: [
            element([flat("1.00")], TariffRestrictions(daysOfWeek: [.saturday, .sunday])),
            element([flat("2.50")]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging),
            s("2026-05-04T10:30:00Z", "5000", .suspendedEV),
            s("2026-05-04T10:40:00Z", "5000", .charging),
            s("2026-05-04T11:00:00Z", "8000", .idle),
        ]), tariff)
        #expect(cost.lines.filter { $0.dimension == .flat }.map(\.element) == [1])
        #expect(cost.costFlat == d("2.50") && cost.totalVAT == d("0.48") && cost.totalInclVAT == d("2.98"))

        // Saturday 2026-05-09: the first element.
        let weekend = try price(session([
            s("2026-05-09T10:00:00Z", "0", .charging), s("2026-05-09T11:00:00Z", "8000", .idle),
        ]), tariff)
        #expect(weekend.costFlat == d("1.00"))
    }

    /// Two VAT rates, each rounded once on its rounded base: ENERGY 0.333/kWh at 19 %, FLAT 0.99 at 7 %.
    ///   energy 7 kWh × 0.333 = 2.331 → 2.33; VAT 19 %: 0.4427 → 0.44
    ///   flat 0.99; VAT 7 %: 0.0693 → 0.07
    ///   excl 3.32, VAT 0.51, incl 3.83
    @Test func vatAtTwoRates() throws {
        let tariff = Tariff(id: "vat", currency: eur, elements: [
            element([flat("0.99", vat: "7"), energy("0.333", vat: "19")]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging), s("2026-05-04T11:00:00Z", "7000", .idle),
        ]), tariff)
        #expect(cost.vat == [VATLine(rate: 7, base: d("0.99"), vat: d("0.07")),
                             VATLine(rate: 19, base: d("2.33"), vat: d("0.44"))])
        #expect(cost.totalExclVAT == d("3.32") && cost.totalVAT == d("0.51") && cost.totalInclVAT == d("3.83"))
    }

    /// min_price 5.00 / 5.95 incl: 2 kWh × 0.30 = 0.60, VAT 19 % 0.11 → raised by 4.40 excl, VAT 5.95 − 5.00 − 0.11
    /// = 0.84 → 5.00 / 5.95. max_price 10.00 (no incl_vat): 50 kWh × 0.30 = 15.00, VAT 2.85 → −5.00 excl, VAT on
    /// the difference at the tariff's 19 %: −0.95 → 10.00 / 11.90.
    @Test func minAndMaxPrice() throws {
        let tariff = Tariff(id: "bounds", currency: eur, vat: 19, elements: [element([energy("0.30")])],
                            minPrice: PriceBound(exclVAT: d("5.00"), inclVAT: d("5.95")),
                            maxPrice: PriceBound(exclVAT: d("10.00")))
        let small = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging), s("2026-05-04T10:10:00Z", "2000", .idle),
        ]), tariff)
        #expect(small.subtotalExclVAT == d("0.60") && small.subtotalVAT == d("0.11"))
        #expect(small.adjustment == PriceAdjustment(bound: .minimum, exclVAT: d("4.40"), vat: d("0.84")))
        #expect(small.totalExclVAT == d("5.00") && small.totalInclVAT == d("5.95"))

        let big = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging), s("2026-05-04T15:00:00Z", "50000", .idle),
        ]), tariff)
        #expect(big.adjustment == PriceAdjustment(bound: .maximum, exclVAT: d("-5.00"), vat: d("-0.95")))
        #expect(big.totalExclVAT == d("10.00") && big.totalVAT == d("1.90") && big.totalInclVAT == d("11.90"))
    }

    /// JPY has no minor unit: 7.5 kWh × 35 = 262.5 → 263 (half-up to whole yen).
    @Test func currencyWithoutMinorUnit() throws {
        let tariff = Tariff(id: "jp", currency: Currency.known("JPY")!, elements: [element([energy("35")])])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging), s("2026-05-04T11:00:00Z", "7500", .idle),
        ], zone: "Asia/Tokyo"), tariff)
        #expect(cost.totalExclVAT == 263)
    }

    /// Power restriction: ENERGY 0.59 at 50 kW and more, else 0.39. Power is held from each sample; the split
    /// falls at the first sample at or over the threshold.
    ///   10:00 22 kW → 10:30 60 kW → 11:00 end: 11 kWh × 0.39 = 4.29 + 30 kWh × 0.59 = 17.70 → 21.99
    @Test func powerThreshold() throws {
        let tariff = Tariff(id: "hpc", currency: eur, elements: [
            element([energy("0.59")], TariffRestrictions(minPowerKW: 50)),
            element([energy("0.39")]),
        ])
        let cost = try price(session([
            s("2026-05-04T10:00:00Z", "0", .charging, powerW: 22_000),
            s("2026-05-04T10:30:00Z", "11000", .charging, powerW: 60_000),
            s("2026-05-04T11:00:00Z", "41000", .idle, powerW: 0),
        ]), tariff)
        #expect(cost.periods.map(\.energyElement) == [1, 0])
        #expect(cost.costEnergy == d("21.99"))
    }

    /// Every cent is explained: totals are sums of the dimension amounts, and line amounts add up (before
    /// rounding) to each dimension's exact amount.
    @Test func breakdownAddsUp() throws {
        let tariff = Tariff(id: "mix", currency: eur, vat: 19, elements: [
            element([flat("0.35"), energy("0.49", step: 1)], TariffRestrictions(startTime: 16 * 60, endTime: 20 * 60)),
            element([energy("0.39", step: 1), parking("1.20", step: 300)]),
        ])
        let cost = try price(session([
            s("2026-03-02T14:07:13Z", "0", .charging),
            s("2026-03-02T14:51:02Z", "8123.4", .charging),
            s("2026-03-02T15:37:55Z", "16001.7", .suspendedEV),
            s("2026-03-02T16:02:00Z", "16001.7", .idle),
        ], zone: "Europe/Berlin"), tariff)
        let sum = cost.dimensions.reduce(Decimal(0)) { $0 + $1.amount }
        #expect(sum == cost.subtotalExclVAT)
        #expect(cost.costEnergy + cost.costTime + cost.costParking + cost.costFlat == cost.totalExclVAT)
        #expect(cost.totalEnergyWh == d("16001.7"))
        for dimension in cost.dimensions {
            let lines = cost.lines.filter { $0.dimension == dimension.dimension && $0.vatRate == dimension.vatRate }
            let sumOfLines = lines.reduce(Decimal(0)) { $0 + $1.amount }
            #expect(eur.round(sumOfLines) == dimension.amount)
        }
    }

    @Test func rejectsBadInput() {
        let tariff = Tariff(id: "t", currency: eur, elements: [element([energy("0.30")])])
        #expect(throws: BillingError.noSamples) { try price(session([]), tariff) }
        #expect(throws: BillingError.energyWentBackwards(index: 1)) {
            try price(session([s("2026-05-04T10:00:00Z", "10", .charging), s("2026-05-04T10:01:00Z", "5", .idle)]),
                      tariff)
        }
        #expect(throws: BillingError.timeWentBackwards(index: 1)) {
            try price(session([s("2026-05-04T10:00:00Z", "0", .charging), s("2026-05-04T09:00:00Z", "5", .idle)]),
                      tariff)
        }
    }
}

@Suite("Building a timeline")
struct TimelineTests {
    /// Phases and readings fed out of order become time-ordered samples; the end closes the timeline.
    /// 15 min at 22 kW then idle: 5.5 kWh × 0.40 = 2.20.
    @Test func buildsSamples() throws {
        let start = ms("2026-05-04T10:00:00Z")
        var timeline = BillableTimeline(startedAt: start, startEnergyWh: 1_000)
        timeline.reading(energyWh: 6_500, powerW: 0, at: start + 900_000)
        timeline.phase(.charging, at: start)
        timeline.reading(powerW: 22_000, at: start)
        timeline.phase(.idle, at: start + 900_000)
        timeline.reading(energyWh: 6_400, at: start + 1_000_000)  // a glitch: held at 6 500
        let samples = timeline.samples(endingAt: start + 1_800_000)
        #expect(samples.map(\.time) == [start, start + 900_000, start + 1_000_000, start + 1_800_000])
        #expect(samples.map(\.state) == [.charging, .idle, .idle, .idle])
        #expect(samples.map(\.energyWh) == [1_000, 6_500, 6_500, 6_500])
        #expect(samples[0].powerW == 22_000)

        let tariff = Tariff(id: "t", currency: eur, elements: [element([energy("0.40")])])
        let cost = try price(session(samples), tariff)
        #expect(cost.totalExclVAT == d("2.20"))
        #expect(cost.timeMs(in: .charging) == 900_000 && cost.timeMs(in: .idle) == 900_000)
    }
}
