/// The hardware a simulated charger can be: a model name and the rating of each EVSE.
///
/// The vendor is fictional on purpose ("Wattline Sim"), so nobody mistakes simulated data for a real product's.
struct ChargerModel: Sendable {
    static let vendor = "Wattline Sim"

    let name: String
    let evses: [ConnectorRating]

    private static func ac(_ powerType: ConnectorRating.PowerType, watts: Int, amps: Int) -> ConnectorRating {
        ConnectorRating(standard: .type2, powerType: powerType, ratedPowerW: watts, ratedCurrentA: amps, nominalVoltageV: 230)
    }

    private static func dc(_ standard: ConnectorRating.Standard, watts: Int, amps: Int, volts: Int) -> ConnectorRating {
        ConnectorRating(standard: standard, powerType: .dc, ratedPowerW: watts, ratedCurrentA: amps, nominalVoltageV: volts)
    }

    static let ac7 = ChargerModel(name: "AC7-1", evses: [ac(.ac1Phase, watts: 7400, amps: 32)])
    static let ac11 = ChargerModel(name: "AC11-1", evses: [ac(.ac3Phase, watts: 11_000, amps: 16)])
    static let ac11Twin = ChargerModel(name: "AC11-2", evses: Array(repeating: ac(.ac3Phase, watts: 11_000, amps: 16), count: 2))
    static let ac22 = ChargerModel(name: "AC22-1", evses: [ac(.ac3Phase, watts: 22_000, amps: 32)])
    static let ac22Twin = ChargerModel(name: "AC22-2", evses: Array(repeating: ac(.ac3Phase, watts: 22_000, amps: 32), count: 2))
    /// CCS2 as EVSE 1 and CHAdeMO as EVSE 2.
    static let dc50 = ChargerModel(name: "DC50-2", evses: [dc(.ccs2, watts: 50_000, amps: 125, volts: 500),
                                                          dc(.chademo, watts: 50_000, amps: 125, volts: 500)])
    static let dc150 = ChargerModel(name: "DC150-2", evses: Array(repeating: dc(.ccs2, watts: 150_000, amps: 300, volts: 1000), count: 2))
    static let dc350 = ChargerModel(name: "DC350-2", evses: Array(repeating: dc(.ccs2, watts: 350_000, amps: 500, volts: 1000), count: 2))

    /// Picks the hardware for a charger: EVerest chargers are single-EVSE AC wallboxes (the shipped pipeline's
    /// EVerest topics name no EVSE), OCPP chargers follow the site's profile.
    static func pick(for proto: SimulatedProtocol, at profile: SiteProfile, using random: inout SimulationRandom) -> ChargerModel {
        let choices: [(ChargerModel, Double)]
        switch (proto, profile) {
        case (.everest, _):
            choices = [(ac11, 0.5), (ac22, 0.5)]
        case (_, .urban):
            choices = [(ac7, 0.1), (ac11, 0.15), (ac11Twin, 0.2), (ac22Twin, 0.4), (dc50, 0.15)]
        case (_, .highway):
            choices = [(dc50, 0.2), (dc150, 0.45), (dc350, 0.35)]
        }
        return choices[random.weighted(choices.map(\.1))].0
    }
}
