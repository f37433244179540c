import Testing

import Telemetry

@Suite struct SeriesSlotsTests {
    /// Every combination of a charger's identity fields, some hundreds: enough to grow the table several times.
    static func manySeries(site: String = "site-1", charger: String = "CP-1") -> [Series] {
        var all: [Series] = []
        for evse in 0...2 {
            for connector in 0...2 {
                for measurand in Measurand.allCases {
                    for phase in [nil] + Phase.allCases.prefix(4).map(Optional.some) {
                        all.append(Series(site: site, charger: charger, evse: evse, connector: connector,
                                          measurand: measurand, phase: phase))
                    }
                }
            }
        }
        return all
    }

    @Test func numbersSeriesInTheOrderFirstSeenAndFindsThemAgain() {
        var slots = SeriesSlots()
        let all = Self.manySeries()
        #expect(all.count > 200)
        for (n, series) in all.enumerated() {
            #expect(slots.slot(of: series) == nil)
            let inserted = slots.slot(inserting: series)
            #expect(inserted.slot == Int32(n) && inserted.isNew)
        }
        // After every growth, each series still has the number it was given, and inserting again adds nothing.
        for (n, series) in all.enumerated().reversed() {
            #expect(slots.slot(of: series) == Int32(n))
            let again = slots.slot(inserting: series)
            #expect(again.slot == Int32(n) && !again.isNew)
        }
        #expect(slots.count == all.count)
        #expect(slots.series == all)
    }

    /// Series that differ only in their site or charger fold to the same word: the table must still tell them apart
    /// (the probe compares the whole series), as a dictionary of series does.
    @Test func seriesWithTheSameWordKeepTheirOwnSlots() {
        let base = Self.manySeries().prefix(40)
        let variants = [("site-1", "CP-1"), ("site-2", "CP-1"), ("site-1", "CP-2"), ("a-site-with-a-long-name", "CP-1")]
        var slots = SeriesSlots()
        var reference: [Series: Int32] = [:]
        for (site, charger) in variants {
            for var series in base {
                series.site = site
                series.charger = charger
                #expect(series.hashWordWithinCharger == base.first { $0 == Series(
                    site: "site-1", charger: "CP-1", evse: series.evse, connector: series.connector,
                    measurand: series.measurand, phase: series.phase, location: series.location) }?.hashWordWithinCharger)
                let slot = slots.slot(inserting: series).slot
                reference[series] = slot
            }
        }
        #expect(Set(reference.values).count == variants.count * base.count)
        for (series, slot) in reference { #expect(slots.slot(of: series) == slot) }
    }
}
