/// The identity of one time series: where a value was measured and what it measures.
///
/// EVSE 0 / connector 0 is the charger's main meter, kept apart from its connectors.
public struct Series: Sendable, Hashable, Codable {
    public var site: String
    public var charger: String
    public var evse: Int
    public var connector: Int
    public var measurand: Measurand
    public var phase: Phase?
    public var location: Location

    public init(site: String, charger: String, evse: Int, connector: Int, measurand: Measurand,
                phase: Phase? = nil, location: Location = .outlet) {
        self.site = site
        self.charger = charger
        self.evse = evse
        self.connector = connector
        self.measurand = measurand
        self.phase = phase
        self.location = location
    }

    /// Every field equal; the small ones compared first: series that differ mostly differ there (one charger's
    /// measurands, phases and connectors), and the strings are compared only when everything else matched.
    @inlinable
    public static func == (a: Series, b: Series) -> Bool {
        a.measurand == b.measurand && a.phase == b.phase && a.location == b.location && a.evse == b.evse
            && a.connector == b.connector && a.charger == b.charger && a.site == b.site
    }
}

/// One measured value, normalized: canonical units, UTC milliseconds. Its identity is (series, timestamp).
public struct Reading: Sendable, Equatable {
    public var series: Series
    /// Event time (when the charger measured it), milliseconds since the Unix epoch, UTC.
    public var timestamp: Int64
    /// The value in the canonical unit of its measurand (`series.measurand.dimension.canonicalUnit`).
    public var value: Double
    /// Decimal digits the value carries in canonical units, as sent: "12.345" kWh is 12345 Wh with 0 digits,
    /// "230.1" V has 1. Negative when coarser than one unit ("12" kWh: -3, a resolution of 1000 Wh).
    public var decimals: Int16
    public var context: ReadingContext
    /// The transaction the charger attributed the reading to, when it named one.
    public var transactionId: String?

    public init(series: Series, timestamp: Int64, value: Double, decimals: Int16,
                context: ReadingContext = .samplePeriodic, transactionId: String? = nil) {
        self.series = series
        self.timestamp = timestamp
        self.value = value
        self.decimals = decimals
        self.context = context
        self.transactionId = transactionId
    }
}

/// Signed meter data (German calibration law, OCMF and the like), kept verbatim: never parsed as a number.
public struct SignedMeterValue: Sendable, Equatable {
    public var series: Series
    public var timestamp: Int64
    public var context: ReadingContext
    public var transactionId: String?
    /// The signed payload exactly as the charger sent it.
    public var data: String
    /// OCPP 2.0.1 `signingMethod`, `encodingMethod` and `publicKey` when given.
    public var signingMethod: String?
    public var encodingMethod: String?
    public var publicKey: String?

    public init(series: Series, timestamp: Int64, context: ReadingContext, transactionId: String?, data: String,
                signingMethod: String? = nil, encodingMethod: String? = nil, publicKey: String? = nil) {
        self.series = series
        self.timestamp = timestamp
        self.context = context
        self.transactionId = transactionId
        self.data = data
        self.signingMethod = signingMethod
        self.encodingMethod = encodingMethod
        self.publicKey = publicKey
    }
}
