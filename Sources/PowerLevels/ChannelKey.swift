import Telemetry

/// A connector interned by a processor: a small integer, stable for the processor's life (and across
/// snapshot/restore). Connector 0 on EVSE 0 (a charger's main meter) gets its own id like any connector.
public struct ConnectorID: Sendable, Hashable, Codable, Comparable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static func < (a: ConnectorID, b: ConnectorID) -> Bool { a.rawValue < b.rawValue }
}

/// Which input of a connector a reading feeds.
public enum ChannelKind: UInt8, Sendable, Codable, CaseIterable {
    /// `Power.Active.Import` without a phase.
    case total
    /// `Power.Active.Import` on phase L1 (or L1-N), L2, L3.
    case l1, l2, l3
    /// `Energy.Active.Import.Register` without a phase.
    case register
}

/// What the hot path takes: a connector and the channel, resolved once per series by `channel(for:)`.
public struct ChannelKey: Sendable, Hashable, Codable {
    public let connector: ConnectorID
    public let kind: ChannelKind
    public init(connector: ConnectorID, kind: ChannelKind) {
        self.connector = connector
        self.kind = kind
    }
}

/// Where a connector is: site, charger, EVSE, connector. EVSE 0 is the charger's main meter.
public struct ConnectorIdentity: Sendable, Hashable, Codable {
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    public init(site: String, charger: String, evse: Int, connector: Int) {
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
    }
    /// True for the charger's main meter (EVSE 0), which is never added into charger or site load.
    public var isMainMeter: Bool { evse == 0 }
}

extension ChannelKind {
    /// The channel a series feeds, or nil when power levels do not use it.
    ///
    /// Only `Power.Active.Import` (no phase, L1/L2/L3, L1-N/L2-N/L3-N) and `Energy.Active.Import.Register`
    /// (no phase) at location Outlet or Inlet. Other phases (N, line-to-line), per-phase registers and locations
    /// EV, Cable, Body are ignored.
    public init?(_ series: Series) {
        guard series.location == .outlet || series.location == .inlet else { return nil }
        switch series.measurand {
        case .powerActiveImport:
            switch series.phase {
            case nil: self = .total
            case .l1?, .l1n?: self = .l1
            case .l2?, .l2n?: self = .l2
            case .l3?, .l3n?: self = .l3
            default: return nil
            }
        case .energyActiveImportRegister:
            guard series.phase == nil else { return nil }
            self = .register
        default:
            return nil
        }
    }
}
