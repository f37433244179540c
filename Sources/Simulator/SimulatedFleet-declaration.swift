extension SimulatedFleet {
    /// The fleet as a pipeline's fleet file: the `sites:` and `chargers:` keys of the `fleet` section, in the layout of
    /// Pipelines/fleet/default-fleet.yaml (docs/pipeline.md, "fleet"). A pipeline takes it in with
    /// `fleet: {include: <file>}`.
    public func declarationYAML() -> String {
        var text = """
            # A simulated fleet: \(chargers.count) chargers on \(sites.count) sites, seed \(seed).
            # Written by Wattline's simulator; include it from a pipeline with `fleet: {include: <this file>}`.
            # The same seed gives the same fleet, so a simulation's messages match these declarations.

            sites:

            """
        for site in sites {
            text += """
                  - id: \(site.id)
                    name: \(site.name)
                    timezone: \(site.timezone)

                """
        }
        text += "\nchargers:\n"
        for charger in chargers {
            text += """
                  - id: \(charger.id)
                    site: \(charger.siteID)
                    protocol: \(charger.protocol.rawValue)
                    vendor: \(charger.vendor)
                    model: \(charger.model)
                    evses:

                """
            for evse in charger.evses {
                let rating = evse.rating
                text += """
                          - id: \(evse.id)
                            connectors:
                              - id: 1
                                standard: \(rating.standard.rawValue)
                                power_type: \(rating.powerType.rawValue)
                                rated_power_kw: \(Self.kilowatts(rating.ratedPowerW))
                                rated_current_a: \(rating.ratedCurrentA)
                                nominal_voltage_v: \(rating.nominalVoltageV)

                    """
            }
        }
        return text
    }

    /// Watts as kW without a needless fraction: 22000 → "22", 7400 → "7.4".
    static func kilowatts(_ watts: Int) -> String {
        let whole = String(watts / 1000)
        var fraction = String(watts % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}
