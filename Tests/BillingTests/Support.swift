import Foundation
import Testing

@testable import Billing
@testable import Pipeline

/// Exact decimal from text.
func d(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

/// ms UTC of an RFC 3339 time with offset.
func ms(_ text: String) -> Int64 { TariffCatalog.parseTimestamp(text)! }

func zone(_ name: String) -> TimeZone { TimeZone(identifier: name)! }

let eur = Currency.known("EUR")!

/// A sample: time, cumulative Wh, state.
func s(_ time: String, _ wh: String, _ state: BillableState, powerW: Double? = nil) -> BillableSample {
    BillableSample(time: ms(time), energyWh: d(wh), powerW: powerW, state: state)
}

func session(_ samples: [BillableSample], zone name: String = "UTC", idTag: String? = nil) -> BillableSession {
    BillableSession(id: "s1", site: "depot", charger: "CP-1", idTag: idTag, timeZone: zone(name), samples: samples)
}

func element(_ components: [PriceComponent], _ restrictions: TariffRestrictions = TariffRestrictions())
    -> TariffElement
{
    TariffElement(components: components, restrictions: restrictions)
}

func energy(_ price: String, vat: String? = nil, step: Int = 0) -> PriceComponent {
    PriceComponent(type: .energy, price: d(price), vat: vat.map(d), stepSize: step)
}
func time(_ price: String, vat: String? = nil, step: Int = 0) -> PriceComponent {
    PriceComponent(type: .time, price: d(price), vat: vat.map(d), stepSize: step)
}
func parking(_ price: String, vat: String? = nil, step: Int = 0) -> PriceComponent {
    PriceComponent(type: .parkingTime, price: d(price), vat: vat.map(d), stepSize: step)
}
func flat(_ price: String, vat: String? = nil) -> PriceComponent {
    PriceComponent(type: .flat, price: d(price), vat: vat.map(d))
}

func price(_ session: BillableSession, _ tariff: Tariff) throws -> CostBreakdown {
    try TariffCalculator.cost(of: session, tariff: tariff)
}

/// Loads pipeline text, returning the definition or the issue lines.
func loadPipeline(_ yaml: String, baseDirectory: String = ".") -> Result<PipelineDefinition, PipelineError> {
    do {
        return .success(try PipelineDefinition.load(yaml: yaml, fileName: "pipeline.yaml",
                                                    baseDirectory: baseDirectory, environment: [:]))
    } catch {
        return .failure(error)
    }
}

/// The repository root (for Pipelines/tariffs/example.yaml).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
