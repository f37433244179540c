import Foundation

/// A declared site: a grid connection with its chargers, its time zone (tariffs run on local time) and limits.
public struct Site: Sendable, Equatable {
    /// A postal address, as OCPI locations carry it.
    public struct Address: Sendable, Equatable {
        public var street: String?
        public var city: String?
        public var postalCode: String?
        /// ISO 3166-1 alpha-3 (`DEU`, `NLD`), as OCPI wants it.
        public var country: String?

        public init(street: String? = nil, city: String? = nil, postalCode: String? = nil, country: String? = nil) {
            self.street = street
            self.city = city
            self.postalCode = postalCode
            self.country = country
        }

        static let keys = ["street", "city", "postal_code", "country"]
    }

    /// WGS 84 coordinates in decimal degrees.
    public struct Coordinates: Sendable, Equatable {
        /// -90...90.
        public var latitude: Double
        /// -180...180.
        public var longitude: Double

        public init(latitude: Double, longitude: Double) {
            self.latitude = latitude
            self.longitude = longitude
        }

        static let keys = ["lat", "lon"]
    }

    /// The OCPI party that operates the site.
    public struct OCPIParty: Sendable, Equatable {
        /// ISO 3166-1 alpha-2, upper case (`DE`).
        public var countryCode: String
        /// Three letters or digits, upper case (`WTL`).
        public var partyID: String

        public init(countryCode: String, partyID: String) {
            self.countryCode = countryCode
            self.partyID = partyID
        }

        static let keys = ["country_code", "party_id"]
    }

    /// The site id (an `Identifier`).
    public var id: String
    /// A name for people; the id when not given.
    public var name: String
    /// The site's time zone (an IANA name such as `Europe/Berlin`).
    public var timeZone: TimeZone
    /// The grid connection's limit in kW, when known.
    public var gridLimitKW: Double?
    /// The largest allowed imbalance between phases at the connection, in kVA (4.6 under VDE-AR-N 4100).
    public var phaseImbalanceLimitKVA: Double?
    public var address: Address?
    public var coordinates: Coordinates?
    public var ocpi: OCPIParty?

    public init(
        id: String, name: String? = nil, timeZone: TimeZone, gridLimitKW: Double? = nil,
        phaseImbalanceLimitKVA: Double? = nil, address: Address? = nil, coordinates: Coordinates? = nil,
        ocpi: OCPIParty? = nil
    ) {
        self.id = id
        self.name = name ?? id
        self.timeZone = timeZone
        self.gridLimitKW = gridLimitKW
        self.phaseImbalanceLimitKVA = phaseImbalanceLimitKVA
        self.address = address
        self.coordinates = coordinates
        self.ocpi = ocpi
    }

    static let keys = [
        "id", "name", "timezone", "grid_limit_kw", "phase_imbalance_limit_kva", "address", "coordinates", "ocpi",
    ]

    /// Reads one entry of `fleet.sites`.
    static func read(_ node: ConfigNode) -> Site? {
        guard let mapping = node.mapping(allowedKeys: keys) else { return nil }
        let id = mapping.required("id")?.identifier(.site)
        let name = mapping.optional("name")?.nonEmptyString()
        var timeZone: TimeZone?
        if let zoneNode = mapping.required("timezone"), let zoneName = zoneNode.nonEmptyString() {
            // `TimeZone(identifier:)` also takes abbreviations such as `CET`; only names with a region (and UTC)
            // say which daylight-saving rules apply.
            if let zone = TimeZone(identifier: zoneName), zoneName.contains("/") || zoneName == "UTC" {
                timeZone = zone
            } else {
                zoneNode.report(.invalid("'\(zoneName)' is not an IANA time zone such as Europe/Berlin"))
            }
        }
        let gridLimit = mapping.optional("grid_limit_kw")?.positiveDouble()
        let imbalance = mapping.optional("phase_imbalance_limit_kva")?.positiveDouble()

        var address: Address?
        if let addressMapping = mapping.optional("address")?.mapping(allowedKeys: Address.keys) {
            var value = Address()
            value.street = addressMapping.optional("street")?.string()
            value.city = addressMapping.optional("city")?.string()
            value.postalCode = addressMapping.optional("postal_code")?.string()
            if let countryNode = addressMapping.optional("country"), let country = countryNode.string() {
                if country.count == 3, country.allSatisfy({ $0.isASCII && $0.isLetter }) {
                    value.country = country.uppercased()
                } else {
                    countryNode.report(.typeMismatch(expected: "an ISO 3166-1 alpha-3 code such as DEU", found: "'\(country)'"))
                }
            }
            address = value
        }

        var coordinates: Coordinates?
        if let coordinatesMapping = mapping.optional("coordinates")?.mapping(allowedKeys: Coordinates.keys) {
            let latitude = coordinatesMapping.required("lat")?.double(in: -90...90)
            let longitude = coordinatesMapping.required("lon")?.double(in: -180...180)
            if let latitude, let longitude { coordinates = Coordinates(latitude: latitude, longitude: longitude) }
        }

        var ocpi: OCPIParty?
        if let ocpiMapping = mapping.optional("ocpi")?.mapping(allowedKeys: OCPIParty.keys) {
            var countryCode: String?
            if let node = ocpiMapping.required("country_code"), let text = node.string() {
                if text.count == 2, text.allSatisfy({ $0.isASCII && $0.isLetter }) {
                    countryCode = text.uppercased()
                } else {
                    node.report(.typeMismatch(expected: "an ISO 3166-1 alpha-2 code such as DE", found: "'\(text)'"))
                }
            }
            var partyID: String?
            if let node = ocpiMapping.required("party_id"), let text = node.string() {
                if text.count == 3, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                    partyID = text.uppercased()
                } else {
                    node.report(.typeMismatch(expected: "3 letters or digits such as WTL", found: "'\(text)'"))
                }
            }
            if let countryCode, let partyID { ocpi = OCPIParty(countryCode: countryCode, partyID: partyID) }
        }

        guard let id, let timeZone else { return nil }
        return Site(
            id: id, name: name, timeZone: timeZone, gridLimitKW: gridLimit, phaseImbalanceLimitKVA: imbalance,
            address: address, coordinates: coordinates, ocpi: ocpi)
    }
}
