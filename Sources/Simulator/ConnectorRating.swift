/// What a connector can deliver, as the fleet declaration states it.
public struct ConnectorRating: Sendable, Hashable {
    /// OCPI 2.2.1 connector types the simulator fits.
    public enum Standard: String, Sendable, Hashable {
        case type2 = "IEC_62196_T2"
        case ccs2 = "IEC_62196_T2_COMBO"
        case chademo = "CHADEMO"
    }

    /// The declaration's `power_type`.
    public enum PowerType: String, Sendable, Hashable {
        case ac1Phase = "AC_1_PHASE"
        case ac3Phase = "AC_3_PHASE"
        case dc = "DC"
    }

    public var standard: Standard
    public var powerType: PowerType
    /// Most power delivered, W.
    public var ratedPowerW: Int
    /// Most current per phase (AC) or in total (DC), A.
    public var ratedCurrentA: Int
    /// Phase-to-neutral voltage for AC, the maximum output voltage for DC.
    public var nominalVoltageV: Int

    public init(standard: Standard, powerType: PowerType, ratedPowerW: Int, ratedCurrentA: Int, nominalVoltageV: Int) {
        self.standard = standard
        self.powerType = powerType
        self.ratedPowerW = ratedPowerW
        self.ratedCurrentA = ratedCurrentA
        self.nominalVoltageV = nominalVoltageV
    }

    public var isDC: Bool { powerType == .dc }

    /// Phases wired: 1 or 3 for AC, 0 for DC.
    public var phases: Int {
        switch powerType {
        case .ac1Phase: 1
        case .ac3Phase: 3
        case .dc: 0
        }
    }
}
